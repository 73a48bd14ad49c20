import { randomBytes, randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../shared/config.js';
import { DataKeys } from '../../shared/crypto/data-keys.js';
import { open, seal } from '../../shared/crypto/envelope.js';
import type { DataKeyContext, GeneratedDataKey, KeyProvider } from '../../shared/crypto/key-provider.js';
import { LocalKeyProvider } from '../../shared/crypto/local-key-provider.js';
import { createDb, type Db } from '../../shared/storage/client.js';
import type { OwnerKey } from '../../shared/owner-key.js';
import { createTestTable } from '../support/table.js';

/** Resolves every arrival once `size` callers have arrived. */
function barrier(size: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  return () => {
    if (++arrived >= size) release();
    return gate;
  };
}

/** A real local provider, counting its calls; each generate may first wait at a barrier. */
class CountingProvider implements KeyProvider {
  readonly name = 'local' as const;
  generated = 0;
  decrypted = 0;
  beforeGenerate: (() => Promise<void>) | undefined;

  constructor(readonly inner: LocalKeyProvider) {}

  async generateDataKey(context: DataKeyContext): Promise<GeneratedDataKey> {
    this.generated++;
    await this.beforeGenerate?.();
    return this.inner.generateDataKey(context);
  }

  async decryptDataKey(wrapped: Uint8Array, context: DataKeyContext): Promise<Buffer> {
    this.decrypted++;
    return this.inner.decryptDataKey(wrapped, context);
  }
  check(): Promise<void> {
    return this.inner.check();
  }
}

let db: Db;
const master = randomBytes(32);
const newProvider = () => new CountingProvider(new LocalKeyProvider(master));
const newOwner = (): OwnerKey => `U#${randomUUID().replaceAll('-', '')}`;
const TTL = 60_000;

async function dekItems(owner: OwnerKey) {
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :dek)',
      ExpressionAttributeValues: { ':pk': `OWNER#${owner}`, ':dek': 'DEK#' },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

beforeAll(async () => {
  const { endpoint, tableName } = await createTestTable();
  db = createDb(readConfig({ TABLE_NAME: tableName, DYNAMODB_ENDPOINT: endpoint }));
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('DataKeys over DynamoDB Local', () => {
  it('creates version 1 once when two instances race on the first write', async () => {
    const owner = newOwner();
    const providerA = newProvider();
    const providerB = newProvider();
    // Both instances must get past "no key yet" before either writes: the conditional put decides.
    const bothFoundNoKey = barrier(2);
    providerA.beforeGenerate = bothFoundNoKey;
    providerB.beforeGenerate = bothFoundNoKey;
    const a = new DataKeys(db, providerA, TTL);
    const b = new DataKeys(db, providerB, TTL);

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).current(owner)));

    expect(providerA.generated + providerB.generated).toBe(2); // one per instance: single flight within each
    expect(results.every((r) => r.version === 1)).toBe(true);
    const first = results[0]!.key;
    expect(first.length).toBe(32);
    expect(results.every((r) => r.key.equals(first))).toBe(true);
    // The loser re-read the winner's item and unwrapped it: one decrypt in all.
    expect(providerA.decrypted + providerB.decrypted).toBe(1);

    const items = await dekItems(owner);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ sk: 'DEK#000001', version: 1, provider: 'local' });
    const unwrapped = await new LocalKeyProvider(master).decryptDataKey(items[0]!.wrapped, {
      owner,
      purpose: 'secrets-dek',
    });
    expect(unwrapped.equals(first)).toBe(true);
  });

  it('stores the data key wrapped, never in plaintext', async () => {
    const owner = newOwner();
    const { key } = await new DataKeys(db, newProvider(), TTL).current(owner);
    const [item] = await dekItems(owner);
    const stored = Buffer.from(JSON.stringify(item));
    expect(stored.includes(key.toString('base64'))).toBe(false);
    expect(stored.includes(key.toString('hex'))).toBe(false);
    expect(Buffer.from(item!.wrapped).includes(key)).toBe(false);
  });

  it('makes one decrypt for 100 concurrent reads of a version on a cold cache', async () => {
    const owner = newOwner();
    const { key } = await new DataKeys(db, newProvider(), TTL).current(owner);
    const provider = newProvider();
    const cold = new DataKeys(db, provider, TTL);
    expect(cold.isCached(owner, 1)).toBe(false);

    const keys = await Promise.all(Array.from({ length: 100 }, () => cold.version(owner, 1)));
    expect(provider.decrypted).toBe(1);
    expect(keys.every((k) => k.equals(key))).toBe(true);
    expect(cold.isCached(owner, 1)).toBe(true);

    // Warm: no further provider calls, for version() and current() alike.
    await cold.version(owner, 1);
    expect((await cold.current(owner)).key.equals(key)).toBe(true);
    expect(provider.decrypted).toBe(1);
    expect(provider.generated).toBe(0);
  });

  it('forgets a key after its time to live and fetches it again', async () => {
    const owner = newOwner();
    await new DataKeys(db, newProvider(), TTL).current(owner);
    const provider = newProvider();
    const dataKeys = new DataKeys(db, provider, TTL);
    const start = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(start);

    const first = await dataKeys.version(owner, 1);
    await dataKeys.version(owner, 1);
    expect(provider.decrypted).toBe(1);

    clock.mockReturnValue(start + TTL - 1);
    await dataKeys.version(owner, 1);
    expect(provider.decrypted).toBe(1);

    clock.mockReturnValue(start + TTL + 1);
    expect(dataKeys.isCached(owner, 1)).toBe(false);
    const again = await dataKeys.version(owner, 1);
    expect(provider.decrypted).toBe(2);
    expect(again.equals(first)).toBe(true);
  });

  it('rotates: version 2 becomes current, version 1 stays readable', async () => {
    const owner = newOwner();
    const provider = newProvider();
    const dataKeys = new DataKeys(db, provider, TTL);
    const v1 = await dataKeys.current(owner);
    expect(v1.version).toBe(1);
    const sealedUnderV1 = seal(v1.key, Buffer.from('old value'), 'aad');

    const v2 = await dataKeys.rotate(owner);
    expect(v2.version).toBe(2);
    expect(v2.key.equals(v1.key)).toBe(false);
    const current = await dataKeys.current(owner);
    expect(current.version).toBe(2);
    expect(current.key.equals(v2.key)).toBe(true);
    expect(open(await dataKeys.version(owner, 1), sealedUnderV1, 'aad').toString()).toBe('old value');

    expect((await dekItems(owner)).map((i) => i.sk)).toEqual(['DEK#000001', 'DEK#000002']);

    // Another instance (another Lambda container) sees the same: newest is 2, 1 still opens.
    const fresh = new DataKeys(db, newProvider(), TTL);
    const seen = await fresh.current(owner);
    expect(seen.version).toBe(2);
    expect(seen.key.equals(v2.key)).toBe(true);
    expect(open(await fresh.version(owner, 1), sealedUnderV1, 'aad').toString()).toBe('old value');

    // A rotation from an instance whose cache still says version 2 goes on to 3.
    const v3 = await fresh.rotate(owner);
    expect(v3.version).toBe(3);
    expect((await dekItems(owner)).map((i) => i.sk)).toEqual(['DEK#000001', 'DEK#000002', 'DEK#000003']);
  });

  it('fails to read a version that does not exist, without caching the failure', async () => {
    const owner = newOwner();
    const dataKeys = new DataKeys(db, newProvider(), TTL);
    await expect(dataKeys.version(owner, 1)).rejects.toThrow('data key version 1 is missing');
    expect(dataKeys.isCached(owner, 1)).toBe(false);
    const { key } = await dataKeys.current(owner);
    expect((await dataKeys.version(owner, 1)).equals(key)).toBe(true);
  });

  it('refuses a stored key under another master key', async () => {
    const owner = newOwner();
    await new DataKeys(db, newProvider(), TTL).current(owner);
    const stranger = new DataKeys(db, new LocalKeyProvider(randomBytes(32)), TTL);
    await expect(stranger.version(owner, 1)).rejects.toMatchObject({ name: 'SealBrokenError' });
    await expect(stranger.current(owner)).rejects.toMatchObject({ name: 'SealBrokenError' });
    expect(await dekItems(owner)).toHaveLength(1); // and it did not write a key of its own
  });
});
