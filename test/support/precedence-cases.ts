import type { Source } from '../../shared/resolver.js';

/** The precedence cases, written out independently of shared/resolver.ts: lowest source first. */
export const RANK: Source[] = ['variable', 'global-linked', 'environment'];

export function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** Every subset of the sources with at least two members. */
export const GROUPS: Source[][] = [
  ['variable', 'global-linked'],
  ['variable', 'environment'],
  ['global-linked', 'environment'],
  ['variable', 'global-linked', 'environment'],
];

export const highest = (sources: Source[]) => sources.reduce((a, b) => (RANK.indexOf(b) > RANK.indexOf(a) ? b : a));
