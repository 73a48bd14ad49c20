import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Masker, maskChunks, maskNeedles, MaskScanner, type Needle } from '../../cli/mask.js';
import type { RuntimeSet } from '../../cli/api.js';

const needle = (name: string, text: string | Buffer): Needle => ({
  name,
  bytes: typeof text === 'string' ? Buffer.from(text, 'utf8') : text,
});
const mask = (needles: Needle[], ...chunks: (string | Buffer)[]) => maskChunks(needles, chunks).toString('utf8');

/** Every way to cut `bytes` in two. */
const cuts = (bytes: Buffer) =>
  Array.from({ length: bytes.length + 1 }, (_, i) => [bytes.subarray(0, i), bytes.subarray(i)]);

describe('maskNeedles', () => {
  const set = {
    env: {
      API_TOKEN: 'p@ss word/é"x\\',
      LINKED: 'linked-secret-value',
      SHORT: 'abc',
      EMPTY: '',
      LOG_LEVEL: 'variable-value-long',
      UNSOURCED: 'no-source-given',
      CERT_TEXT: Buffer.from('-----BEGIN KEY-----\nabc\n').toString('base64'),
      CERT_BIN: Buffer.from([0, 1, 2, 255, 10, 13]).toString('base64'),
    },
    sources: {
      API_TOKEN: 'environment',
      LINKED: 'global-linked',
      SHORT: 'environment',
      EMPTY: 'environment',
      LOG_LEVEL: 'variable',
      CERT_TEXT: 'environment',
      CERT_BIN: 'environment',
    } as RuntimeSet['sources'],
    files: ['CERT_TEXT', 'CERT_BIN'],
  };
  const { needles, tooShort } = maskNeedles(set);
  const formsOf = (name: string) => needles.filter((n) => n.name === name).map((n) => n.bytes.toString('utf8'));

  it('masks secrets (environment, global-linked, unknown source) and not variables; names short ones', () => {
    expect(new Set(needles.map((n) => n.name))).toEqual(
      new Set(['API_TOKEN', 'LINKED', 'UNSOURCED', 'CERT_TEXT', 'CERT_BIN']),
    );
    expect(tooShort).toEqual(['SHORT']);
  });

  it('takes the value, its base64 (padded and not), URL-encoded and JSON-escaped forms, each once', () => {
    const value = set.env.API_TOKEN;
    const base64 = Buffer.from(value).toString('base64');
    expect(formsOf('API_TOKEN').sort()).toEqual(
      [
        ...new Set([
          value,
          base64,
          base64.replace(/=+$/, ''),
          encodeURIComponent(value),
          JSON.stringify(value).slice(1, -1),
        ]),
      ].sort(),
    );
    const padded = 'padded-value!';
    expect(maskNeedles({ env: { P: padded }, sources: {}, files: [] }).needles.map((n) => n.bytes.toString())).toEqual(
      expect.arrayContaining([
        Buffer.from(padded).toString('base64'),
        Buffer.from(padded).toString('base64').replace(/=+$/, ''),
      ]),
    );
    // A value with nothing to encode: its URL and JSON forms are itself.
    expect(formsOf('LINKED').sort()).toEqual(
      ['linked-secret-value', 'bGlua2VkLXNlY3JldC12YWx1ZQ==', 'bGlua2VkLXNlY3JldC12YWx1ZQ'].sort(),
    );
  });

  it('masks a file secret as given (base64) and, when printable, its text', () => {
    const text = '-----BEGIN KEY-----\nabc\n';
    expect(formsOf('CERT_TEXT')).toEqual(
      expect.arrayContaining([set.env.CERT_TEXT, text, encodeURIComponent(text), JSON.stringify(text).slice(1, -1)]),
    );
    // Binary: only the base64 (6 bytes: no padding to drop).
    expect(formsOf('CERT_BIN')).toEqual([set.env.CERT_BIN]);
  });

  it('counts characters, not bytes, against the minimum length', () => {
    const plan = maskNeedles({ env: { A: 'ééééé', B: 'éééééé' }, sources: {}, files: [] });
    expect(plan.tooShort).toEqual(['A']);
    expect(plan.needles.some((n) => n.name === 'B')).toBe(true);
  });
});

describe('MaskScanner', () => {
  const value = 'hunter2-secret';

  it('masks a value split at every byte position, and across many one-byte writes', () => {
    const needles = [needle('PW', value)];
    for (const [a, b] of cuts(Buffer.from(`before ${value} after`))) {
      expect(mask(needles, a as Buffer, b as Buffer)).toBe('before ***PW*** after');
    }
    const bytes = Buffer.from(`x${value}${value}y`);
    expect(mask(needles, ...Array.from(bytes, (byte) => Buffer.from([byte])))).toBe('x***PW******PW***y');
  });

  it('splits a multi-byte UTF-8 value inside its characters', () => {
    const secret = 'clé-secrète-€-𝄞';
    const needles = [needle('K', secret)];
    for (const [a, b] of cuts(Buffer.from(`«${secret}»`))) {
      expect(mask(needles, a as Buffer, b as Buffer)).toBe('«***K***»');
    }
  });

  it('masks the encoded forms of maskNeedles, also split', () => {
    const secret = 'p@ss word/é"x\\';
    const { needles } = maskNeedles({ env: { TOKEN: secret }, sources: { TOKEN: 'environment' }, files: [] });
    const encoded = [
      Buffer.from(secret).toString('base64'),
      encodeURIComponent(secret),
      JSON.stringify({ secret }),
      `Authorization: ${Buffer.from(secret).toString('base64')}\n`,
    ];
    const text = encoded.join(' | ');
    const expected = '***TOKEN*** | ***TOKEN*** | {"secret":"***TOKEN***"} | Authorization: ***TOKEN***\n';
    expect(mask(needles, text)).toBe(expected);
    for (const [a, b] of cuts(Buffer.from(text))) expect(mask(needles, a as Buffer, b as Buffer)).toBe(expected);
  });

  it('prefers the longest needle where needles overlap, also when the longer one is still arriving', () => {
    const needles = [needle('A', 'abcdef'), needle('B', 'abcdefgh'), needle('C', 'defghijk')];
    expect(mask(needles, 'abcdefgh')).toBe('***B***');
    expect(mask(needles, 'abcdefg!')).toBe('***A***g!');
    expect(mask(needles, 'abcdef')).toBe('***A***');
    expect(mask(needles, 'abc', 'def', 'gh')).toBe('***B***');
    expect(mask(needles, 'abcdef', 'X')).toBe('***A***X');
    // Leftmost first: C starting inside A's match is not looked for again.
    expect(mask(needles, 'abcdefghijk')).toBe('***B***ijk');
    expect(mask(needles, 'xxdefghijk')).toBe('xx***C***');
  });

  it('holds back only what may start a needle, at most the longest needle less one byte', () => {
    const scanner = new MaskScanner([needle('PW', value), needle('LONG', 'z'.repeat(40))]);
    expect(scanner.write('Password: ').toString()).toBe('Password: ');
    expect(scanner.holding).toBe(0);
    expect(scanner.write('ok hunt').toString()).toBe('ok ');
    expect(scanner.holding).toBe(4);
    expect(scanner.write('ing').toString()).toBe('hunting');
    expect(scanner.write('z'.repeat(100)).toString()).toBe('***LONG******LONG***');
    expect(scanner.holding).toBe(20);
    expect(scanner.write('z'.repeat(19)).toString()).toBe('');
    expect(scanner.holding).toBe(39);
    expect(scanner.end().toString()).toBe('z'.repeat(39));
  });

  it('leaves text without needles, binary output and an empty needle list alone', () => {
    const binary = Buffer.from([0, 255, 254, 10, 0x68, 0x75]);
    expect(maskChunks([needle('PW', value)], [binary, 'hun'])).toEqual(Buffer.concat([binary, Buffer.from('hun')]));
    expect(mask([], 'anything hunter2-secret')).toBe('anything hunter2-secret');
  });

  it('does not mask values under 6 characters', () => {
    const { needles, tooShort } = maskNeedles({
      env: { PIN: '12345', LONGER: '123456' },
      sources: { PIN: 'environment', LONGER: 'environment' },
      files: [],
    });
    expect(tooShort).toEqual(['PIN']);
    expect(mask(needles, 'pin 12345, code 123456')).toBe('pin 12345, code ***LONGER***');
  });
});

describe('Masker', () => {
  it('is a Transform that masks across the chunks it is given and flushes the held end', async () => {
    const chunks = ['token=hun', 'ter2-sec', 'ret; tail hunt'];
    const masked: Buffer[] = [];
    for await (const part of Readable.from(chunks).pipe(new Masker([needle('PW', 'hunter2-secret')]))) {
      masked.push(part as Buffer);
    }
    expect(Buffer.concat(masked).toString()).toBe('token=***PW***; tail hunt');
  });
});
