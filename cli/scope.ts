import type { PrimeApi } from './api.js';
import { CliError, EXIT } from './errors.js';
import { namedLabel } from './refs.js';

/** Where `prime secret …` and `prime env list|create` work: the personal scope, or one team's. */
export interface Scope {
  /** The team's id, undefined in the personal scope. */
  teamId: string | undefined;
  /** The team's slug, undefined in the personal scope. */
  teamSlug: string | undefined;
  /** In words: "team dev-team" or "your personal scope". */
  where: string;
}

export const PERSONAL: Scope = { teamId: undefined, teamSlug: undefined, where: 'your personal scope' };

/**
 * A team as the user names it, by id or by slug (`PRIME_TEAM_ID=dev-team`, `--team dev-team`),
 * resolved among the user's teams; `from` says where it was given, for the error.
 */
export async function teamScope(api: PrimeApi, given: string, from: string): Promise<Scope> {
  const teams = await api.teams();
  const team = teams.find((t) => t.teamId === given) ?? teams.find((t) => t.slug === given);
  if (team) return { teamId: team.teamId, teamSlug: team.slug, where: `team ${team.slug}` };
  const yours = teams.map((t) => namedLabel({ id: t.teamId, name: t.slug })).join(', ');
  throw new CliError(
    `'${given}' (${from}) is not the id or slug of one of your teams. ${yours ? `Your teams: ${yours}.` : 'You are in no team.'}`,
    EXIT.notFound,
  );
}
