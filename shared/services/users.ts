import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import { requireAdmin, requireUser } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import { PLATFORM_AUDIT } from '../data/keys.js';
import { membershipsOf } from '../data/members.js';
import { slugClaim } from '../data/slugs.js';
import { listUserApiKeys } from '../data/api-keys.js';
import { listUsers, readUser, userCreate, userDisabledChange } from '../data/users.js';
import { notFound } from '../errors.js';
import { newId, now, requireId } from '../ids.js';
import { compareText } from '../pagination.js';
import { TransactionFailed, transactWrite } from '../storage/transact.js';
import { ACCOUNT_KEY_SCOPES, issueUserKey } from './api-keys.js';
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

/** A new user (platform admin only) and their account key, which holds every scope. */
export async function createUser(
  deps: Deps,
  principal: Principal,
  input: { email: string; name: string; slug: string },
): Promise<{ user: Api.User; apiKey: string }> {
  requireAdmin(principal);
  const user: Api.User = { id: newId(), email: input.email, name: input.name, slug: input.slug, createdAt: now() };
  try {
    const issued = await issueUserKey(deps, principal, user, { name: 'default', scopes: ACCOUNT_KEY_SCOPES }, [
      slugClaim(input.slug, { kind: 'user', id: user.id }),
      userCreate({ ...user, disabled: false }, 1),
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

/** `GET /admin/users`: every user, oldest first. */
export async function listUsersForAdmin(deps: Deps, principal: Principal): Promise<Api.AdminUser[]> {
  requireAdmin(principal);
  return listUsers(deps.db);
}

/**
 * Disables a user, or enables them again: a disabled user's keys and console sessions are refused
 * (shared/auth/api-keys.ts), at once in this process and within the key cache's lifetime in every
 * other; their data, keys and memberships stay.
 */
export async function setUserDisabled(
  deps: Deps,
  principal: Principal,
  userId: string,
  disabled: boolean,
): Promise<Api.AdminUser> {
  requireAdmin(principal);
  requireId(userId, 'User');
  const user = await readUser(deps.db, userId);
  if (!user) throw notFound('User');
  await transactWrite(deps.db, [
    userDisabledChange(userId, disabled),
    auditPut(deps, {
      owner: PLATFORM_AUDIT,
      principal,
      action: disabled ? 'disable' : 'enable',
      target: { type: 'user', id: userId, name: user.slug },
    }),
  ]);
  for (const key of await listUserApiKeys(deps.db, userId)) deps.apiKeys.delete(key.hash);
  return { ...user, disabled };
}
