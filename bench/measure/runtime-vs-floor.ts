import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { recordAudit } from '../../shared/audit.js';
import type { ServiceConfig } from '../../shared/config.js';
import { readRuntime } from '../../shared/services/runtime.js';
import { createDb, type Db } from '../../shared/storage/client.js';
import { keys } from '../../shared/data/keys.js';
import { fetchRuntime, SIZES, type BenchContext, type BenchEnvironment, type Size } from '../lib/setup.js';
import { interleaved, ratioOf, summarize, type Summary } from '../lib/stats.js';

/**
 * Item 1: the full runtime read through HTTP (fetch to the local server with the service key,
 * API key and data key caches warm) against its storage floor: the same Query of the
 * environment's partition and the same BatchGetItem (the linked secrets and the data key),
 * issued directly on DynamoDB Local through a client of its own, with nothing else. More
 * series, interleaved with those, break the difference down: the floor plus the audit
 * event's PutItem beside the batch, the service's read called in process (no HTTP), and two
 * floors at once, which shows how much room the machine has beside one read (2 × the floor:
 * none, so any work added anywhere, the emulator's or ours, adds to the read's time). Beside
 * them, the pre-flight check and the read with a job's runtime token, through HTTP.
 */

type Key = { pk: string; sk: string };

/**
 * The floor: one Query (every page), then the BatchGetItem chunks in parallel. With `alongside`,
 * also that write beside the batch (the service's audit event), for the breakdown.
 */
async function storageFloor(db: Db, env: BenchEnvironment, alongside?: () => Promise<unknown>): Promise<number> {
  let items = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.environmentPartition(env.id) },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items += out.Items?.length ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);

  const wanted: Key[] = [
    ...env.linkedSecretIds.map((id) => keys.globalSecret(env.ownerKey, id)),
    keys.dataKey(env.ownerKey, 1),
  ];
  const chunks: Key[][] = [];
  for (let i = 0; i < wanted.length; i += 100) chunks.push(wanted.slice(i, i + 100));
  const written = alongside?.();
  const got = await Promise.all(
    chunks.map(async (chunk) => {
      let found = 0;
      let pending = chunk;
      while (pending.length > 0) {
        const out = await db.doc.send(
          new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        found += out.Responses?.[db.tableName]?.length ?? 0;
        pending = (out.UnprocessedKeys?.[db.tableName]?.Keys ?? []) as Key[];
      }
      return found;
    }),
  );
  await written;
  return items + got.reduce((s, n) => s + n, 0);
}

export interface FloorFigures {
  iterations: number;
  httpMs: Summary;
  floorMs: Summary;
  /** Breakdown: the floor plus the audit PutItem beside the batch, as the service writes it. */
  floorWithAuditMs: Summary;
  /** Breakdown: the service's readRuntime called in process (no HTTP, no middleware). */
  inProcessMs: Summary;
  /** Breakdown: two floors started together, until both are done. */
  twoFloorsAtOnceMs: Summary;
  /** Beside: the pre-flight check through HTTP (the same two rounds, no values, no audit). */
  checkMs: Summary;
  /** Beside: the runtime read through HTTP with a job's runtime token instead of the service key. */
  tokenMs: Summary;
  /** median(HTTP) / median(floor) */
  ratio: number;
  /** median(HTTP) / median(floor with the audit PutItem): what the service adds to an audited read's storage work. */
  ratioToAuditedFloor: number;
  /** median over iterations of HTTP / floor of the same iteration */
  ratioOfPairs: number;
}

/** A runtime token for the environment, as a hosted service mints one at job start. */
async function mintRuntimeToken(baseUrl: string, serviceKey: string, env: BenchEnvironment): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/environmentshub/${env.id}/runtime-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serviceKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ jobId: `bench-${env.size}`, ttlSeconds: 3600 }),
  });
  if (res.status !== 201) throw new Error(`minting a runtime token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: { token: string } }).data.token;
}

const FLOOR_ITERATIONS: Record<Size, number> = { 10: 300, 100: 500, 500: 100 };

export async function measureRuntimeVsFloor(
  ctx: BenchContext,
  config: ServiceConfig,
  iterations: Record<Size, number> = FLOOR_ITERATIONS,
): Promise<Record<Size, FloorFigures>> {
  const floorDb = createDb(config);
  const auditDeps = { ...ctx.service.deps, db: floorDb };
  const { baseUrl } = ctx.service;
  const out = {} as Record<Size, FloorFigures>;
  try {
    for (const size of SIZES) {
      const env = ctx.environments[size];
      // Checks the whole set once, and warms every cache and connection.
      await fetchRuntime(baseUrl, ctx.seed.serviceKey, env, true);
      // The revision, META, each entry, each direct secret's and variable's value item, each linked secret, the data key.
      const own = env.counts.direct + env.counts.variables;
      const expectedItems = 2 + 2 * own + 2 * env.counts.linked + 1;
      const token = await mintRuntimeToken(baseUrl, ctx.seed.serviceKey, env);
      await fetchRuntime(baseUrl, token, env, true);
      const floorItems = await storageFloor(floorDb, env);
      if (floorItems !== expectedItems) throw new Error(`floor read ${floorItems} items, expected ${expectedItems}`);
      const audit = () =>
        recordAudit(auditDeps, {
          owner: env.ownerKey,
          principal: ctx.servicePrincipal,
          action: 'runtime_read',
          target: { type: 'environment', id: env.id, name: `bench-${size}` },
          environmentId: env.id,
          jobId: 'bench',
        });
      const times = await interleaved(
        {
          http: () => fetchRuntime(baseUrl, ctx.seed.serviceKey, env),
          floor: () => storageFloor(floorDb, env),
          floorWithAudit: () => storageFloor(floorDb, env, audit),
          inProcess: () => readRuntime(ctx.service.deps, ctx.servicePrincipal, env.id, 'bench'),
          twoFloorsAtOnce: () => Promise.all([storageFloor(floorDb, env), storageFloor(floorDb, env)]),
          check: () => fetchRuntime(baseUrl, ctx.seed.serviceKey, env, false, 'runtime/check'),
          token: () => fetchRuntime(baseUrl, token, env),
        },
        { iterations: iterations[size], warmup: 40 },
      );
      const ratio = ratioOf(times.http, times.floor);
      out[size] = {
        iterations: iterations[size],
        httpMs: summarize(times.http),
        floorMs: summarize(times.floor),
        floorWithAuditMs: summarize(times.floorWithAudit),
        inProcessMs: summarize(times.inProcess),
        twoFloorsAtOnceMs: summarize(times.twoFloorsAtOnce),
        checkMs: summarize(times.check),
        tokenMs: summarize(times.token),
        ratio: ratio.ofMedians,
        ratioOfPairs: ratio.medianOfPairs,
        ratioToAuditedFloor: ratioOf(times.http, times.floorWithAudit).ofMedians,
      };
    }
  } finally {
    floorDb.raw.destroy();
  }
  return out;
}
