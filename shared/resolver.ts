export type Source = 'variable' | 'global-linked' | 'environment';

/** Lowest first: a variable < a linked global secret < a direct environment secret. */
const PRECEDENCE: Record<Source, number> = { variable: 0, 'global-linked': 1, environment: 2 };

export interface Candidate {
  name: string;
  source: Source;
  value: string;
  isFile: boolean;
  version: number;
}

export interface Resolved {
  env: Record<string, string>;
  sources: Record<string, Source>;
  files: string[];
  /** The version of each value served, so that a job's inputs can be traced afterwards. */
  versions: Record<string, number>;
}

/** The resolved set: each name's winner (`pickWinners`), names and files sorted. */
export function resolve(candidates: Iterable<Candidate>): Resolved {
  const winners = pickWinners(candidates);
  const env: Record<string, string> = {};
  const sources: Record<string, Source> = {};
  const files: string[] = [];
  const versions: Record<string, number> = {};
  for (const name of [...winners.keys()].sort()) {
    const winner = winners.get(name)!;
    env[name] = winner.value;
    sources[name] = winner.source;
    versions[name] = winner.version;
    if (winner.isFile) files.push(name);
  }
  return { env, sources, files, versions };
}

/**
 * The one precedence rule. Writes keep names unique per environment, but data written before
 * a rule existed, a restore or a manual edit can hold a name twice: the highest source wins,
 * whatever the order the candidates come in. A candidate may carry anything else (a value, or
 * only what a check needs).
 */
export function pickWinners<C extends Pick<Candidate, 'name' | 'source'>>(candidates: Iterable<C>): Map<string, C> {
  const winners = new Map<string, C>();
  for (const candidate of candidates) {
    const current = winners.get(candidate.name);
    if (!current || PRECEDENCE[candidate.source] > PRECEDENCE[current.source]) winners.set(candidate.name, candidate);
  }
  return winners;
}

/** Which source wins for each name, and its version, without values: the console's "what the job will see". */
export function winners(candidates: Iterable<Omit<Candidate, 'value'>>): Pick<Resolved, 'sources' | 'versions'> {
  const { sources, versions } = resolve([...candidates].map((c) => ({ ...c, value: '' })));
  return { sources, versions };
}
