import type { Deps } from '../deps.js';
import { listAudit } from '../audit.js';
import type { AuditEvent } from '../data/audit-events.js';
import { PLATFORM_AUDIT } from '../data/keys.js';
import { authorize, requireAdmin } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import { ownerKeyOf } from '../owner-key.js';
import { scopeOwner } from './scope.js';

/**
 * `GET /audit`: the personal owner, or a team admin with teamId. `environmentId` filters the
 * owner's own log, so a deleted environment's history stays readable.
 */
export async function readAuditLog(
  deps: Deps,
  principal: Principal,
  query: {
    teamId?: string | undefined;
    environmentId?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  },
): Promise<{ events: AuditEvent[]; cursor: string | null }> {
  const owner = scopeOwner(principal, query.teamId);
  await authorize(deps, principal, owner, 'read-audit', 'Team');
  return listAudit(deps, ownerKeyOf(owner), query);
}

/** `GET /admin/audit`: the platform's own log (users made, service and admin keys made and revoked). */
export async function readPlatformAuditLog(
  deps: Deps,
  principal: Principal,
  query: { limit: number; cursor?: string | undefined },
): Promise<{ events: AuditEvent[]; cursor: string | null }> {
  requireAdmin(principal);
  return listAudit(deps, PLATFORM_AUDIT, query);
}
