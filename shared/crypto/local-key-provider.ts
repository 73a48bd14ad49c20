import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { open, seal } from './envelope.js';
import type { DataKeyContext, GeneratedDataKey, KeyProvider } from './key-provider.js';

const MASTER_KEY_BYTES = 32;

/**
 * For development and tests: data keys wrapped with AES-256-GCM under a master key kept in
 * a file (mode 0600), with the encryption context as AAD, so a key presented under another
 * owner's context fails exactly where KMS would.
 */
export class LocalKeyProvider implements KeyProvider {
  readonly name = 'local' as const;

  private key: Buffer | undefined;

  /** A master key given directly, or a function reading it on first use. */
  constructor(private readonly source: Buffer | (() => Buffer)) {}

  /** The master key in a file, created (mode 0600, never overwritten) when first needed. */
  static fromFile(path: string): LocalKeyProvider {
    return new LocalKeyProvider(() => readOrCreateMasterKey(path));
  }

  private get masterKey(): Buffer {
    this.key ??= typeof this.source === 'function' ? this.source() : this.source;
    if (this.key.length !== MASTER_KEY_BYTES) throw new Error('the local master key must be 32 bytes');
    return this.key;
  }

  async generateDataKey(context: DataKeyContext): Promise<GeneratedDataKey> {
    const plaintext = randomBytes(32);
    return { plaintext, wrapped: seal(this.masterKey, plaintext, contextAad(context)) };
  }

  async decryptDataKey(wrapped: Uint8Array, context: DataKeyContext): Promise<Buffer> {
    return open(this.masterKey, wrapped, contextAad(context), 'data key');
  }

  /** The master key is readable and wraps and unwraps (GCM checks the round trip): random bytes, kept nowhere. */
  async check(): Promise<void> {
    const aad = contextAad({ owner: 'health-check', purpose: 'secrets-dek' });
    open(this.masterKey, seal(this.masterKey, randomBytes(32), aad), aad, 'health check');
  }
}

function readOrCreateMasterKey(path: string): Buffer {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Written whole under a private name, then linked into place: a process starting at the
  // same moment sees either no key file or a complete one, and never overwrites it.
  const pending = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(pending, `${randomBytes(MASTER_KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(pending, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(pending);
  }
  return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
}

/** Canonical form of an encryption context: keys sorted, as KMS treats it (order-free). */
function contextAad(context: DataKeyContext): string {
  return JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b)));
}
