import { randomBytes } from 'node:crypto';
import type { Principal } from '../../shared/auth/principal.js';
import { listEnvironmentSecrets } from '../../shared/services/environment-entries.js';
import { directSecrets } from '../../shared/services/entry-operations.js';
import { createEnvironment } from '../../shared/services/environments.js';
import { readRuntime } from '../../shared/services/runtime.js';
import { meterReadUnits } from '../../test/support/read-units.js';
import type { BenchContext } from '../lib/setup.js';

export interface ReadUnitFigures {
  entries: number;
  valueBytes: number;
  /** DynamoDB read capacity units each operation consumed, as the table reports them. */
  readUnits: { patch: number; list: number; runtime: number };
  /**
   * A runtime read of the 500-entry environment: by a container that has not kept its partition
   * (the Query), and by one that has (the revision's GetItem), with the batch and the audit write.
   */
  runtimeAt500: {
    queried: number;
    kept: number;
    auditWriteUnits: number;
    /** The same kept read by a container that has not yet written or seen its set of versions. */
    setLookedUp: { read: number; write: number };
  };
}

const ENTRIES = 100;
const VALUE_BYTES = 64 * 1024;

/**
 * What an operation costs on the partition job starts read, in DynamoDB's own units
 * (ReturnConsumedCapacity on every call, summed): at 100 direct secrets of 64 KB, a PATCH of
 * one description, the listing of the environment's secrets, and a runtime read (6.4 MB of
 * values: more than a container keeps, so every read queries); then the runtime read of the
 * 500-entry environment, queried and kept.
 */
export async function measureReadUnits(ctx: BenchContext): Promise<ReadUnitFigures> {
  const { deps } = ctx.service;
  const dev: Principal = { type: 'user', userId: ctx.seed.user.id, keyId: 'bench', scopes: ['manage'] };
  const env = await createEnvironment(deps, dev, { name: 'bench-read-units' });
  const ids: string[] = [];
  for (let i = 0; i < ENTRIES; i++) {
    const value = randomBytes((VALUE_BYTES * 3) / 4).toString('base64');
    ids.push((await directSecrets.create(deps, dev, env.id, { name: `LARGE_${i}`, value })).id);
  }

  const meter = meterReadUnits(deps.db);
  const unitsOf = async (operation: () => Promise<unknown>) => {
    await operation(); // warm: caches of keys and data keys, as a running container has them
    return meter.of(operation);
  };

  const readUnits = {
    patch: await unitsOf(() =>
      directSecrets.update(deps, dev, env.id, ids[17]!, { description: `touched ${Date.now()}` }),
    ),
    list: await unitsOf(() => listEnvironmentSecrets(deps, dev, env.id)),
    // 6.4 MB of values is over the runtime read's 5 MiB, so it answers 413: after the same reads.
    runtime: await unitsOf(() =>
      readRuntime(deps, ctx.servicePrincipal, env.id, 'bench').catch((err: unknown) => {
        if ((err as { status?: number }).status !== 413) throw err;
      }),
    ),
  };
  const large = ctx.environments[500].id;
  const readLarge = () => readRuntime(deps, ctx.servicePrincipal, large, 'bench');
  await readLarge();
  deps.partitions.clear();
  const queried = await meter.of(readLarge);
  await readLarge(); // the linked secrets are kept from this read on, at the owner's revision read before them
  const kept = await meter.capacityOf(readLarge);
  deps.auditVersionSets.clear(); // as a fresh container would: it looks the set up before naming it
  const setLookedUp = await meter.capacityOf(readLarge);
  return {
    entries: ENTRIES,
    valueBytes: VALUE_BYTES,
    readUnits,
    runtimeAt500: { queried, kept: kept.read, auditWriteUnits: kept.write, setLookedUp },
  };
}
