import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnvironmentRef, readEnvironmentMetadata } from '../../cli/environment-ref.js';
import { CliError, errorLine } from '../../cli/errors.js';
import { expiryColumn } from '../../cli/expiry.js';
import { parseVersion } from '../../cli/options.js';
import { Output, parseOutputFormat, relativeTime, sourceWord, utcTime } from '../../cli/output.js';
import { pickByIdOrName } from '../../cli/refs.js';

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

describe('utcTime and parseVersion', () => {
  it('shows a time to the minute in UTC, and anything unparseable as is', () => {
    expect(utcTime('2026-12-05T20:51:04.123Z')).toBe('2026-12-05 20:51 UTC');
    expect(utcTime('2026-12-05T22:51:04+02:00')).toBe('2026-12-05 20:51 UTC');
    expect(utcTime('soon')).toBe('soon');
  });

  it('takes a version as a whole number from 1', () => {
    expect(parseVersion('12')).toBe(12);
    for (const bad of ['0', '-1', '1.5', '01', 'two', '']) {
      expect(() => parseVersion(bad)).toThrow(`Invalid version '${bad}': use a whole number from 1.`);
    }
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

describe('expiryColumn', () => {
  const now = Date.parse('2026-12-01T12:00:00.000Z');
  const at = (days: number) => ({ expiresAt: new Date(now + days * 86_400_000).toISOString() });

  it('is absent unless a secret has expired or expires within 7 days, which it marks with the date', () => {
    expect(expiryColumn([{ expiresAt: null }, {}, at(7.01)], now).columns).toEqual([]);
    const { columns, cells } = expiryColumn([at(7), at(-1), at(30), { expiresAt: null }], now);
    expect(columns).toEqual([{ header: 'Expires', style: 'yellow' }]);
    expect([at(7), at(-1), at(0), at(30), { expiresAt: null }].map(cells)).toEqual([
      ['2026-12-08 12:00 UTC'],
      ['expired 2026-11-30 12:00 UTC'],
      ['expired 2026-12-01 12:00 UTC'],
      [''],
      [''],
    ]);
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

describe('readEnvironmentMetadata', () => {
  const folder = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'prime-cli-metadata-'));
    mkdirSync(join(dir, '.prime'));
    for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
    return dir;
  };
  const meta = (owner: string, name: string) => JSON.stringify({ owner, name, version: '0.1.0' });

  it('reads ./.prime/.env-metadata.json, else the older ./.env-metadata.json, else nothing', () => {
    expect(readEnvironmentMetadata(folder({ '.prime/.env-metadata.json': meta('dev', 'new') }))).toEqual({
      owner: 'dev',
      name: 'new',
    });
    expect(readEnvironmentMetadata(folder({ '.env-metadata.json': meta('dev', 'old') }))).toEqual({
      owner: 'dev',
      name: 'old',
    });
    const both = folder({ '.prime/.env-metadata.json': meta('dev', 'new'), '.env-metadata.json': meta('dev', 'old') });
    expect(readEnvironmentMetadata(both)?.name).toBe('new');
    expect(readEnvironmentMetadata(folder({}))).toBeUndefined();
  });

  it('names the file it could not use', () => {
    expect(() => readEnvironmentMetadata(folder({ '.env-metadata.json': '{not json' }))).toThrow(
      new CliError('.env-metadata.json is not valid JSON.'),
    );
    expect(() => readEnvironmentMetadata(folder({ '.env-metadata.json': '{"owner":"dev"}' }))).toThrow(
      new CliError('.env-metadata.json must hold {"owner", "name"}.'),
    );
    // The newer file wins even when broken: the folder's environment is never guessed from the older one.
    expect(() =>
      readEnvironmentMetadata(folder({ '.prime/.env-metadata.json': '[]', '.env-metadata.json': meta('dev', 'old') })),
    ).toThrow(new CliError('.prime/.env-metadata.json must hold {"owner", "name"}.'));
  });
});

describe('pickByIdOrName: what the CLI takes by id or name', () => {
  const items = [
    { id: 'aaaaaaaaaaaaaaaaaaaaaaaa', name: 'JUDGE_KEY' },
    { id: 'bbbbbbbbbbbbbbbbbbbbbbbb', name: 'JUDGE_API_KEY' },
    { id: 'cccccccccccccccccccccccc', name: 'LOG_LEVEL' },
    { id: 'dddddddddddddddddddddddd', name: 'LOG_LEVEL' },
  ];
  const message = (given: string) => {
    try {
      pickByIdOrName(given, items, 'secret', 'dev/env');
    } catch (err) {
      expect(err).toBeInstanceOf(CliError);
      return (err as Error).message;
    }
    throw new Error(`${given} was resolved`);
  };

  it('takes an id, else a name held once', () => {
    expect(pickByIdOrName('bbbbbbbbbbbbbbbbbbbbbbbb', items, 'secret', 'dev/env').name).toBe('JUDGE_API_KEY');
    expect(pickByIdOrName('JUDGE_KEY', items, 'secret', 'dev/env').id).toBe('aaaaaaaaaaaaaaaaaaaaaaaa');
  });

  it('refuses a name held twice, listing each with its id', () => {
    expect(message('LOG_LEVEL')).toBe(
      "'LOG_LEVEL' names 2 secrets in dev/env: LOG_LEVEL (cccccccccccccccccccccccc), LOG_LEVEL (dddddddddddddddddddddddd). Pass the id of the one you mean.",
    );
  });

  it('refuses an unknown name, with the near matches: case, a typo, a swap, a part', () => {
    const near = (...names: string[]) => names.join(', ');
    expect(message('judge_key')).toBe(
      `No secret named or with id 'judge_key' in dev/env. Near matches: ${near('JUDGE_KEY (aaaaaaaaaaaaaaaaaaaaaaaa)')}.`,
    );
    expect(message('JUDEG_KEY')).toContain('Near matches: JUDGE_KEY (aaaaaaaaaaaaaaaaaaaaaaaa).');
    expect(message('JUDGE')).toContain(
      'Near matches: JUDGE_KEY (aaaaaaaaaaaaaaaaaaaaaaaa), JUDGE_API_KEY (bbbbbbbbbbbbbbbbbbbbbbbb).',
    );
    expect(message('WANDB_TOKEN')).toBe("No secret named or with id 'WANDB_TOKEN' in dev/env.");
  });
});

describe('sourceWord', () => {
  it("words a source as the console does; JSON keeps the wire's", () => {
    expect([sourceWord('environment'), sourceWord('global-linked'), sourceWord('variable')]).toEqual([
      'Direct secret',
      'Linked global secret',
      'Variable',
    ]);
  });
});
