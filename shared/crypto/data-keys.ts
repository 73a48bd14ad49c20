import { createDataKey, readDataKey, readNewestDataKey, type DataKeyRecord } from '../data/data-keys.js';
import type { OwnerKey } from '../owner-key.js';
import type { Db } from '../storage/client.js';
import { now } from '../ids.js';
import { SingleFlightCache } from '../cache.js';
import { METRICS } from '../metric-catalog.js';
import type { RequestMetrics } from '../metrics.js';
import { dataKeyContext, type KeyProvider } from './key-provider.js';

export interface DataKey {
  version: number;
  key: Buffer;
}

/**
 * Per-owner, versioned data keys (DEKs). Writes seal under the newest version; every
 * version stays readable. Plaintext keys live only in the cache, in memory. With `metrics`,
 * every look-up of a plaintext key counts as a cache hit or miss, and every call of the key
 * provider as a KMS call (and its failure or throttle).
 */
export class DataKeys {
  private readonly plain: SingleFlightCache<Buffer>;
  private readonly newest: SingleFlightCache<DataKey>;

  constructor(
    private readonly db: Db,
    readonly provider: KeyProvider,
    ttlMs: number,
    private readonly metrics?: RequestMetrics,
  ) {
    this.plain = new SingleFlightCache({
      ttlMs,
      maxEntries: 1_000,
      onLookup: metrics && ((hit) => metrics.count(hit ? METRICS.dataKeyCacheHits : METRICS.dataKeyCacheMisses)),
    });
    this.newest = new SingleFlightCache({ ttlMs, maxEntries: 1_000 });
  }

  /** The key new values of this owner are sealed with; created (version 1) on first use. */
  current(owner: OwnerKey): Promise<DataKey> {
    return this.newest.get(owner, () => this.loadNewest(owner));
  }

  /** A given version, from the cache or by reading and unwrapping its item. */
  version(owner: OwnerKey, version: number): Promise<Buffer> {
    return this.plain.get(cacheKey(owner, version), async () => {
      const stored = await readDataKey(this.db, owner, version);
      if (!stored) throw new Error(`data key version ${version} is missing`);
      return this.unwrap(owner, stored.wrapped);
    });
  }

  /** Whether a version is already in memory, so a read can skip fetching its item. */
  isCached(owner: OwnerKey, version: number): boolean {
    return this.plain.has(cacheKey(owner, version));
  }

  /** Unwraps an item the caller already read (the runtime read batches it with the entries). */
  fromItem(owner: OwnerKey, item: DataKeyRecord): Promise<Buffer> {
    return this.plain.get(cacheKey(owner, item.version), () => this.unwrap(owner, item.wrapped));
  }

  /** Makes the next version the one new writes use; earlier versions stay readable. */
  async rotate(owner: OwnerKey): Promise<DataKey> {
    for (;;) {
      const { version } = await this.loadNewest(owner);
      const next = await this.create(owner, version + 1);
      if (next) {
        this.newest.set(owner, Promise.resolve(next));
        return next;
      }
    }
  }

  /** Forgets which version is the owner's newest (a write found that another process rotated it). */
  forgetNewest(owner: OwnerKey): void {
    this.newest.delete(owner);
  }

  /** Forgets every plaintext key (tests use it to measure cold reads). */
  clear(): void {
    this.plain.clear();
    this.newest.clear();
  }

  private async loadNewest(owner: OwnerKey): Promise<DataKey> {
    for (;;) {
      const newest = await readNewestDataKey(this.db, owner);
      if (newest) return { version: newest.version, key: await this.fromItem(owner, newest) };
      const created = await this.create(owner, 1);
      if (created) return created;
      // Another request created version 1 first: read theirs.
    }
  }

  private unwrap(owner: OwnerKey, wrapped: Uint8Array): Promise<Buffer> {
    return this.callProvider(() => this.provider.decryptDataKey(wrapped, dataKeyContext(owner)));
  }

  private callProvider<T>(call: () => Promise<T>): Promise<T> {
    if (!this.metrics) return call();
    this.metrics.count(METRICS.kmsCalls);
    return this.metrics.failuresOf('kms', call());
  }

  /** Creates a version with a conditional put; undefined when another writer won the race. */
  private async create(owner: OwnerKey, version: number): Promise<DataKey | undefined> {
    const generated = await this.callProvider(() => this.provider.generateDataKey(dataKeyContext(owner)));
    const created = await createDataKey(this.db, owner, {
      version,
      wrapped: generated.wrapped,
      provider: this.provider.name,
      createdAt: now(),
    });
    if (!created) return undefined;
    this.plain.set(cacheKey(owner, version), Promise.resolve(generated.plaintext));
    return { version, key: generated.plaintext };
  }
}

const cacheKey = (owner: OwnerKey, version: number) => `${owner}#${version}`;
