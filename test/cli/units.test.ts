import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatDotenv, quoteDotenvValue } from '../../cli/dotenv.js';
import { parseEnvironmentRef } from '../../cli/environment-ref.js';
import { CliError, errorLine } from '../../cli/errors.js';
import { Output, parseOutputFormat, relativeTime } from '../../cli/output.js';
import { parseDotenv } from './dotenv-parser.js';

describe('relativeTime', () => {
  const now = Date.parse('2026-11-28T12:00:00.000Z');
  const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();
  it.each([
    [5, 'just now'],
    [60, '1 minute ago'],
    [3 * 60 + 59, '3 minutes ago'],
    [2 * 3600, '2 hours ago'],
    [86_400, '1 day ago'],
    [45 * 86_400, '1 month ago'],
    [800 * 86_400, '2 years ago'],
    [-30, 'just now'],
  ])('%i seconds ago reads "%s"', (seconds, text) => {
    expect(relativeTime(ago(seconds), now)).toBe(text);
  });
  it('shows "-" without a time', () => {
    expect(relativeTime(null, now)).toBe('-');
  });
});

describe('dotenv quoting', () => {
  const simple = [
    'plain',
    ' spaced # hash ',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${PATH} that the dotenv file must not expand
    'pa$$ $HOME ${PATH}',
    'two\nlines',
    'say "hi"',
    "it's",
    'a=b',
    'tick`s',
    'héllo ✓',
  ];
  const hard = ['C:\\dir\\file', 'ends with \\', `it's "x" $HOME`, 'cr\r\nlf', `all ' " $X \${Y} \\ \` # \n end`];

  it("writes values that need no escape so Node's own dotenv parser reads them unchanged", () => {
    const env = Object.fromEntries(simple.map((v, i) => [`V${i}`, v]));
    expect(parseEnv(formatDotenv(env))).toEqual(env);
  });

  it('round-trips every value through the original dotenv grammar, with nothing expanded', () => {
    const env = Object.fromEntries([...simple, ...hard].map((v, i) => [`V${i}`, v]));
    expect(parseDotenv(formatDotenv(env), { HOME: '/home/x', PATH: '/bin', X: 'x', Y: 'y' })).toEqual(env);
  });

  it('chooses the plainest quoting', () => {
    expect(quoteDotenvValue('a #b $c')).toBe("'a #b $c'");
    expect(quoteDotenvValue("it's")).toBe(`"it's"`);
    expect(quoteDotenvValue(`it's $HOME`)).toBe(`"it's \\$HOME"`);
    expect(quoteDotenvValue('a\\b\nc')).toBe('"a\\\\b\\nc"');
  });
});

describe('output', () => {
  it('rejects an output format other than table or json', () => {
    expect(parseOutputFormat('json')).toBe('json');
    expect(() => parseOutputFormat('yaml')).toThrow("Invalid output format 'yaml': use table or json.");
  });

  it('aligns columns by their text, colour added after padding', () => {
    const written: string[] = [];
    const tty = { isTTY: true, write: (t: string) => written.push(t) };
    new Output({ env: {} }, tty, tty).table(
      [{ header: 'ID', style: 'dim' }, { header: 'Name' }],
      [
        ['a', 'LONG_NAME'],
        ['abcdef', 'X'],
      ],
    );
    const plain = written.join('').replace(/\u001b\[\d+m/g, '');
    expect(plain).toBe('ID      Name\na       LONG_NAME\nabcdef  X\n');
    expect(written.join('')).toContain('\u001b[2ma     \u001b[22m');

    const piped: string[] = [];
    const pipe = { isTTY: false, write: (t: string) => piped.push(t) };
    new Output({ env: {} }, pipe, pipe).table([{ header: 'ID', style: 'dim' }], [['x']]);
    expect(piped.join('')).toBe('ID\nx\n');
  });
});

describe('environment references and errors', () => {
  it('takes owner/name and nothing else', () => {
    expect(parseEnvironmentRef('dev/my-env')).toEqual({ owner: 'dev', name: 'my-env' });
    for (const bad of ['dev', 'dev/', '/x', 'a/b/c']) expect(() => parseEnvironmentRef(bad)).toThrow(CliError);
  });

  it('prints one line, never a stack', () => {
    expect(errorLine(new CliError('Nope.'))).toBe('Error: Nope.');
    const line = errorLine(new TypeError('boom\n    at somewhere (file.ts:1:1)'));
    expect(line).toBe('Error: Unexpected failure: boom at somewhere (file.ts:1:1)');
    expect(line).not.toContain('\n');
  });
});
