import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers, as docs/architecture.md draws them: HTTP (functions/) → services → data → the
 * table client (shared/storage). Only shared/data and the table client know the table's keys,
 * index and commands; above them the code speaks in typed records.
 */
const ROOT = resolve(import.meta.dirname, '../..');

/** Every module specifier of a source file: static imports and re-exports, and dynamic imports. */
function importsOf(source: string): string[] {
  const pattern = /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*(?:\(\s*)?['"]([^'"]+)['"]/g;
  return [...source.matchAll(pattern)].map((m) => (m[1] ?? m[2])!);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** What a file imports of the project, as paths from its root (`shared/data/keys.js`). */
const projectImports = (file: string) =>
  importsOf(readFileSync(join(ROOT, file), 'utf8'))
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(ROOT, resolve(ROOT, dirname(file), spec)));

/** A key prefix (`ENV#`), the table's name or index written out, or a DynamoDB command's table field. */
const TABLE_WORDS = /TableName|IndexName|'gsi1\w*'|['"`][A-Z]{3,}#/g;

const ABOVE_DATA = [
  ...sourceFiles('functions'),
  ...sourceFiles('shared').filter((f) => !f.startsWith('shared/data/') && !f.startsWith('shared/storage/')),
];

describe('code layers', () => {
  it('finds the imports of a file, however they are written', () => {
    const source = [
      "import { a } from '../a.js';",
      "import type { B } from './b.js';",
      'import {\n  c,\n  d,\n} from "../../functions/c.js";',
      "export { e } from './e.js';",
      "export * from './f.js';",
      "import './g.js';",
      "const h = await import('./h.js');",
    ].join('\n');
    expect(importsOf(source)).toEqual([
      '../a.js',
      './b.js',
      '../../functions/c.js',
      './e.js',
      './f.js',
      './g.js',
      './h.js',
    ]);
  });

  it('finds the words of the table', () => {
    const sample = "const k = { pk: `ENV#` + id }; new QueryCommand({ TableName: t, IndexName: 'gsi1' });";
    expect([...sample.matchAll(TABLE_WORDS)].map((m) => m[0])).toEqual(['`ENV#', 'TableName', 'IndexName', "'gsi1'"]);
  });

  it('shared/ imports nothing from functions/', () => {
    const files = sourceFiles('shared');
    expect(files.length).toBeGreaterThan(10);
    const upward = files.flatMap((file) =>
      projectImports(file)
        .filter((target) => target.startsWith('functions/'))
        .map((target) => `${file} imports ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it('functions/ reach the table only through services', () => {
    const past = sourceFiles('functions').flatMap((file) =>
      projectImports(file)
        .filter((target) => target.startsWith('shared/data/') || target.startsWith('shared/storage/'))
        .map((target) => `${file} imports ${target}`),
    );
    expect(past).toEqual([]);
  });

  it('above the data layer: no DynamoDB command, no table client read, no key string', () => {
    const found: string[] = [];
    for (const file of ABOVE_DATA) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const spec of importsOf(text)) {
        if (spec.startsWith('@aws-sdk/lib-dynamodb') || spec.startsWith('@aws-sdk/client-dynamodb')) {
          found.push(`${file} imports ${spec}`);
        }
      }
      // What a service may use of the table client: one transaction of the data layer's writes.
      for (const target of projectImports(file)) {
        if (target.startsWith('shared/storage/') && !/^shared\/storage\/(transact|client)\.js$/.test(target)) {
          found.push(`${file} imports ${target}`);
        }
      }
      for (const match of text.matchAll(TABLE_WORDS)) found.push(`${file}: ${match[0]}`);
    }
    expect(found).toEqual([]);
  });
});
