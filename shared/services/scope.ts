import { requireUser } from '../auth/authorization.js';
import type { Owner } from '../owner-key.js';
import type { Principal } from '../auth/principal.js';
import { requireId } from '../ids.js';

/** The owner `/secrets/` routes act on: the team named by `teamId`, else the caller. */
export function scopeOwner(principal: Principal, teamId: string | null | undefined): Owner {
  const user = requireUser(principal);
  return teamId ? { teamId: requireId(teamId, 'Team') } : { userId: user.userId };
}

export function ownerFields(owner: Owner): { userId: string | null; teamId: string | null } {
  return 'userId' in owner ? { userId: owner.userId, teamId: null } : { userId: null, teamId: owner.teamId };
}
