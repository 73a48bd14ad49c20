import { sequentialRounds } from '../lib/dynamo-calls.js';
import { fetchRuntime, SIZES, type BenchContext, type Size } from '../lib/setup.js';

/**
 * Item 2: what one runtime read costs in calls, counted by SDK middleware on the service's
 * own clients: DynamoDB calls (total, and sequential rounds: calls whose [start, end]
 * intervals overlap form one round) and KMS calls. Cold is after `deps.dataKeys.clear()`
 * (the API key stays cached: its look-up is a separate cost, once per key per 30 s and,
 * single flight, once however many requests wait for it); warm is the read right after.
 */

interface CallFigures {
  /** DynamoDB calls per read, by command, e.g. {Query: 1, BatchGetItem: 1, PutItem: 1}. */
  dynamoCalls: Record<string, number>;
  dynamoTotal: number;
  /** The read's calls in sequential rounds, e.g. [["Query"], ["BatchGetItem", "PutItem"]]. */
  rounds: string[][];
  sequentialRoundTrips: number;
  kmsCalls: number;
  /** Whether every repetition made exactly the same calls. */
  stable: boolean;
}

export type CallsBySize = Record<Size, { cold: CallFigures; warm: CallFigures }>;

const REPETITIONS = 5;

export async function measureCalls(ctx: BenchContext): Promise<CallsBySize> {
  const { deps, kms, recorder, baseUrl } = ctx.service;
  const out = {} as CallsBySize;
  for (const size of SIZES) {
    const env = ctx.environments[size];
    await fetchRuntime(baseUrl, ctx.seed.serviceKey, env, true);
    const figures: Record<'cold' | 'warm', CallFigures[]> = { cold: [], warm: [] };
    for (let i = 0; i < REPETITIONS; i++) {
      // Keeps the API key look-up (cached for at most 30 s) out of the counts.
      await fetchRuntime(baseUrl, ctx.seed.serviceKey, env);
      for (const temperature of ['cold', 'warm'] as const) {
        if (temperature === 'cold') deps.dataKeys.clear();
        kms.reset();
        const { calls } = await recorder.during(() => fetchRuntime(baseUrl, ctx.seed.serviceKey, env, true));
        const dynamoCalls: Record<string, number> = {};
        for (const call of calls) dynamoCalls[call.command] = (dynamoCalls[call.command] ?? 0) + 1;
        const rounds = sequentialRounds(calls).map((round) => round.sort());
        figures[temperature].push({
          dynamoCalls,
          dynamoTotal: calls.length,
          rounds,
          sequentialRoundTrips: rounds.length,
          kmsCalls: kms.calls.length,
          stable: true,
        });
      }
    }
    out[size] = { cold: worstOf(figures.cold), warm: worstOf(figures.warm) };
  }
  return out;
}

/** The repetition with the most calls (they should all be alike; `stable` says whether they were). */
function worstOf(runs: CallFigures[]): CallFigures {
  const key = (f: CallFigures) => JSON.stringify([f.dynamoCalls, f.rounds, f.kmsCalls]);
  const worst = [...runs].sort(
    (a, b) =>
      b.sequentialRoundTrips - a.sequentialRoundTrips || b.dynamoTotal - a.dynamoTotal || b.kmsCalls - a.kmsCalls,
  )[0]!;
  return { ...worst, stable: runs.every((r) => key(r) === key(runs[0]!)) };
}
