import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers, as docs/architecture.md draws them: HTTP (functions/) → services → data → the
 * table client (shared/storage). Only shared/data and the table client know the table's keys,
 * index and commands; the rest speaks in typed records.
 */
const root = join(import.meta.dirname, '..', '..');

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((f) => f.isFile() && /\.tsx?$/.test(f.name))
    .map((f) => relative(root, join(f.parentPath, f.name)));
}

const importsOf = (file: string) =>
  [...readFileSync(join(root, file), 'utf8').matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'/g)].map((m) => m[1]!);

const ABOVE_DATA = [
  ...sourcesUnder('functions'),
  ...sourcesUnder('shared').filter((f) => !f.startsWith('shared/data/') && !f.startsWith('shared/storage/')),
];

describe('layers', () => {
  it('shared/ imports nothing from functions/', () => {
    const upward = sourcesUnder('shared').flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.includes('functions/'))
        .map((spec) => `${file} → ${spec}`),
    );
    expect(upward).toEqual([]);
  });

  it('above the data layer, no DynamoDB command, table client read or key string', () => {
    const found: string[] = [];
    for (const file of ABOVE_DATA) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const spec of importsOf(file)) {
        const reachesTable = spec.startsWith('@aws-sdk/lib-dynamodb') || spec.startsWith('@aws-sdk/client-dynamodb');
        // The one thing of the table client a service uses: one transaction of the data layer's writes.
        const tableClient = /\/storage\/(?!transact\.js$|client\.js$)/.test(spec);
        if (reachesTable || tableClient) found.push(`${file} imports ${spec}`);
      }
      for (const match of text.matchAll(/TableName|IndexName|'gsi1\w*'|['"`][A-Z]{3,}#/g))
        found.push(`${file}: ${match[0]}`);
    }
    expect(found).toEqual([]);
  });

  it('the check above sees what it looks for', () => {
    const sample = "const k = { pk: `ENV#` + id }; new QueryCommand({ TableName: t, IndexName: 'gsi1' });";
    expect([...sample.matchAll(/TableName|IndexName|'gsi1\w*'|['"`][A-Z]{3,}#/g)].map((m) => m[0])).toEqual([
      '`ENV#',
      'TableName',
      'IndexName',
      "'gsi1'",
    ]);
  });
});
