import type { ContainerRun, Initialization, LambdaRig } from '../lib/containers.js';
import { median, summarize, type Summary } from '../lib/stats.js';

/**
 * A runtime container's first answer against its later ones: fresh processes one after the
 * other (nothing else running on the bench's side), each importing the runtime bundle, then
 * answering `reads` API Gateway v2 events, the first cold (no connection, API key or data key
 * yet: a key look-up and a KMS call more), the rest warm. Containers initialized on demand and
 * ahead of traffic (provisioned concurrency: shared/services/warm-up.ts) alternate.
 */

export interface ColdInvokeFigures {
  containers: number;
  readsPerContainer: number;
  importMs: Summary;
  /** The first event's handler call. */
  firstInvokeMs: Summary;
  /** Every later event's handler call. */
  warmInvokeMs: Summary;
  /** From the process's start to the first answer: Node's start-up, the import and the first call. */
  coldStartMs: Summary;
  /** The container's resident memory once its reads are answered, in MB. */
  rssMb: Summary;
  /** Median first call ÷ median later call. */
  ratio: number;
  /** Median over containers of its first call ÷ its own median later call. */
  ratioOfPairs: number;
  errors: number;
}

export async function measureColdInvoke(
  rig: LambdaRig,
  containers = 15,
  reads = 10,
): Promise<Record<Initialization, ColdInvokeFigures>> {
  const runs: Record<Initialization, ContainerRun[]> = { 'on-demand': [], 'provisioned-concurrency': [] };
  for (let i = 0; i < containers; i++) {
    for (const initialization of ['on-demand', 'provisioned-concurrency'] as const) {
      runs[initialization].push(await rig.runContainer(reads, initialization));
    }
  }
  return {
    'on-demand': figuresOf(runs['on-demand'], reads),
    'provisioned-concurrency': figuresOf(runs['provisioned-concurrency'], reads),
  };
}

function figuresOf(runs: ContainerRun[], reads: number): ColdInvokeFigures {
  const containers = runs.length;
  const ok = runs.filter((r) => r.invokeMs.length === reads);
  const first = ok.map((r) => r.invokeMs[0]!);
  const warm = ok.flatMap((r) => r.invokeMs.slice(1));
  return {
    containers,
    readsPerContainer: reads,
    importMs: summarize(ok.map((r) => r.importMs)),
    firstInvokeMs: summarize(first),
    warmInvokeMs: summarize(warm),
    coldStartMs: summarize(ok.map((r) => r.importStartMs + r.importMs + r.invokeMs[0]!)),
    rssMb: summarize(ok.map((r) => r.rssMb)),
    ratio: median(first) / median(warm),
    ratioOfPairs: median(ok.map((r) => r.invokeMs[0]! / median(r.invokeMs.slice(1)))),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
  };
}
