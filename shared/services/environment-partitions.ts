import { LruCache } from '../cache.js';
import { readPartition, type Partition } from '../data/entries.js';
import { readRevision } from '../data/environment-revisions.js';
import type { Db } from '../storage/client.js';

/** Environments whose partitions a container keeps, and the most bytes of values a kept one holds. */
const KEPT_PARTITIONS = 32;
const KEPT_PARTITION_BYTES = 4 * 1024 * 1024;
/** A kept partition is read again after this long whatever its revision says (an edit outside the service). */
const KEPT_FOR_MS = 5 * 60_000;

/**
 * The partitions of environments this container read (sealed values only: nothing here is ever
 * opened), each with the revision read with it. A runtime read checks the revision with one
 * small consistent GetItem instead of querying the partition again: a job start of an environment
 * of 500 entries costs 1 read unit instead of tens, on the partition every job start reads.
 * Every write of the partition bumps the revision in its own transaction
 * (shared/data/environment-revisions.ts), so a copy is current exactly while it matches.
 */
export class EnvironmentPartitions {
  private readonly kept = new LruCache<Partition>({ maxEntries: KEPT_PARTITIONS, ttlMs: KEPT_FOR_MS });

  constructor(private readonly db: Db) {}

  async read(envId: string): Promise<Partition> {
    const kept = this.kept.get(envId);
    if (kept && (await readRevision(this.db, envId)) === kept.revision) return kept;
    const partition = await readPartition(this.db, envId);
    if (partition.environment && partition.revision !== undefined && valueBytes(partition) <= KEPT_PARTITION_BYTES) {
      this.kept.set(envId, partition);
    } else {
      this.kept.delete(envId);
    }
    return partition;
  }

  clear(): void {
    this.kept.clear();
  }
}

function valueBytes(partition: Partition): number {
  let bytes = 0;
  for (const e of partition.entries) {
    if (e.kind === 'secret') bytes += e.sealed.ct.byteLength;
    else if (e.kind === 'variable') bytes += e.value.length * 2;
  }
  return bytes;
}
