import { listAudit } from '../../shared/audit.js';
import { chunksOf } from '../../shared/chunks.js';
import { auditEventPut, type AuditEvent } from '../../shared/data/audit-events.js';
import { newId } from '../../shared/ids.js';
import { mapLimit } from '../../shared/map-limit.js';
import { ownerKeyOf } from '../../shared/owner-key.js';
import { transactWrite } from '../../shared/storage/transact.js';
import type { BenchContext } from '../lib/setup.js';
import { interleaved, ratioOf, summarize, type Summary } from '../lib/stats.js';

export interface AuditFilterFigures {
  events: number;
  environments: number;
  iterations: number;
  /** `GET /audit?limit=1`: the owner's newest event. */
  unfilteredMs: Summary;
  /** `GET /audit?environmentId=<unknown>&limit=1`: what once read the owner's whole history. */
  unknownEnvironmentMs: Summary;
  /** `GET /audit?environmentId=<one of them>&limit=50`: a page of one environment's events. */
  environmentPageMs: Summary;
  /** Unknown environment ÷ unfiltered, medians of the interleaved runs. */
  ratio: number;
}

const EVENTS = 10_000;
const ENVIRONMENTS = 40;

/**
 * The audit log's environment filter at 10,000 events of one owner, through the service's own
 * listing (shared/audit.ts) over DynamoDB Local: an unknown environment against the unfiltered
 * first page, and a page of one environment among forty.
 */
export async function measureAuditFilter(ctx: BenchContext): Promise<AuditFilterFigures> {
  const { deps } = ctx.service;
  const owner = ownerKeyOf({ userId: newId() });
  const environments = Array.from({ length: ENVIRONMENTS }, () => newId());
  const started = Date.parse('2026-01-01T00:00:00.000Z');
  const events: AuditEvent[] = Array.from({ length: EVENTS }, (_, n) => ({
    id: newId(),
    at: new Date(started + n * 1000).toISOString(),
    actor: { type: 'service', id: 'bench' },
    action: 'runtime_read',
    target: { type: 'environment', id: environments[n % ENVIRONMENTS]!, name: 'bench' },
    environmentId: environments[n % ENVIRONMENTS]!,
    jobId: `job-${n}`,
  }));
  await mapLimit(chunksOf(events, 100), 4, (chunk) =>
    transactWrite(
      deps.db,
      chunk.map((event, i) => auditEventPut(event, { owner, shard: i % deps.config.auditShards, ttl: 4_000_000_000 })),
    ),
  );

  const iterations = 30;
  const times = await interleaved(
    {
      unfiltered: () => listAudit(deps, owner, { limit: 1 }),
      unknownEnvironment: () => listAudit(deps, owner, { limit: 1, environmentId: newId() }),
      environmentPage: () => listAudit(deps, owner, { limit: 50, environmentId: environments[7] }),
    },
    { iterations, warmup: 3 },
  );
  return {
    events: EVENTS,
    environments: ENVIRONMENTS,
    iterations,
    unfilteredMs: summarize(times.unfiltered),
    unknownEnvironmentMs: summarize(times.unknownEnvironment),
    environmentPageMs: summarize(times.environmentPage),
    ratio: ratioOf(times.unknownEnvironment, times.unfiltered).ofMedians,
  };
}
