import { LruCache } from '../cache.js';
import { readPartition, type Partition } from '../data/entries.js';
import type { GlobalSecretRecord } from '../data/global-secrets.js';
import { readOwnerRevision, readRevision } from '../data/revisions.js';
import type { OwnerKey } from '../owner-key.js';
import type { Db } from '../storage/client.js';

/**
 * Copies a container keeps of each kind (partitions, owners' linked secrets), the most bytes of
 * values one may hold, and all those of a kind together: whatever the traffic, the copies take at
 * most 64 MB of the function's 512 (README, Performance: what a container holds).
 */
const KEPT_COPIES = 32;
const KEPT_BYTES = 4 * 1024 * 1024;
export const KEPT_TOTAL_BYTES = 32 * 1024 * 1024;
/** A kept partition is read again after this long whatever its revision says (an edit outside the service). */
const KEPT_FOR_MS = 5 * 60_000;
const KEEPING = { maxEntries: KEPT_COPIES, ttlMs: KEPT_FOR_MS, maxEntryWeight: KEPT_BYTES };

/** A partition as a runtime read has it, with the revision of its owner's secrets read beside it (when the partition was kept). */
export type KeptPartition = Partition & { ownerRevision: number | undefined };

/**
 * The partitions of environments this container read, and the linked global secrets of their
 * owners (sealed values only: nothing here is ever opened), each with the revision read before
 * it. A runtime read checks the environment's revision, and its owner's, with two small
 * consistent GetItems side by side instead of querying the partition again and batch-reading
 * every linked secret: a job start of an environment of 500 entries costs 2 read units instead
 * of hundreds. Every write of the partition, or of a global secret, bumps the revision in its own
 * transaction (shared/data/revisions.ts), so a copy is current exactly while it matches; it was
 * tagged with the revision read before it was read, so it is never tagged newer than it is.
 */
export class EnvironmentPartitions {
  private readonly kept: LruCache<Partition>;
  private readonly secrets: LruCache<KeptSecrets>;

  /** `totalBytes`: what the copies of each kind may hold together (a test's smaller bound). */
  constructor(
    private readonly db: Db,
    { totalBytes = KEPT_TOTAL_BYTES }: { totalBytes?: number } = {},
  ) {
    this.kept = new LruCache({ ...KEEPING, maxWeight: totalBytes, weigh: valueBytes });
    this.secrets = new LruCache({ ...KEEPING, maxWeight: totalBytes, weigh: secretBytes });
  }

  async read(envId: string): Promise<KeptPartition> {
    const kept = this.kept.get(envId);
    if (kept?.environment) {
      const [revision, ownerRevision] = await Promise.all([
        readRevision(this.db, envId),
        readOwnerRevision(this.db, kept.environment.ownerKey),
      ]);
      if (revision === kept.revision) return { ...kept, ownerRevision };
    }
    const partition = await readPartition(this.db, envId);
    // Kept unless over the bytes one copy may hold (the cache's weight bound).
    if (partition.environment && partition.revision !== undefined) this.kept.set(envId, partition);
    else this.kept.delete(envId);
    return { ...partition, ownerRevision: undefined };
  }

  /** Of these linked secrets, those kept at the owner's revision, and the ids to read. */
  linkedSecrets(
    owner: OwnerKey,
    revision: number | undefined,
    ids: string[],
  ): { found: Map<string, GlobalSecretRecord>; missing: string[] } {
    const kept = revision === undefined ? undefined : this.secrets.get(owner);
    const found = new Map<string, GlobalSecretRecord>();
    const missing: string[] = [];
    for (const id of ids) {
      const secret = kept && kept.revision === revision ? kept.byId.get(id) : undefined;
      if (secret) found.set(id, secret);
      else missing.push(id);
    }
    return { found, missing };
  }

  /** Secrets read after the owner's revision was `revision`: kept with it (beside others kept at the same one). */
  keepSecrets(owner: OwnerKey, revision: number | undefined, read: Map<string, GlobalSecretRecord>): void {
    if (revision === undefined || read.size === 0) return;
    const kept = this.secrets.get(owner);
    const next = { revision, byId: new Map(kept?.revision === revision ? kept.byId : []) };
    for (const [id, secret] of read) next.byId.set(id, secret);
    this.secrets.set(owner, next); // unless over the bytes one copy may hold: then the owner's copy goes
  }

  clear(): void {
    this.kept.clear();
    this.secrets.clear();
  }
}

interface KeptSecrets {
  revision: number;
  byId: Map<string, GlobalSecretRecord>;
}

function secretBytes({ byId }: KeptSecrets): number {
  let bytes = 0;
  for (const secret of byId.values()) bytes += secret.sealed.ct.byteLength;
  return bytes;
}

function valueBytes(partition: Partition): number {
  let bytes = 0;
  for (const e of partition.entries) {
    if (e.kind === 'secret') bytes += e.sealed.ct.byteLength;
    else if (e.kind === 'variable') bytes += e.value.length * 2;
  }
  return bytes;
}
