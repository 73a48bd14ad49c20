import { describe, expect, it } from 'vitest';
import {
  type Action,
  type Decision,
  type Target,
  authorizeKeyScopes,
  decide,
  enforce,
  requireAdmin,
  requireUser,
} from '../../shared/auth/authorization.js';
import type { Principal } from '../../shared/auth/principal.js';
import { ApiError } from '../../shared/errors.js';
import type { KeyScope, Role } from '../../shared/schemas.js';

/**
 * `decide` against a table written out by hand from the rules (README.md, "Rules it keeps";
 * docs/security.md, "Who can read what"), not derived from the code's own role table.
 */

/** The actions with a rule of their own (`check-runtime` is made of two of them: below). */
type OwnRule = Exclude<Action, 'check-runtime'>;
const ACTIONS: OwnRule[] = [
  'read',
  'write',
  'manage-members',
  'read-audit',
  'read-runtime',
  'manage-runtime-tokens',
  'manage-keys',
];
/** What reads runtime values, or hands a job a token to read them: the `runtime` scope's. */
const RUNTIME: Action[] = ['read-runtime', 'manage-runtime-tokens'];
const BOTH: KeyScope[] = ['manage', 'runtime'];
const SCOPE_SETS: KeyScope[][] = [BOTH, ['manage'], ['runtime']];

const user = (userId: string, scopes: KeyScope[]): Principal => ({
  type: 'user',
  userId,
  keyId: `key-${userId}`,
  scopes,
});
const service: Principal = { type: 'service', service: 'hosted-training', keyId: 'svc-key' };
const admin: Principal = { type: 'admin', keyId: 'admin-key' };
const token: Principal = {
  type: 'runtime-token',
  keyId: 'token-1',
  envId: 'env-1',
  jobId: 'job-1',
  expiresAt: '2099-01-01T00:00:00.000Z',
};

const TEAM = { teamId: 'team-1' };
const MINE = { userId: 'u-1' };
const THEIRS = { userId: 'u-2' };

/** What a team role may do with a key holding both scopes. */
const BY_ROLE: Record<Role, Record<OwnRule, Decision>> = {
  admin: {
    read: 'allow',
    write: 'allow',
    'manage-members': 'allow',
    'read-audit': 'allow',
    'read-runtime': 'allow',
    'manage-runtime-tokens': 'allow',
    'manage-keys': 'allow',
  },
  member: {
    read: 'allow',
    write: 'allow',
    'manage-members': 'forbidden',
    'read-audit': 'forbidden',
    'read-runtime': 'allow',
    'manage-runtime-tokens': 'allow',
    'manage-keys': 'forbidden',
  },
  viewer: {
    read: 'allow',
    write: 'forbidden',
    'manage-members': 'forbidden',
    'read-audit': 'forbidden',
    'read-runtime': 'forbidden',
    'manage-runtime-tokens': 'forbidden',
    'manage-keys': 'forbidden',
  },
};

/** A key without the scope an action needs is refused, whatever the role: runtime reads and tokens need `runtime`, the rest `manage`. */
const scopeAllows = (scopes: KeyScope[], action: Action) =>
  scopes.includes(RUNTIME.includes(action) ? 'runtime' : 'manage');

describe('decide: a team-owned thing', () => {
  for (const role of ['admin', 'member', 'viewer'] as const) {
    for (const scopes of SCOPE_SETS) {
      for (const action of ACTIONS) {
        const expected = scopeAllows(scopes, action) ? BY_ROLE[role][action] : 'forbidden';
        it(`${role} with a ${scopes.join('+')} key, ${action}: ${expected}`, () => {
          expect(decide(user('u-1', scopes), TEAM, role, action)).toBe(expected);
        });
      }
    }
  }

  for (const scopes of SCOPE_SETS) {
    it(`is hidden from a user outside the team (${scopes.join('+')} key), for every action`, () => {
      for (const action of ACTIONS) expect(decide(user('u-1', scopes), TEAM, undefined, action), action).toBe('hidden');
    });
  }

  it('does not take a user id for a team id', () => {
    for (const action of ACTIONS) {
      expect(decide(user('team-1', BOTH), TEAM, undefined, action), action).toBe('hidden');
    }
  });
});

describe('decide: a personal thing', () => {
  for (const scopes of SCOPE_SETS) {
    for (const action of ACTIONS) {
      const expected = scopeAllows(scopes, action) ? 'allow' : 'forbidden';
      it(`its owner with a ${scopes.join('+')} key, ${action}: ${expected}`, () => {
        expect(decide(user('u-1', scopes), MINE, undefined, action)).toBe(expected);
      });
    }
  }

  it('is hidden from another user, whatever role they hold in some team', () => {
    for (const action of ACTIONS) {
      for (const role of [undefined, 'admin', 'member', 'viewer'] as const) {
        expect(decide(user('u-1', BOTH), THEIRS, role, action), `${action} as ${role}`).toBe('hidden');
      }
    }
  });

  it('does not take a team id for a user id', () => {
    for (const action of ACTIONS) {
      expect(decide(user('u-1', BOTH), { teamId: 'u-1' }, undefined, action), action).toBe('hidden');
    }
  });
});

describe('decide: service and admin keys', () => {
  for (const owner of [TEAM, MINE]) {
    const scope = 'teamId' in owner ? 'team' : 'personal';
    for (const action of ACTIONS) {
      // Not users: what they may not do is hidden (404), so its existence is not told.
      const expected = RUNTIME.includes(action) ? 'allow' : 'hidden';
      it(`a service key on a ${scope} thing, ${action}: ${expected}`, () => {
        expect(decide(service, owner, undefined, action)).toBe(expected);
      });
      // The platform admin manages any owner's data keys, and sees nothing else of theirs.
      const byAdmin = action === 'manage-keys' ? 'allow' : 'hidden';
      it(`the admin key on a ${scope} thing, ${action}: ${byAdmin}`, () => {
        expect(decide(admin, owner, undefined, action)).toBe(byAdmin);
      });
    }
  }
});

describe('decide: the runtime check, for whoever may read the environment or its runtime set', () => {
  const cases: [string, Principal, Target, Role | undefined, Decision][] = [
    ['a team admin, manage key', user('u-1', ['manage']), TEAM, 'admin', 'allow'],
    ['a team member, runtime key', user('u-1', ['runtime']), TEAM, 'member', 'allow'],
    ['a team viewer, manage key', user('u-1', ['manage']), TEAM, 'viewer', 'allow'],
    ['a team viewer, runtime key', user('u-1', ['runtime']), TEAM, 'viewer', 'forbidden'],
    ['someone outside the team', user('u-1', BOTH), TEAM, undefined, 'hidden'],
    ['the owner, runtime key', user('u-1', ['runtime']), MINE, undefined, 'allow'],
    ['another user', user('u-1', BOTH), THEIRS, undefined, 'hidden'],
    ['a service key', service, TEAM, undefined, 'allow'],
    ['the admin key', admin, MINE, undefined, 'hidden'],
    ["a runtime token, its environment's", token, { ...TEAM, envId: 'env-1' }, undefined, 'allow'],
    ['a runtime token, another environment', token, { ...MINE, envId: 'env-2' }, undefined, 'hidden'],
  ];
  for (const [who, principal, owner, role, expected] of cases) {
    it(`${who}: ${expected}`, () => {
      expect(decide(principal, owner, role, 'check-runtime')).toBe(expected);
    });
  }
});

describe('decide: a runtime token', () => {
  for (const owner of [TEAM, MINE]) {
    const scope = 'teamId' in owner ? 'team' : 'personal';
    for (const action of ACTIONS) {
      // It reads its own environment's runtime set, nothing else: not even a token of its own.
      const expected = action === 'read-runtime' ? 'allow' : 'hidden';
      it(`its own ${scope} environment, ${action}: ${expected}`, () => {
        expect(decide(token, { ...owner, envId: 'env-1' }, undefined, action)).toBe(expected);
      });
    }
    it(`another ${scope} environment, or one not named, is hidden for every action`, () => {
      for (const action of ACTIONS) {
        expect(decide(token, { ...owner, envId: 'env-2' }, undefined, action), action).toBe('hidden');
        expect(decide(token, owner, 'admin', action), action).toBe('hidden');
      }
    });
  }
});

function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('expected an ApiError');
}

describe('enforce', () => {
  it('lets an allowed call through', () => {
    expect(() => enforce('allow', user('u-1', BOTH), 'write', 'Environment')).not.toThrow();
  });

  it('answers a hidden thing with 404 naming it, for every action and caller', () => {
    for (const principal of [user('u-1', BOTH), service, admin, token]) {
      for (const action of ACTIONS) {
        const err = thrown(() => enforce('hidden', principal, action, 'Environment'));
        expect([err.status, err.code, err.detail]).toEqual([404, 'not_found', 'Environment not found.']);
      }
    }
  });

  it('words a refusal by what is missing: the scope and the command that makes a key with it', () => {
    const runtime =
      'Reading runtime values needs a service key, or an API key with the runtime scope of a user who can write this environment';
    const tokens =
      'Runtime tokens are made, listed and revoked with a service key, or an API key with the runtime scope of a user who can write this environment';
    const lacksRuntime =
      'This API key lacks the runtime scope. Use a key that holds it, or make one with a key that does (the account key the admin issued holds every scope): prime api-key create --name NAME --scope manage --scope runtime';
    const lacksManage =
      'This API key lacks the manage scope. Use a key that holds it, or make one with a key that does (the account key the admin issued holds every scope): prime api-key create --name NAME';
    const cases: [Principal, Action, string][] = [
      [user('u-1', BOTH), 'read-runtime', `${runtime}: your role in this team does not allow it.`],
      [user('u-1', ['manage']), 'read-runtime', `${runtime}. ${lacksRuntime}`],
      [user('u-1', ['manage']), 'manage-runtime-tokens', `${tokens}. ${lacksRuntime}`],
      [service, 'write', 'This route needs a user API key.'],
      [admin, 'read', 'This route needs a user API key.'],
      [user('u-1', ['manage']), 'write', 'Your role in this team does not allow this.'],
      [user('u-1', ['runtime']), 'write', lacksManage],
    ];
    for (const [principal, action, detail] of cases) {
      const err = thrown(() => enforce('forbidden', principal, action, 'Environment'));
      expect([err.status, err.code, err.detail]).toEqual([403, 'forbidden', detail]);
    }
  });

  it('names the missing scope when a key asks for a key with more than it holds', () => {
    const err = thrown(() => authorizeKeyScopes(user('u-1', ['manage']), ['manage', 'runtime']));
    expect([err.status, err.detail]).toEqual([
      403,
      'This API key lacks the runtime scope: a key makes only keys with scopes it holds itself. Run the same command with a key that holds runtime, such as the account key the admin issued.',
    ]);
  });
});

describe('requireUser and requireAdmin', () => {
  it('requireUser takes a user key with manage and refuses the rest with 403', () => {
    const caller = user('u-1', ['manage']);
    expect(requireUser(caller)).toBe(caller);
    expect(thrown(() => requireUser(user('u-1', ['runtime']))).detail).toMatch(
      /^This API key lacks the manage scope\. .*: prime api-key create --name NAME$/,
    );
    for (const other of [service, admin, token]) {
      const err = thrown(() => requireUser(other));
      expect([err.status, err.detail]).toEqual([403, 'This route needs a user API key.']);
    }
  });

  it('requireAdmin takes only the admin key', () => {
    expect(() => requireAdmin(admin)).not.toThrow();
    for (const other of [user('u-1', BOTH), service, token]) {
      const err = thrown(() => requireAdmin(other));
      expect([err.status, err.detail]).toEqual([403, 'This route needs an admin API key.']);
    }
  });
});

describe('authorizeKeyScopes: a key makes only keys whose scopes it holds', () => {
  it('lets a user key give the scopes it holds, and names the first it lacks', () => {
    for (const held of SCOPE_SETS) {
      for (const asked of SCOPE_SETS) {
        const lacking = asked.find((scope) => !held.includes(scope));
        const call = () => authorizeKeyScopes(user('u-1', held), asked);
        if (!lacking) expect(call).not.toThrow();
        else {
          const err = thrown(call);
          expect([err.status, err.code]).toEqual([403, 'forbidden']);
          expect(err.detail).toContain(`lacks the ${lacking} scope`);
        }
      }
    }
  });

  it("lets the admin key issue a user's account key with any scope, and no other key give one", () => {
    for (const asked of SCOPE_SETS) {
      expect(() => authorizeKeyScopes(admin, asked)).not.toThrow();
      for (const other of [service, token]) expect(thrown(() => authorizeKeyScopes(other, asked)).status).toBe(403);
    }
  });
});
