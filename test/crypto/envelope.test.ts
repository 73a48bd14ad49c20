import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal, SealBrokenError } from '../../shared/crypto/envelope.js';

const key = randomBytes(32);
const AAD = 'prime-secrets/v1|U#owner|environment|env1|entry1|dek1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (s: string) => Buffer.from(s, 'utf8');

function expectBroken(fn: () => unknown, what = 'value') {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(SealBrokenError);
  expect((caught as Error).message).toBe(`${what} failed to open`);
  return caught as SealBrokenError;
}

describe('seal and open', () => {
  it('round-trips an empty plaintext', () => {
    const sealed = seal(key, Buffer.alloc(0), AAD);
    expect(sealed.length).toBe(NONCE_BYTES + TAG_BYTES);
    expect(open(key, sealed, AAD).length).toBe(0);
  });

  it('round-trips unicode text byte for byte', () => {
    const text = 'sk-тест-🔑-秘密-ñ\u200d\ud83d\udc69\u200d\ud83d\udcbb-\t\n"quoted"';
    const sealed = seal(key, utf8(text), AAD);
    expect(sealed.length).toBe(NONCE_BYTES + utf8(text).length + TAG_BYTES);
    expect(open(key, sealed, AAD).toString('utf8')).toBe(text);
  });

  it('round-trips 64 KiB of random bytes', () => {
    const plaintext = randomBytes(64 * 1024);
    const sealed = seal(key, plaintext, AAD);
    expect(sealed.length).toBe(NONCE_BYTES + plaintext.length + TAG_BYTES);
    expect(Buffer.compare(open(key, sealed, AAD), plaintext)).toBe(0);
  });

  it('does not carry the plaintext in the sealed bytes', () => {
    const plaintext = utf8(`sk-test-${randomBytes(12).toString('hex')}`);
    const sealed = Buffer.from(seal(key, plaintext, AAD));
    expect(sealed.includes(plaintext)).toBe(false);
  });

  it('uses a random nonce: two seals of one plaintext differ', () => {
    const plaintext = utf8('the same value');
    const a = Buffer.from(seal(key, plaintext, AAD));
    const b = Buffer.from(seal(key, plaintext, AAD));
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(0, NONCE_BYTES).equals(b.subarray(0, NONCE_BYTES))).toBe(false);
    expect(open(key, a, AAD).toString()).toBe('the same value');
    expect(open(key, b, AAD).toString()).toBe('the same value');
  });

  it('opens a sealed value that sits inside a larger buffer (a view with an offset)', () => {
    const sealed = seal(key, utf8('inside'), AAD);
    const backing = Buffer.concat([randomBytes(7), sealed, randomBytes(9)]);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 7, sealed.length);
    expect(open(key, view, AAD).toString()).toBe('inside');
  });
});

describe('a seal that must not open', () => {
  const plaintext = utf8('sk-test-do-not-leak');
  const sealed = Buffer.from(seal(key, plaintext, AAD));

  it('under another key', () => {
    expectBroken(() => open(randomBytes(32), sealed, AAD));
  });

  it('with another AAD (another place), however close', () => {
    expectBroken(() => open(key, sealed, AAD.replace('entry1', 'entry2')));
    expectBroken(() => open(key, sealed, AAD.replace('dek1', 'dek2')));
    expectBroken(() => open(key, sealed, `${AAD} `));
    expectBroken(() => open(key, sealed, ''));
  });

  it('with any one byte flipped: nonce, ciphertext or tag', () => {
    const positions = [0, NONCE_BYTES - 1, NONCE_BYTES, NONCE_BYTES + 5, sealed.length - TAG_BYTES, sealed.length - 1];
    for (const position of positions) {
      const tampered = Buffer.from(sealed);
      tampered[position]! ^= 0x01;
      expectBroken(() => open(key, tampered, AAD));
    }
  });

  it('truncated, appended to, or too short to hold a nonce and a tag', () => {
    expectBroken(() => open(key, sealed.subarray(0, sealed.length - 1), AAD));
    expectBroken(() => open(key, sealed.subarray(1), AAD));
    expectBroken(() => open(key, Buffer.concat([sealed, Buffer.from([0])]), AAD));
    expectBroken(() => open(key, sealed.subarray(0, NONCE_BYTES + TAG_BYTES - 1), AAD));
    expectBroken(() => open(key, new Uint8Array(0), AAD));
  });

  it('names what failed and never carries the plaintext or the key', () => {
    const err = expectBroken(() => open(randomBytes(32), sealed, AAD, 'data key'), 'data key');
    expect(err.name).toBe('SealBrokenError');
    const text = `${err.message} ${err.stack ?? ''}`;
    expect(text).not.toContain('sk-test-do-not-leak');
    expect(text).not.toContain(key.toString('base64'));
    expect(text).not.toContain(key.toString('hex'));
  });
});
