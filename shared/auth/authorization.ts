import type { Deps } from '../deps.js';
import type { Owner } from '../owner-key.js';
import { forbidden, notFound } from '../errors.js';
import type { Role } from '../schemas.js';
import { readMember } from '../data/members.js';
import type { Principal } from './principal.js';

export type Action =
  /** metadata of secrets, environments, variables with their values, team members */
  | 'read'
  /** create, change or delete secrets, links, variables, environments */
  | 'write'
  /** add, change and remove team members */
  | 'manage-members'
  | 'read-audit'
  /** resolved secret values at job start */
  | 'read-runtime'
  /** an owner's data keys: their versions, a rotation and the re-seal that follows */
  | 'manage-keys'
  /** whether a job can start (names and sources, never a value): whoever may read or read-runtime */
  | 'check-runtime';

export type Decision = 'allow' | 'hidden' | 'forbidden';

const TEAM_ROLES_ALLOWED: Record<Exclude<Action, 'check-runtime'>, readonly Role[]> = {
  read: ['admin', 'member', 'viewer'],
  write: ['admin', 'member'],
  'manage-members': ['admin'],
  'read-audit': ['admin'],
  'read-runtime': ['admin', 'member'],
  'manage-keys': ['admin'],
};

/**
 * The one rule of who may do what. `role` is the caller's role in the owning team
 * (undefined when not a member). Hidden things answer 404, visible ones the caller may
 * not change answer 403.
 */
export function decide(principal: Principal, owner: Owner, role: Role | undefined, action: Action): Decision {
  if (action === 'check-runtime') {
    const either = [decide(principal, owner, role, 'read'), decide(principal, owner, role, 'read-runtime')];
    return either.includes('allow') ? 'allow' : either.includes('forbidden') ? 'forbidden' : 'hidden';
  }
  // Service and admin keys are not users: only a service reads runtime values of any environment,
  // and only the platform admin manages any owner's data keys. Nothing else owned is theirs to
  // see, so it is hidden (404) whether it exists or not.
  if (principal.type === 'service') return action === 'read-runtime' ? 'allow' : 'hidden';
  if (principal.type === 'admin') return action === 'manage-keys' ? 'allow' : 'hidden';
  const ownsIt = 'userId' in owner && owner.userId === principal.userId;
  const inTeam = 'teamId' in owner && role !== undefined;
  if (!ownsIt && !inTeam) return 'hidden';
  const scopeNeeded = action === 'read-runtime' ? 'runtime' : 'manage';
  if (!principal.scopes.includes(scopeNeeded)) return 'forbidden';
  if (ownsIt) return 'allow';
  return TEAM_ROLES_ALLOWED[action].includes(role!) ? 'allow' : 'forbidden';
}

/** The caller's role in a team, read consistently so a removed member loses access at once. */
async function teamRole(deps: Deps, teamId: string, userId: string): Promise<Role | undefined> {
  return (await readMember(deps.db, teamId, userId))?.role;
}

/** A team no one is in (an id `newId` makes with odds of 2^-120): the role look-up of a refusal that needs none. */
const NO_TEAM = 'a'.repeat(24);

/**
 * Throws the contract's error unless `decide` allows; `what` names the thing in a 404. A user
 * refused something they cannot see costs the same reads whoever owns it (a team's member
 * look-up), so the time of a 404 does not tell a team's thing from another user's.
 */
export async function authorize(
  deps: Deps,
  principal: Principal,
  owner: Owner,
  action: Action,
  what = 'Resource',
): Promise<void> {
  const role =
    'teamId' in owner && principal.type === 'user' ? await teamRole(deps, owner.teamId, principal.userId) : undefined;
  const decision = decide(principal, owner, role, action);
  if (decision === 'hidden' && !('teamId' in owner)) return refuseMissing(deps, principal, what);
  enforce(decision, principal, action, what);
}

/** 404 for what does not exist, after the reads a refusal of something that exists makes. */
export async function refuseMissing(deps: Deps, principal: Principal, what: string): Promise<never> {
  if (principal.type === 'user') await teamRole(deps, NO_TEAM, principal.userId);
  throw notFound(what);
}

export function enforce(decision: Decision, principal: Principal, action: Action, what: string): void {
  if (decision === 'hidden') throw notFound(what);
  if (decision === 'allow') return;
  if (action === 'read-runtime') {
    throw forbidden(
      'Reading runtime values needs a service key, or an API key with the runtime scope of a user who can write this environment.',
    );
  }
  if (principal.type !== 'user') throw forbidden('This route needs a user API key.');
  throw forbidden(
    principal.scopes.includes('manage')
      ? 'Your role in this team does not allow this.'
      : 'This API key lacks the manage scope.',
  );
}

/** Routes about the caller themself (whoami, their keys, their teams) need a user key with `manage`. */
export function requireUser(principal: Principal): Extract<Principal, { type: 'user' }> {
  if (principal.type !== 'user') throw forbidden('This route needs a user API key.');
  if (!principal.scopes.includes('manage')) throw forbidden('This API key lacks the manage scope.');
  return principal;
}

export type UserPrincipal = Extract<Principal, { type: 'user' }>;

/** Admin routes need the platform admin key. */
export function requireAdmin(principal: Principal): void {
  if (principal.type !== 'admin') throw forbidden('This route needs an admin API key.');
}
