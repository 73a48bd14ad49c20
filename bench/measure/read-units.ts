import { randomBytes } from 'node:crypto';
import type { Principal } from '../../shared/auth/principal.js';
import { listEnvironmentSecrets } from '../../shared/services/environment-entries.js';
import { directSecrets } from '../../shared/services/entry-operations.js';
import { createEnvironment } from '../../shared/services/environments.js';
import { readRuntime } from '../../shared/services/runtime.js';
import type { BenchContext } from '../lib/setup.js';

export interface ReadUnitFigures {
  entries: number;
  valueBytes: number;
  /** DynamoDB read capacity units each operation consumed, as the table reports them. */
  readUnits: { patch: number; list: number; runtime: number };
}

const ENTRIES = 100;
const VALUE_BYTES = 64 * 1024;

/**
 * What an operation costs on the partition job starts read, in DynamoDB's own units
 * (ReturnConsumedCapacity on every call, summed): at 100 direct secrets of 64 KB, a PATCH of
 * one description, the listing of the environment's secrets, and a runtime read.
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

  let units = 0;
  let counting = false;
  deps.db.raw.middlewareStack.add(
    (next) => async (args) => {
      if (!counting) return next(args);
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
      for (const c of [consumed ?? []].flat())
        units += c.ReadCapacityUnits ?? (c.WriteCapacityUnits ? 0 : (c.CapacityUnits ?? 0));
      return out;
    },
    { step: 'initialize', name: 'benchReadUnits' },
  );
  const unitsOf = async (operation: () => Promise<unknown>) => {
    await operation(); // warm: caches of keys and data keys, as a running container has them
    units = 0;
    counting = true;
    try {
      await operation();
    } finally {
      counting = false;
    }
    return Math.round(units * 10) / 10;
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
  return { entries: ENTRIES, valueBytes: VALUE_BYTES, readUnits };
}

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}
