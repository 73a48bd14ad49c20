import { describe, expect, it } from 'vitest';
import { parseDotenvImport } from '../../cli/dotenv-import.js';

/** The dotenv reader of `prime … import` (cli/dotenv-import.ts), on its own. */
const parse = (text: string | Uint8Array) =>
  parseDotenvImport(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, '.env');
const values = async (text: string | Uint8Array) =>
  Object.fromEntries((await parse(text)).map((e) => [e.name, e.value]));
const refusal = async (text: string | Uint8Array) => {
  const err = await parse(text).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(err, 'expected a refusal').toBeInstanceOf(Error);
  return err!.message;
};

describe('dotenv import reader', () => {
  it('reads plain, exported, commented and spaced lines, with their line numbers', async () => {
    const text = [
      '# a comment',
      '',
      'PLAIN=value',
      'export EXPORTED=yes',
      'export\tTABBED=tab',
      '  SPACED = padded value   ',
      'COMMENTED=kept # dropped',
      'COLON: form',
      'HASH_IN_QUOTES="a#b" # comment',
      '   # indented comment',
      'URL=https://example.com/a?b=c&d=e',
    ].join('\n');
    expect(await parse(text)).toEqual([
      { name: 'PLAIN', value: 'value', line: 3 },
      { name: 'EXPORTED', value: 'yes', line: 4 },
      { name: 'TABBED', value: 'tab', line: 5 },
      { name: 'SPACED', value: 'padded value', line: 6 },
      { name: 'COMMENTED', value: 'kept', line: 7 },
      { name: 'COLON', value: 'form', line: 8 },
      { name: 'HASH_IN_QUOTES', value: 'a#b', line: 9 },
      { name: 'URL', value: 'https://example.com/a?b=c&d=e', line: 11 },
    ]);
  });

  it('takes single quotes and backticks literally and decodes the escapes of double quotes', async () => {
    const text = [
      'SINGLE=\'a\\nb $HOME "x" # not a comment\'',
      'BACKTICK=`it\'s "both" \\n`',
      'DOUBLE="line1\\nline2\\ttab\\r \\"q\\" back\\\\slash \\x kept $HOME"',
      'DOUBLE_WITH_SINGLE="it\'s"',
      "  SPACE_BEFORE_QUOTE=   'x'  ",
    ].join('\n');
    expect(await values(text)).toEqual({
      SINGLE: 'a\\nb $HOME "x" # not a comment',
      BACKTICK: 'it\'s "both" \\n',
      DOUBLE: 'line1\nline2\ttab\r "q" back\\slash \\x kept $HOME',
      DOUBLE_WITH_SINGLE: "it's",
      SPACE_BEFORE_QUOTE: 'x',
    });
  });

  it('reads multi-line quoted values and counts their lines', async () => {
    const text = 'KEY="-----BEGIN KEY-----\nabc\n-----END KEY-----"\nSINGLE=\'a\nb\'\nAFTER=1\n';
    expect(await parse(text)).toEqual([
      { name: 'KEY', value: '-----BEGIN KEY-----\nabc\n-----END KEY-----', line: 1 },
      { name: 'SINGLE', value: 'a\nb', line: 4 },
      { name: 'AFTER', value: '1', line: 6 },
    ]);
  });

  it('reads CRLF line ends and a UTF-8 byte order mark', async () => {
    const crlf = 'A=1\r\nB="two\r\nlines"\r\n# c\r\nC=\'3\'\r\n';
    expect(await parse(crlf)).toEqual([
      { name: 'A', value: '1', line: 1 },
      { name: 'B', value: 'two\nlines', line: 2 },
      { name: 'C', value: '3', line: 5 },
    ]);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('FIRST=x\nÜNICODE_VALUE=ünï\n')]);
    expect(await refusal(bom)).toContain("line 2: invalid name 'ÜNICODE_VALUE'");
    expect(await values(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('FIRST=ünï\n')]))).toEqual({
      FIRST: 'ünï',
    });
  });

  it('refuses a name twice, naming both lines', async () => {
    const message = await refusal('A=1\nB=2\n\nA=3\n');
    expect(message).toBe('.env: line 4: A is set again (first on line 1); keep one of them. Nothing was imported.');
  });

  it('refuses names that break the rule, empty values and NUL characters, each with its line, never a value', async () => {
    const text = 'lower=secret-1\nGOOD=x\nWITH.DOT=secret-2\n1DIGIT=secret-3\nEMPTY=\nNUL="a\u0000secret-4"\n';
    const message = await refusal(text);
    expect(message).toBe(
      ".env: line 1: invalid name 'lower': must start with an uppercase letter and contain only uppercase letters, " +
        "digits and underscores; line 3: invalid name 'WITH.DOT': must start with an uppercase letter and contain " +
        "only uppercase letters, digits and underscores; line 4: invalid name '1DIGIT': must start with an " +
        'uppercase letter and contain only uppercase letters, digits and underscores; line 5: EMPTY has an empty ' +
        "value (the service stores none); line 6: NUL's value holds a NUL character. Nothing was imported.",
    );
    expect(message).not.toMatch(/secret-\d/);
    expect(await refusal(`BIG=${'x'.repeat(65_537)}`)).toContain("line 1: BIG's value is over 65536 bytes");
    expect(await values(`BIG=${'x'.repeat(65_536)}`)).toHaveProperty('BIG');
  });

  it('refuses what dotenv would guess at or skip', async () => {
    expect(await refusal('A=1\nnot an assignment\n')).toBe('.env: line 2: expected = after not. Nothing was imported.');
    expect(await refusal('A=1\n=2\n')).toBe('.env: line 2: expected NAME=value. Nothing was imported.');
    expect(await refusal('A=1\nB="open\nC=3\n')).toBe(
      '.env: line 2: B: the " quote is never closed. Nothing was imported.',
    );
    expect(await refusal("A='x' trailing\n")).toBe(
      ".env: line 1: unexpected text after the closing ' quote. Nothing was imported.",
    );
    expect(await refusal('PASS=abc#def\n')).toContain('line 1: PASS: an unquoted value with a # not after a space');
    expect(await refusal('PASS=#abc\n')).toContain('line 1: PASS: an unquoted value with a #');
    expect(await refusal('EMPTY= # just a comment\n')).toContain('line 1: EMPTY has an empty value');
    expect(await refusal(Buffer.from([0x41, 0x3d, 0xff, 0x0a]))).toBe('.env is not UTF-8 text: nothing was imported.');
  });

  it('lists at most ten problems', async () => {
    const text = Array.from({ length: 13 }, (_, i) => `bad${i}=x`).join('\n');
    expect(await refusal(text)).toMatch(/line 10: invalid name 'bad9'.*; and 3 more\. Nothing was imported\.$/);
  });
});
