/** Order statistics over timing samples (milliseconds unless said otherwise). */

export interface Summary {
  n: number;
  median: number;
  p99: number;
  mean: number;
  min: number;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length),
    min: sorted[0] ?? NaN,
  };
}

export const median = (samples: readonly number[]) => summarize(samples).median;

/**
 * Runs every variant once per iteration, in an order that rotates from one iteration to
 * the next (A B C, B C A, C A B, …), so drift of the machine and the order within an
 * iteration weigh on every variant alike. Returns each variant's wall times in ms.
 */
export async function interleaved<K extends string>(
  variants: Record<K, () => Promise<unknown>>,
  options: { iterations: number; warmup?: number; before?: Partial<Record<K, () => void>> },
): Promise<Record<K, number[]>> {
  const names = Object.keys(variants) as K[];
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  const warmup = options.warmup ?? 0;
  for (let i = 0; i < warmup + options.iterations; i++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(i + j) % names.length]!;
      options.before?.[name]?.();
      const started = performance.now();
      await variants[name]();
      const elapsed = performance.now() - started;
      if (i >= warmup) times[name].push(elapsed);
    }
  }
  return times;
}

/** Ratio of medians of two interleaved series, and the median of the per-iteration ratios. */
export function ratioOf(a: readonly number[], b: readonly number[]): { ofMedians: number; medianOfPairs: number } {
  const pairs = a.map((x, i) => x / b[i]!);
  return { ofMedians: median(a) / median(b), medianOfPairs: median(pairs) };
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
