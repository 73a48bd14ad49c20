import type { ContainerRun, LambdaRig } from '../lib/containers.js';
import { summarize, type Summary } from '../lib/stats.js';

/**
 * A job-start storm as Lambda serves it: `reads` runtime reads spread over `containers` fresh
 * processes, each answering one request at a time (API Gateway v2 events), `parallel` of them
 * running at once against DynamoDB Local and the simulated KMS. A read's time is its handler
 * call; a container's first read also counts the container's start (Node's, then the bundle's
 * import), as the caller of a cold Lambda waits for it. Counts each container's KMS calls and
 * API key look-ups: a container unwraps its data key once and looks its key up once.
 */

export interface LambdaStormFigures {
  containers: number;
  reads: number;
  parallel: number;
  wallMs: number;
  latencyMs: Summary;
  /** The containers' first reads (start included), and every later read. */
  coldReadMs: Summary;
  warmReadMs: Summary;
  errors: number;
  failures: string[];
  kmsCalls: number;
  apiKeyLookups: number;
  /** The most any one container made. */
  kmsCallsPerContainer: number;
  apiKeyLookupsPerContainer: number;
  calls: Record<string, number>;
}

export async function measureLambdaStorm(
  rig: LambdaRig,
  options: { containers?: number; reads?: number; parallel?: number } = {},
): Promise<LambdaStormFigures> {
  const containers = options.containers ?? 50;
  const reads = options.reads ?? 1000;
  const parallel = options.parallel ?? 10;
  // As even a spread as the count allows: the first `reads % containers` take one more.
  const share = (i: number) => Math.floor(reads / containers) + (i < reads % containers ? 1 : 0);
  const runs: ContainerRun[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(parallel, containers) }, async () => {
      while (next < containers) {
        const i = next++;
        runs[i] = await rig.runContainer(share(i));
      }
    }),
  );
  const wallMs = performance.now() - started;
  const ok = runs.filter((r) => r.invokeMs.length > 0);
  const cold = ok.map((r) => r.importStartMs + r.importMs + r.invokeMs[0]!);
  const warm = ok.flatMap((r) => r.invokeMs.slice(1));
  const calls: Record<string, number> = {};
  for (const run of runs) for (const [target, n] of Object.entries(run.calls)) calls[target] = (calls[target] ?? 0) + n;
  return {
    containers,
    reads,
    parallel,
    wallMs,
    latencyMs: summarize([...cold, ...warm]),
    coldReadMs: summarize(cold),
    warmReadMs: summarize(warm),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    failures: runs.flatMap((r) => r.failures).slice(0, 10),
    kmsCalls: runs.reduce((sum, r) => sum + r.kmsCalls, 0),
    apiKeyLookups: runs.reduce((sum, r) => sum + r.apiKeyLookups, 0),
    kmsCallsPerContainer: Math.max(...runs.map((r) => r.kmsCalls)),
    apiKeyLookupsPerContainer: Math.max(...runs.map((r) => r.apiKeyLookups)),
    calls,
  };
}
