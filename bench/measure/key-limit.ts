import type { RateSubject } from '../../shared/data/rate-windows.js';
import type { Deps } from '../../shared/deps.js';
import type { RateLimit, Taken } from '../../shared/http/rate-limit.js';
import { TableRateLimiter } from '../../shared/http/table-rate-limit.js';
import { sequentialRounds } from '../lib/dynamo-calls.js';
import { getWithKey, type BenchContext } from '../lib/setup.js';
import { interleaved, ratioOf, summarize, type Summary } from '../lib/stats.js';

/**
 * What counting a user key's requests in the table (shared/http/table-rate-limit.ts) costs a
 * management request: the same requests with the same user key, through HTTP, to an instance
 * that counts in the table (as deployed) and to one that keeps the key's bucket in process
 * only (as before the count), interleaved. Also the calls each makes.
 */

/** The limiter as it was before the count in the table: this process's bucket only. */
class ProcessBucketOnly extends TableRateLimiter {
  constructor(private readonly deps: Deps) {
    super(deps.db);
  }

  override take(subject: RateSubject, limit: RateLimit): Taken {
    return this.deps.rateLimiter.take(`${subject.kind}:${subject.id}`, limit);
  }
}

export interface KeyLimitFigures {
  request: string;
  inProcessMs: Summary;
  countedMs: Summary;
  /** Counted ÷ in process, of medians; and the median of per-iteration ratios. */
  ratio: number;
  ratioOfPairs: number;
  /** DynamoDB calls of one request, and their sequential rounds, without and with the count. */
  calls: { inProcess: string[][]; counted: string[][] };
}

const ITERATIONS = 400;

export async function measureKeyLimit(ctx: BenchContext): Promise<KeyLimitFigures[]> {
  const counted = ctx.service;
  const inProcess = await ctx.newInstance();
  inProcess.deps.tableRateLimiter = new ProcessBucketOnly(inProcess.deps);
  const key = ctx.seed.user.apiKey;
  const requests = {
    'GET /user/whoami': '/api/v1/user/whoami',
    'GET …/variables (N = 10)': `/api/v1/environmentshub/${ctx.environments[10].id}/variables`,
  };
  const out: KeyLimitFigures[] = [];
  for (const [request, path] of Object.entries(requests)) {
    const get = (baseUrl: string) => async () => {
      const { status, text } = await getWithKey(baseUrl, path, key);
      if (status !== 200) throw new Error(`${request}: ${status} ${text.slice(0, 200)}`);
    };
    const times = await interleaved(
      { inProcess: get(inProcess.baseUrl), counted: get(counted.baseUrl) },
      { iterations: ITERATIONS, warmup: 50 },
    );
    const rounds = async (instance: typeof counted) =>
      sequentialRounds((await instance.recorder.during(get(instance.baseUrl))).calls).map((r) => r.sort());
    const { ofMedians, medianOfPairs } = ratioOf(times.counted, times.inProcess);
    out.push({
      request,
      inProcessMs: summarize(times.inProcess),
      countedMs: summarize(times.counted),
      ratio: ofMedians,
      ratioOfPairs: medianOfPairs,
      calls: { inProcess: await rounds(inProcess), counted: await rounds(counted) },
    });
  }
  return out;
}
