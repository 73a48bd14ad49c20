import { requireUser } from '../auth/authorization.js';
import type { Owner } from '../owner-key.js';
import type { Principal } from '../auth/principal.js';
import { requireId } from '../ids.js';

/** The owner `/secrets/` routes act on: the team named by `teamId`, else the caller. */
export function scopeOwner(principal: Principal, teamId: string | null | undefined): Owner {
  const user = requireUser(principal);
  return teamId ? { teamId: requireId(teamId, 'Team') } : { userId: user.userId };
}

/**
 * The owner a route that names one by `userId` or `teamId` acts on (the platform admin names
 * one: it has no scope of its own), else the calling user's personal scope; undefined for a
 * caller that is no user and named none. Whether the caller may act on it is `authorize`'s.
 */
export function namedOwner(
  principal: Principal,
  named: { userId?: string | undefined; teamId?: string | undefined },
): Owner | undefined {
  if (named.teamId) return { teamId: requireId(named.teamId, 'Team') };
  if (named.userId) return { userId: requireId(named.userId, 'User') };
  return principal.type === 'user' ? { userId: principal.userId } : undefined;
}

export function ownerFields(owner: Owner): { userId: string | null; teamId: string | null } {
  return 'userId' in owner ? { userId: owner.userId, teamId: null } : { userId: null, teamId: owner.teamId };
}
