import { CliError, EXIT, UsageError } from './errors.js';

/** Anything the CLI takes by id or by name: a secret, a variable, a link, an API key. */
export interface Named {
  id: string;
  name: string;
}

/** How a thing is shown where it must be told apart: its name, then its id. */
export const namedLabel = (item: Named) => `${item.name} (${item.id})`;

const MAX_SUGGESTIONS = 5;

/**
 * The one item `given` names among `items` (those of the current scope): by id, else by name. An
 * id always wins, so what worked before names were taken still does. A name held by more than
 * one item, or by none, is an error that says so and lists the near matches, never a guess.
 */
export function pickByIdOrName<T extends Named>(given: string, items: T[], what: string, where: string): T {
  const byId = items.find((item) => item.id === given);
  if (byId) return byId;
  const named = items.filter((item) => item.name === given);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) {
    throw new UsageError(
      `'${given}' names ${named.length} ${what}s in ${where}: ${named.map(namedLabel).join(', ')}. Pass the id of the one you mean.`,
    );
  }
  const near = nearMatches(given, items);
  const suggestion = near.length > 0 ? ` Near matches: ${near.map(namedLabel).join(', ')}.` : '';
  throw new CliError(`No ${what} named or with id '${given}' in ${where}.${suggestion}`, EXIT.notFound);
}

/** `pickByIdOrName` over what `list` reads. */
export async function resolveRef<T extends Named>(
  given: string,
  list: () => Promise<T[]>,
  what: string,
  where: string,
): Promise<T> {
  return pickByIdOrName(given, await list(), what, where);
}

/** Names that differ from `given` by case, by a few typed characters, or that contain it. */
function nearMatches<T extends Named>(given: string, items: T[]): T[] {
  const wanted = given.toUpperCase();
  const close = (name: string) => {
    const candidate = name.toUpperCase();
    if (candidate === wanted) return true;
    if (wanted.length >= 3 && (candidate.includes(wanted) || wanted.includes(candidate))) return true;
    return editDistance(candidate, wanted) <= Math.min(2, Math.floor(wanted.length / 3));
  };
  const seen = new Set<string>();
  return items.filter((item) => close(item.name) && !seen.has(item.id) && seen.add(item.id)).slice(0, MAX_SUGGESTIONS);
}

/** Edits from `a` to `b`: insertions, deletions, substitutions and swaps of two neighbours. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
      }
    }
  }
  return d[a.length]![b.length]!;
}
