import type { Deps } from '../deps.js';
import type { Owner } from '../owner-key.js';
import { forbidden, notFound } from '../errors.js';
import type { KeyScope, Role } from '../schemas.js';
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
  /** an environment's runtime tokens: mint, list, revoke (shared/services/runtime-tokens.ts) */
  | 'manage-runtime-tokens'
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
  'manage-runtime-tokens': ['admin', 'member'],
  'manage-keys': ['admin'],
};

/**
 * The actions on an environment's runtime: a service's on any environment, else a user's with the
 * runtime scope who can write it. Who may read the values may hand a job a token to read them.
 */
const RUNTIME_ACTIONS: readonly Action[] = ['read-runtime', 'manage-runtime-tokens'];

/**
 * What an action is on: its owner and, for an environment or anything in one, the environment's
 * id, which a runtime token is bound to.
 */
export type Target = Owner & { envId?: string };

/**
 * The one rule of who may do what. `role` is the caller's role in the team owning `target`
 * (undefined when not a member). Hidden things answer 404, visible ones the caller may
 * not change answer 403.
 */
export function decide(principal: Principal, target: Target, role: Role | undefined, action: Action): Decision {
  if (action === 'check-runtime') {
    const either = [decide(principal, target, role, 'read'), decide(principal, target, role, 'read-runtime')];
    return either.includes('allow') ? 'allow' : either.includes('forbidden') ? 'forbidden' : 'hidden';
  }
  // Service and admin keys are not users: only a service reads runtime values of any environment
  // (and mints tokens for them), only the platform admin manages any owner's data keys, and a
  // runtime token reads its own environment's runtime set. Nothing else owned is theirs to see,
  // so it is hidden (404) whether it exists or not.
  if (principal.type === 'service') return RUNTIME_ACTIONS.includes(action) ? 'allow' : 'hidden';
  if (principal.type === 'admin') return action === 'manage-keys' ? 'allow' : 'hidden';
  if (principal.type === 'runtime-token') {
    return action === 'read-runtime' && target.envId === principal.envId ? 'allow' : 'hidden';
  }
  const ownsIt = 'userId' in target && target.userId === principal.userId;
  const inTeam = 'teamId' in target && role !== undefined;
  if (!ownsIt && !inTeam) return 'hidden';
  const scopeNeeded = RUNTIME_ACTIONS.includes(action) ? 'runtime' : 'manage';
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
  target: Target,
  action: Action,
  what = 'Resource',
): Promise<void> {
  const role =
    'teamId' in target && principal.type === 'user' ? await teamRole(deps, target.teamId, principal.userId) : undefined;
  const decision = decide(principal, target, role, action);
  if (decision === 'hidden' && !('teamId' in target)) return refuseMissing(deps, principal, what);
  enforce(decision, principal, action, what);
}

/** 404 for what does not exist, after the reads a refusal of something that exists makes. */
export async function refuseMissing(deps: Deps, principal: Principal, what: string): Promise<never> {
  if (principal.type === 'user') await teamRole(deps, NO_TEAM, principal.userId);
  throw notFound(what);
}

const WHO_MAY = 'a service key, or an API key with the runtime scope of a user who can write this environment';
const RUNTIME_REFUSALS: Partial<Record<Action, string>> = {
  'read-runtime': `Reading runtime values needs ${WHO_MAY}`,
  'manage-runtime-tokens': `Runtime tokens are made, listed and revoked with ${WHO_MAY}`,
};

/**
 * The command that makes a key with `scope`. A runtime key also holds manage, so `prime env run
 * owner/name` can look its environment up; a key makes only scopes it holds (authorizeKeyScopes).
 */
const MAKE_KEY: Record<KeyScope, string> = {
  manage: 'prime api-key create --name NAME',
  runtime: 'prime api-key create --name NAME --scope manage --scope runtime',
};

/** A key without `scope`: which scope is needed and how to get a key that holds it. */
export function missingScope(scope: KeyScope): string {
  return (
    `This API key lacks the ${scope} scope. Use a key that holds it, or make one with a key that does ` +
    `(the account key the admin issued holds every scope): ${MAKE_KEY[scope]}`
  );
}

export function enforce(decision: Decision, principal: Principal, action: Action, what: string): void {
  if (decision === 'hidden') throw notFound(what);
  if (decision === 'allow') return;
  const runtimeRefusal = RUNTIME_REFUSALS[action];
  if (principal.type === 'user' && runtimeRefusal) {
    throw forbidden(
      principal.scopes.includes('runtime')
        ? `${runtimeRefusal}: your role in this team does not allow it.`
        : `${runtimeRefusal}. ${missingScope('runtime')}`,
    );
  }
  if (runtimeRefusal) throw forbidden(`${runtimeRefusal}.`);
  if (principal.type !== 'user') throw forbidden('This route needs a user API key.');
  throw forbidden(
    principal.scopes.includes('manage') ? 'Your role in this team does not allow this.' : missingScope('manage'),
  );
}

/** Routes about the caller themself (whoami, their keys, their teams) need a user key with `manage`. */
export function requireUser(principal: Principal): Extract<Principal, { type: 'user' }> {
  if (principal.type !== 'user') throw forbidden('This route needs a user API key.');
  if (!principal.scopes.includes('manage')) throw forbidden(missingScope('manage'));
  return principal;
}

export type UserPrincipal = Extract<Principal, { type: 'user' }>;

/**
 * A key makes only keys whose scopes it holds itself, so a `manage` key cannot make a `runtime`
 * key and read the values it may not. The platform admin issues a user's account key, which holds
 * every scope (shared/services/api-keys.ts).
 */
export function authorizeKeyScopes(principal: Principal, scopes: readonly KeyScope[]): void {
  if (principal.type === 'admin') return;
  const held: readonly KeyScope[] = principal.type === 'user' ? principal.scopes : [];
  const missing = scopes.find((scope) => !held.includes(scope));
  if (missing) {
    throw forbidden(
      `This API key lacks the ${missing} scope: a key makes only keys with scopes it holds itself. ` +
        `Run the same command with a key that holds ${missing}, such as the account key the admin issued.`,
    );
  }
}

/** Admin routes need the platform admin key. */
export function requireAdmin(principal: Principal): void {
  if (principal.type !== 'admin') throw forbidden('This route needs an admin API key.');
}
