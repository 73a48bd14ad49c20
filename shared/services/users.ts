import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import { requireAdmin, requireUser } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import { PLATFORM_AUDIT } from '../data/keys.js';
import { membershipsOf } from '../data/members.js';
import { slugClaim } from '../data/slugs.js';
import { readUser, userCreate } from '../data/users.js';
import { notFound } from '../errors.js';
import { newId, now } from '../ids.js';
import { compareText } from '../pagination.js';
import { TransactionFailed } from '../storage/transact.js';
import { issueUserKey } from './api-keys.js';
import { slugTaken } from '../conflicts.js';

export async function whoami(deps: Deps, principal: Principal): Promise<Api.WhoAmI> {
  const user = requireUser(principal);
  const [profile, memberships] = await Promise.all([
    readUser(deps.db, user.userId),
    membershipsOf(deps.db, user.userId),
  ]);
  if (!profile) throw notFound('User');
  return {
    id: profile.id,
    email: profile.email,
    name: profile.name,
    slug: profile.slug,
    scope: { teams: memberships.map((m) => ({ teamId: m.teamId, slug: m.teamSlug, role: m.role })) },
  };
}

export async function listUserTeams(deps: Deps, principal: Principal): Promise<Api.UserTeam[]> {
  const user = requireUser(principal);
  const memberships = await membershipsOf(deps.db, user.userId);
  return memberships
    .map((m) => ({ teamId: m.teamId, name: m.teamName, slug: m.teamSlug, role: m.role }))
    .sort((a, b) => compareText(a.slug, b.slug));
}

/** A new user (platform admin only) and their first API key, with the manage scope. */
export async function createUser(
  deps: Deps,
  principal: Principal,
  input: { email: string; name: string; slug: string },
): Promise<{ user: Api.User; apiKey: string }> {
  requireAdmin(principal);
  const user: Api.User = { id: newId(), email: input.email, name: input.name, slug: input.slug, createdAt: now() };
  try {
    const issued = await issueUserKey(deps, principal, user.id, { name: 'default', scopes: ['manage'] }, [
      slugClaim(input.slug, { kind: 'user', id: user.id }),
      userCreate(user, 1),
      auditPut(deps, {
        owner: PLATFORM_AUDIT,
        principal,
        action: 'create',
        target: { type: 'user', id: user.id, name: user.slug },
      }),
    ]);
    return { user, apiKey: issued.key };
  } catch (err) {
    if (err instanceof TransactionFailed) throw slugTaken(input.slug);
    throw err;
  }
}
