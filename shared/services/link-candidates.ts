import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import type { Principal } from '../auth/principal.js';
import { readEntriesNamed, type EntryRecord } from '../data/entries.js';
import { listEnvironments } from './environments.js';

/** An environment of a global secret's scope it is not linked to, and what holds its name there, if anything. */
export interface LinkCandidate {
  environment: Api.Environment;
  /** The entry under the secret's name there: a link to it would be 409 `name_taken`. */
  holder: EntryRecord['kind'] | undefined;
}

/**
 * Where a global secret (as `getGlobalSecret` answered it) could be linked: every environment
 * of its scope that does not link it yet, each with the entry already holding its name, read in
 * one batch. What it says is a hint for a picker; the link itself is still decided by its
 * conditional write (links.ts).
 */
export async function linkCandidates(
  deps: Deps,
  principal: Principal,
  secret: Pick<Api.GlobalSecretDetail, 'name' | 'linkedEnvironments' | 'teamId'>,
): Promise<LinkCandidate[]> {
  const teamId = secret.teamId ?? undefined;
  const { items } = await listEnvironments(deps, principal, teamId, {
    offset: 0,
    limit: deps.config.maxEnvironmentsPerOwner,
  });
  const linked = new Set(secret.linkedEnvironments.map((e) => e.id));
  const unlinked = items.filter((env) => !linked.has(env.id));
  const holders = await readEntriesNamed(
    deps.db,
    unlinked.map((env) => ({ envId: env.id, name: secret.name })),
  );
  return unlinked.map((environment, i) => ({ environment, holder: holders[i]?.kind }));
}
