import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDotenv, quoteDotenvValue } from '../../cli/dotenv.js';
import { CliError } from '../../cli/errors.js';
import { parseDotenv } from './dotenv-parser.js';
import { tempDir } from './prime-process.js';

/**
 * `prime env secret pull --format dotenv` against the readers of its file: real shells sourcing it
 * with `set -a; . ./file`, the `dotenv` package (the version in node_modules), Node's
 * `util.parseEnv` and the original dotenv grammar (test/cli/dotenv-parser.ts). Each either
 * gives back every value exactly, with no command run, or the value is refused.
 */
// Version 8, which amplify-dynamodb-simulator brings (package-lock.json); its types do not resolve under "exports".
const dotenv = createRequire(import.meta.url)('dotenv') as { parse(text: string): Record<string, string> };
const SHELLS = ['bash', 'dash', 'zsh'].filter((shell) => spawnSync(shell, ['-c', ':']).status === 0);
const PRINT_ENV = 'process.stdout.write(JSON.stringify(process.env))';
const CANARY = 'pwned';

/** Pieces that quoting gets wrong, each of which would create the canary if a shell ran it. */
const TRICKY = [
  "'",
  '"',
  '\\',
  '$',
  '`',
  '#',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u2028',
  '=',
  '\\n',
  "'\\''",
  '$HOME',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${PATH} that no reader may expand
  '${PATH}',
  `\`touch ${CANARY}\``,
  `$(touch ${CANARY})`,
  `'; touch ${CANARY}; '`,
  `"; touch ${CANARY}; "`,
  'é',
  '✓',
  '𝄞',
];
const value = fc.oneof(
  fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 8 }),
  fc.string({ unit: fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: 'binary', maxLength: 1 })), maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);

/** The values no reader disagrees on: no line break or NUL, and a `'` only beside nothing shells interpret in double quotes. */
const writable = (v: string) => v.isWellFormed() && !/[\n\r\u2028\u2029\0]/.test(v) && !/'.*["\\$`]|["\\$`].*'/.test(v);

function sourced(shell: string, dir: string): Record<string, string> {
  const r = spawnSync(shell, ['-c', `set -a; . ./x.env; exec "$0" -e '${PRINT_ENV}'`, process.execPath], {
    cwd: dir,
    env: { PATH: process.env.PATH },
    // Not a pipe: bash sources ~/.bashrc when its standard input is a socket, as Node's pipes are.
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  expect(r.stderr, shell).toBe('');
  return JSON.parse(r.stdout);
}

describe(`dotenv files read back by ${SHELLS.join(', ')}, dotenv, util.parseEnv and the dotenv grammar`, () => {
  it('gives back every value it writes, runs nothing, and refuses only what some reader would misread', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 60 }), (values) => {
        const env: Record<string, string> = {};
        values.forEach((v, i) => {
          const quoted = quoteDotenvValue(v);
          expect(quoted === undefined, JSON.stringify(v)).toBe(!writable(v));
          if (quoted !== undefined) env[`PRIME_T_${i}`] = v;
        });
        const text = formatDotenv(env);
        expect(parseEnv(text)).toEqual(env);
        expect(dotenv.parse(text)).toEqual(env);
        expect(parseDotenv(text)).toEqual(env);
        const dir = tempDir('prime-dotenv-');
        writeFileSync(join(dir, 'x.env'), text);
        for (const shell of SHELLS) {
          const seen = sourced(shell, dir);
          expect(Object.fromEntries(Object.entries(seen).filter(([name]) => name.startsWith('PRIME_T_')))).toEqual(env);
          expect(existsSync(join(dir, CANARY)), `${shell} ran a command`).toBe(false);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('chooses single quotes, else double quotes', () => {
    expect(quoteDotenvValue('a #b $c `d` \\e')).toBe("'a #b $c `d` \\e'");
    expect(quoteDotenvValue("it's # here")).toBe(`"it's # here"`);
    expect(quoteDotenvValue('')).toBe("''");
    for (const refused of ["it's $HOME", `it's "x" \`touch ${CANARY}\``, 'two\nlines', 'a\0b', '\ud800']) {
      expect(quoteDotenvValue(refused)).toBeUndefined();
    }
  });

  it('refuses to write a value some reader would misread, naming each such variable', () => {
    const env = { OK: 'fine', PEM: 'line one\nline two', MIXED: `it's $5`, CR: 'a\rb' };
    expect(() => formatDotenv(env)).toThrow(CliError);
    expect(() => formatDotenv(env)).toThrow(/^Cannot write CR, MIXED, PEM as dotenv/);
  });
});
