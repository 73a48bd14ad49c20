import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SealBrokenError } from '../../shared/crypto/envelope.js';
import { dataKeyContext, type DataKeyContext } from '../../shared/crypto/key-provider.js';
import { LocalKeyProvider } from '../../shared/crypto/local-key-provider.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'prime-local-kp-'));
const alice = dataKeyContext('U#alice');
const bob = dataKeyContext('U#bob');

describe('LocalKeyProvider.fromFile', () => {
  it('creates the master key file only when first needed, with mode 0600', async () => {
    const path = join(tempDir(), 'nested', 'dir', 'master.key');
    const provider = LocalKeyProvider.fromFile(path);
    expect(provider.name).toBe('local');
    expect(existsSync(path)).toBe(false); // lazy: constructing reads and writes nothing

    const generated = await provider.generateDataKey(alice);
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const master = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    expect(master.length).toBe(32);

    expect(generated.plaintext.length).toBe(32);
    expect(Buffer.from(generated.wrapped).includes(generated.plaintext)).toBe(false);
    expect((await provider.decryptDataKey(generated.wrapped, alice)).equals(generated.plaintext)).toBe(true);
  });

  it('never overwrites an existing master key file', async () => {
    const path = join(tempDir(), 'master.key');
    const master = randomBytes(32);
    const content = `${master.toString('base64')}\n`;
    writeFileSync(path, content, { mode: 0o600 });

    const fromFile = LocalKeyProvider.fromFile(path);
    const direct = new LocalKeyProvider(master);
    // A key wrapped under the file's key opens with that key given directly, and the other way.
    const a = await fromFile.generateDataKey(alice);
    expect((await direct.decryptDataKey(a.wrapped, alice)).equals(a.plaintext)).toBe(true);
    const b = await direct.generateDataKey(alice);
    expect((await fromFile.decryptDataKey(b.wrapped, alice)).equals(b.plaintext)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(content);
  });

  it('two providers on one path agree on the key', async () => {
    const path = join(tempDir(), 'master.key');
    const first = LocalKeyProvider.fromFile(path);
    const second = LocalKeyProvider.fromFile(path);
    const made = await first.generateDataKey(alice);
    const content = readFileSync(path, 'utf8');
    expect((await second.decryptDataKey(made.wrapped, alice)).equals(made.plaintext)).toBe(true);
    const back = await second.generateDataKey(bob);
    expect((await first.decryptDataKey(back.wrapped, bob)).equals(back.plaintext)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(content); // the second one did not write a new key
    // A third provider started later reads the same file.
    const third = LocalKeyProvider.fromFile(path);
    expect((await third.decryptDataKey(made.wrapped, alice)).equals(made.plaintext)).toBe(true);
  });

  it('refuses a master key file that does not hold 32 bytes', async () => {
    const path = join(tempDir(), 'master.key');
    writeFileSync(path, `${randomBytes(16).toString('base64')}\n`, { mode: 0o600 });
    await expect(LocalKeyProvider.fromFile(path).generateDataKey(alice)).rejects.toThrow(/32 bytes/);
    // and the deep health check says so, as it would of an unusable KMS key
    await expect(LocalKeyProvider.fromFile(path).check()).rejects.toThrow(/32 bytes/);
  });

  it('passes its check with a good master key, creating it if need be, like a first use', async () => {
    const path = join(tempDir(), 'master.key');
    await expect(LocalKeyProvider.fromFile(path).check()).resolves.toBeUndefined();
    expect(existsSync(path)).toBe(true);
  });
});

describe('data keys wrapped by the local provider', () => {
  const provider = new LocalKeyProvider(randomBytes(32));

  it('gives a fresh random key each time', async () => {
    const a = await provider.generateDataKey(alice);
    const b = await provider.generateDataKey(alice);
    expect(a.plaintext.equals(b.plaintext)).toBe(false);
    expect(Buffer.from(a.wrapped).equals(Buffer.from(b.wrapped))).toBe(false);
  });

  it('open only under the same encryption context', async () => {
    const made = await provider.generateDataKey(alice);
    expect((await provider.decryptDataKey(made.wrapped, dataKeyContext('U#alice'))).equals(made.plaintext)).toBe(true);
    await expect(provider.decryptDataKey(made.wrapped, bob)).rejects.toBeInstanceOf(SealBrokenError);
    await expect(provider.decryptDataKey(made.wrapped, dataKeyContext('T#alice'))).rejects.toBeInstanceOf(
      SealBrokenError,
    );
    const otherPurpose = { owner: 'U#alice', purpose: 'other' } as unknown as DataKeyContext;
    await expect(provider.decryptDataKey(made.wrapped, otherPurpose)).rejects.toBeInstanceOf(SealBrokenError);
  });

  it('treat the context as order-free, as KMS does', async () => {
    const made = await provider.generateDataKey(alice);
    const reordered = { purpose: 'secrets-dek', owner: 'U#alice' } as DataKeyContext;
    expect((await provider.decryptDataKey(made.wrapped, reordered)).equals(made.plaintext)).toBe(true);
  });

  it('do not open under a different master key', async () => {
    const made = await provider.generateDataKey(alice);
    const other = new LocalKeyProvider(randomBytes(32));
    const err = await other.decryptDataKey(made.wrapped, alice).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SealBrokenError);
    expect((err as Error).message).toBe('data key failed to open');
  });

  it('do not open when tampered or truncated', async () => {
    const made = await provider.generateDataKey(alice);
    const flipped = Buffer.from(made.wrapped);
    flipped[flipped.length - 1]! ^= 0x80;
    await expect(provider.decryptDataKey(flipped, alice)).rejects.toBeInstanceOf(SealBrokenError);
    await expect(provider.decryptDataKey(made.wrapped.subarray(0, 20), alice)).rejects.toBeInstanceOf(SealBrokenError);
  });
});
