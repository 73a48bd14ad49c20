import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** Every module specifier of a source file: static imports and re-exports, and dynamic imports. */
function importsOf(source: string): string[] {
  const pattern = /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*(?:\(\s*)?['"]([^'"]+)['"]/g;
  return [...source.matchAll(pattern)].map((m) => (m[1] ?? m[2])!);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

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

  it('shared/ imports nothing from functions/', () => {
    const files = sourceFiles(join(ROOT, 'shared'));
    expect(files.length).toBeGreaterThan(10);
    const upward = files.flatMap((file) =>
      importsOf(readFileSync(file, 'utf8'))
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => relative(ROOT, resolve(dirname(file), spec)))
        .filter((target) => target === 'functions' || target.startsWith('functions/'))
        .map((target) => `${relative(ROOT, file)} imports ${target}`),
    );
    expect(upward).toEqual([]);
  });
});
