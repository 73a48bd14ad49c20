import { beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_RESOURCES, ROUTES } from '../../functions/routes.js';
import { startTestService, type CallResult, type TestService } from '../support/service.js';

/**
 * The authorization matrix, generated from the route table: every route × every kind of
 * caller → the status the API's rules imply. The expectations are a small rule table keyed by
 * route; a route of ROUTES without one fails, so a new route cannot be missed.
 *
 * The team environment and team secrets are the targets where roles matter; the seeded user
 * (the team's admin) owns the personal targets. A call that mutates gets a fresh target, so a
 * DELETE in one row does not break the next.
 */

const V1 = '/api/v1';

const KINDS = [
  'none',
  'revoked',
  'other',
  'viewer',
  'member',
  'teamAdmin',
  'service',
  'runtime',
  'adminKey',
  'token',
] as const;
type Kind = (typeof KINDS)[number];

/** The user kinds with a manage key: each acts in their own personal scope. */
const USERS: Kind[] = ['other', 'viewer', 'member', 'teamAdmin'];

type Statuses = Record<Kind, number>;

/** No key the route takes: none, a revoked one, or a runtime token (taken only by the runtime read). */
const UNAUTHENTICATED: Kind[] = ['none', 'revoked', 'token'];

/** `ok` for `allowed`, 404 for `hidden` (never revealing existence), 401 without a valid key, 403 otherwise. */
function rule(ok: number, allowed: Kind[], hidden: Kind[] = []): Statuses {
  return Object.fromEntries(
    KINDS.map((k) => [
      k,
      allowed.includes(k) ? ok : hidden.includes(k) ? 404 : UNAUTHENTICATED.includes(k) ? 401 : 403,
    ]),
  ) as Statuses;
}

/**
 * Things addressed by id (an environment, a team's members): a service or admin key, which is not
 * a user, is told nothing about them, existing or not (404 where a user would get 403).
 */
function hiddenFromKeys(statuses: Statuses): Statuses {
  const hidden = { ...statuses };
  for (const k of ['service', 'adminKey'] as const) if (hidden[k] === 403) hidden[k] = 404;
  return hidden;
}

/**
 * The API's rules (README.md, "Rules it keeps"). Team roles: admin everything, member writes, viewer reads metadata and
 * variables; someone outside the team does not see it (404); service and admin keys are not
 * users (403 on user routes, 404 on things by id), but a service reads runtime values of any environment; a runtime-only key (of a
 * team member) reads runtime values of environments its user can write and manages nothing. A
 * runtime token (of the team environment) reads that environment's runtime set and is refused
 * (401) by every other route; another environment's runtime is hidden from it.
 */
const RULES = {
  public: Object.fromEntries(KINDS.map((k) => [k, 200])) as Statuses,
  /** Routes about the caller and their own personal scope: any user with a manage key. */
  self: (ok: number) => rule(ok, USERS),
  adminOnly: (ok: number) => rule(ok, ['adminKey']),
  teamRead: (ok: number) => rule(ok, ['viewer', 'member', 'teamAdmin'], ['other']),
  teamWrite: (ok: number) => rule(ok, ['member', 'teamAdmin'], ['other']),
  teamAdmin: (ok: number) => rule(ok, ['teamAdmin'], ['other']),
  teamRuntime: rule(200, ['service', 'runtime', 'token'], ['other']),
  /** A personal environment of the team admin, by id: nobody else sees it. */
  personalEnvironment: (ok: number) => rule(ok, ['teamAdmin'], ['other', 'viewer', 'member', 'runtime']),
  /** A personal global secret of the team admin: not in anyone else's personal scope. */
  personalSecret: (ok: number) => rule(ok, ['teamAdmin'], ['other', 'viewer', 'member']),
  /** The team admin's manage-only key lacks the runtime scope; the others do not see it. */
  personalRuntime: rule(200, ['service'], ['other', 'viewer', 'member', 'runtime', 'token']),
  /** Whether a job can start: whoever may read the environment or its runtime set. */
  teamCheck: rule(200, ['viewer', 'member', 'teamAdmin', 'service', 'runtime', 'token'], ['other']),
  personalCheck: rule(200, ['teamAdmin', 'service'], ['other', 'viewer', 'member', 'runtime', 'token']),
  /** Runtime tokens are made, listed and revoked by whoever reads the runtime values: never by a token. */
  teamTokens: (ok: number) => rule(ok, ['service', 'runtime'], ['other']),
  personalTokens: (ok: number) => rule(ok, ['service'], ['other', 'viewer', 'member', 'runtime']),
  /** Data keys: a user's own (the admin key names an owner, a service key has none), */
  ownKeys: (ok: number) => rule(ok, USERS, ['service', 'adminKey']),
  /** a team's, for its admins and the admin key, */
  teamKeys: (ok: number) => rule(ok, ['teamAdmin', 'adminKey'], ['other', 'service']),
  /** and the team admin's named by their user id: theirs and the admin key's only. */
  userKeys: (ok: number) => rule(ok, ['teamAdmin', 'adminKey'], ['other', 'viewer', 'member', 'service', 'runtime']),
};

/** One request of a row, and for a DELETE how to tell whether its target is still there. */
interface Request {
  path: string;
  body?: unknown;
  exists?: () => Promise<boolean>;
}

interface Case {
  label: string;
  request: (who: Kind) => Promise<Request>;
  /** Statuses by caller; 'no-key' where an API key must not change the answer at all. */
  expect: Statuses | 'no-key';
}

let svc: TestService;
const keyOf = {} as Record<Kind, string | undefined>;
let teamId: string;
let teamEnv: string;
let personalEnv: string;
let teamDirect: string;
let teamVariable: string;
let teamGlobal: string;
let personalDirect: string;
let personalVariable: string;
let personalGlobal: string;

let counter = 0;
const unique = (prefix: string) => `${prefix}${++counter}`;
const upper = () => unique('MATRIX_');
const lower = () => unique('matrix-');

async function expectCreated(res: Promise<CallResult>, what: string): Promise<any> {
  const done = await res;
  expect(done.status, `${what}: ${JSON.stringify(done.body)}`).toBe(201);
  return done.body.data;
}

/** As the team admin (the seeded user), who owns every target. */
const asOwner = (method: string, path: string, body?: unknown) =>
  svc.call(method, path, { key: svc.seed.user.apiKey, body });

const newUser = () => svc.newUser(unique('matrix-user-'));

async function newMember(
  role: 'viewer' | 'member' | 'admin',
): Promise<{ id: string; key: string; accountKey: string }> {
  const user = await newUser();
  await expectCreated(asOwner('POST', `${V1}/teams/${teamId}/members`, { userId: user.id, role }), `add ${role}`);
  return user;
}

const fresh = {
  environment: async (team: boolean) =>
    (
      await expectCreated(
        asOwner('POST', `${V1}/environmentshub`, { name: lower(), ...(team ? { teamId } : {}) }),
        'env',
      )
    ).id as string,
  global: async (team: boolean) =>
    (
      await expectCreated(
        asOwner('POST', `${V1}/secrets`, { name: upper(), value: 'g', ...(team ? { teamId } : {}) }),
        'global',
      )
    ).id as string,
  direct: async (envId: string) =>
    (
      await expectCreated(
        asOwner('POST', `${V1}/environmentshub/${envId}/secrets`, { name: upper(), value: 'd' }),
        'direct',
      )
    ).id as string,
  variable: async (envId: string) =>
    (
      await expectCreated(
        asOwner('POST', `${V1}/environmentshub/${envId}/variables`, { name: upper(), value: 'v' }),
        'var',
      )
    ).id as string,
  link: async (envId: string, team: boolean) => {
    const secretId = await fresh.global(team);
    await expectCreated(asOwner('POST', `${V1}/environmentshub/${envId}/secrets/link/${secretId}`, {}), 'link');
    return secretId;
  },
  /** A runtime token of the environment, minted by the service key. */
  runtimeToken: async (envId: string) => {
    const data = await expectCreated(
      svc.call('POST', `${V1}/environmentshub/${envId}/runtime-tokens`, {
        key: svc.seed.serviceKey,
        body: { jobId: unique('matrix-job-') },
      }),
      'runtime token',
    );
    return { id: data.id as string, token: data.token as string };
  },
  /** A new key of the caller when they are a user, else of the team admin. */
  apiKey: async (ownerKey: string) => {
    const data = await expectCreated(
      svc.call('POST', `${V1}/user/api-keys`, { key: ownerKey, body: { name: 'matrix' } }),
      'api key',
    );
    return { id: data.id as string, key: data.key as string };
  },
};

const listed = async (path: string, match: (item: any) => boolean) => {
  const res = await asOwner('GET', path);
  expect(res.status).toBe(200);
  return (res.body.data as any[]).some(match);
};
const found = async (path: string) => (await asOwner('GET', path)).status === 200;

/** The query of a team-scoped `/secrets` route. */
const scope = (team: boolean) => (team ? `?teamId=${teamId}` : '');

function environmentCases(team: boolean): Record<string, Case> {
  const env = () => (team ? teamEnv : personalEnv);
  const read = (ok: number) => hiddenFromKeys((team ? RULES.teamRead : RULES.personalEnvironment)(ok));
  const write = (ok: number) => hiddenFromKeys((team ? RULES.teamWrite : RULES.personalEnvironment)(ok));
  const tokens = (ok: number) => hiddenFromKeys((team ? RULES.teamTokens : RULES.personalTokens)(ok));
  const label = team ? 'team environment' : 'personal environment';
  const E = `${V1}/environmentshub/{envId}`;
  return {
    [`DELETE ${E}`]: {
      label,
      request: async () => {
        const id = await fresh.environment(team);
        return { path: `${V1}/environmentshub/${id}`, exists: () => found(`${V1}/environmentshub/${id}/variables`) };
      },
      expect: write(200),
    },
    [`GET ${E}/secrets`]: {
      label,
      request: async () => ({ path: `${V1}/environmentshub/${env()}/secrets` }),
      expect: read(200),
    },
    [`POST ${E}/secrets`]: {
      label,
      request: async () => ({ path: `${V1}/environmentshub/${env()}/secrets`, body: { name: upper(), value: 'x' } }),
      expect: write(201),
    },
    [`PATCH ${E}/secrets/{id}`]: {
      label,
      request: async () => ({
        path: `${V1}/environmentshub/${env()}/secrets/${team ? teamDirect : personalDirect}`,
        body: { description: unique('changed ') },
      }),
      expect: write(200),
    },
    [`DELETE ${E}/secrets/{id}`]: {
      label,
      request: async () => {
        const id = await fresh.direct(env());
        const path = `${V1}/environmentshub/${env()}/secrets`;
        return { path: `${path}/${id}`, exists: () => listed(path, (s) => s.id === id) };
      },
      expect: write(200),
    },
    [`POST ${E}/secrets/link/{globalSecretId}`]: {
      label,
      request: async () => ({
        path: `${V1}/environmentshub/${env()}/secrets/link/${await fresh.global(team)}`,
        body: {},
      }),
      expect: write(201),
    },
    [`DELETE ${E}/secrets/link/{globalSecretId}`]: {
      label,
      request: async () => {
        const secretId = await fresh.link(env(), team);
        const path = `${V1}/environmentshub/${env()}/secrets`;
        return {
          path: `${path}/link/${secretId}`,
          exists: () => listed(path, (s) => s.secretId === secretId && s.source === 'global-linked'),
        };
      },
      expect: write(200),
    },
    [`GET ${E}/variables`]: {
      label,
      request: async () => ({ path: `${V1}/environmentshub/${env()}/variables` }),
      expect: read(200),
    },
    [`POST ${E}/variables`]: {
      label,
      request: async () => ({ path: `${V1}/environmentshub/${env()}/variables`, body: { name: upper(), value: 'x' } }),
      expect: write(201),
    },
    [`PATCH ${E}/variables/{id}`]: {
      label,
      request: async () => ({
        path: `${V1}/environmentshub/${env()}/variables/${team ? teamVariable : personalVariable}`,
        body: { value: unique('changed-') },
      }),
      expect: write(200),
    },
    [`DELETE ${E}/variables/{id}`]: {
      label,
      request: async () => {
        const id = await fresh.variable(env());
        const path = `${V1}/environmentshub/${env()}/variables`;
        return { path: `${path}/${id}`, exists: () => listed(path, (v) => v.id === id) };
      },
      expect: write(200),
    },
    ...historyCases(label, `${E}/secrets/{id}`, {
      kept: () => `${V1}/environmentshub/${env()}/secrets/${team ? teamDirect : personalDirect}`,
      deleted: async () => {
        const id = await fresh.direct(env());
        await asOwner('DELETE', `${V1}/environmentshub/${env()}/secrets/${id}`);
        return `${V1}/environmentshub/${env()}/secrets/${id}`;
      },
      read,
      write,
    }),
    ...historyCases(label, `${E}/variables/{id}`, {
      kept: () => `${V1}/environmentshub/${env()}/variables/${team ? teamVariable : personalVariable}`,
      deleted: async () => {
        const id = await fresh.variable(env());
        await asOwner('DELETE', `${V1}/environmentshub/${env()}/variables/${id}`);
        return `${V1}/environmentshub/${env()}/variables/${id}`;
      },
      read,
      write,
    }),
    [`GET ${E}/requirements`]: {
      label,
      request: async () => ({ path: `${V1}/environmentshub/${env()}/requirements` }),
      expect: read(200),
    },
    [`PUT ${E}/requirements/{name}`]: {
      label,
      // Optional: the requirements this row leaves behind must not stop the runtime rows' reads.
      request: async () => ({
        path: `${V1}/environmentshub/${env()}/requirements/${upper()}`,
        body: { optional: true },
      }),
      expect: write(200),
    },
    [`DELETE ${E}/requirements/{name}`]: {
      label,
      request: async () => {
        const name = upper();
        const path = `${V1}/environmentshub/${env()}/requirements`;
        expect((await asOwner('PUT', `${path}/${name}`, { optional: true })).status).toBe(200);
        return { path: `${path}/${name}`, exists: () => listed(path, (r) => r.name === name) };
      },
      expect: write(200),
    },
    [`GET ${E}/runtime/check`]: {
      label,
      request: async () => ({ path: `${V1}/environmentshub/${env()}/runtime/check` }),
      expect: hiddenFromKeys(team ? RULES.teamCheck : RULES.personalCheck),
    },
    [`GET ${E}/runtime`]: {
      label,
      request: async () => ({ path: `${V1}/environmentshub/${env()}/runtime` }),
      expect: hiddenFromKeys(team ? RULES.teamRuntime : RULES.personalRuntime),
    },
    [`POST ${E}/runtime-tokens`]: {
      label,
      request: async () => ({
        path: `${V1}/environmentshub/${env()}/runtime-tokens`,
        body: { jobId: unique('matrix-job-') },
      }),
      expect: tokens(201),
    },
    [`GET ${E}/runtime-tokens`]: {
      label,
      request: async () => ({ path: `${V1}/environmentshub/${env()}/runtime-tokens` }),
      expect: tokens(200),
    },
    [`DELETE ${E}/runtime-tokens/{id}`]: {
      label,
      request: async () => {
        const made = await fresh.runtimeToken(env());
        return {
          path: `${V1}/environmentshub/${env()}/runtime-tokens/${made.id}`,
          exists: async () =>
            (await svc.call('GET', `${V1}/environmentshub/${env()}/runtime`, { key: made.token })).status === 200,
        };
      },
      expect: tokens(200),
    },
  };
}

function globalSecretCases(team: boolean): Record<string, Case> {
  const label = team ? 'team secrets (?teamId=, teamId in the body)' : 'personal secrets (no teamId)';
  const byId = team ? RULES.teamRead : RULES.personalSecret;
  const writeById = team ? RULES.teamWrite : RULES.personalSecret;
  return {
    [`GET ${V1}/secrets`]: {
      label,
      request: async () => ({ path: `${V1}/secrets${scope(team)}` }),
      expect: team ? RULES.teamRead(200) : RULES.self(200),
    },
    [`POST ${V1}/secrets`]: {
      label,
      request: async () => ({
        path: `${V1}/secrets`,
        body: { name: upper(), value: 'x', ...(team ? { teamId } : {}) },
      }),
      expect: team ? RULES.teamWrite(201) : RULES.self(201),
    },
    [`GET ${V1}/secrets/{id}`]: {
      label,
      request: async () => ({ path: `${V1}/secrets/${team ? teamGlobal : personalGlobal}${scope(team)}` }),
      expect: byId(200),
    },
    [`PATCH ${V1}/secrets/{id}`]: {
      label,
      request: async () => ({
        path: `${V1}/secrets/${team ? teamGlobal : personalGlobal}${scope(team)}`,
        body: { description: unique('changed ') },
      }),
      expect: writeById(200),
    },
    [`DELETE ${V1}/secrets/{id}`]: {
      label,
      request: async () => {
        const id = await fresh.global(team);
        return { path: `${V1}/secrets/${id}${scope(team)}`, exists: () => found(`${V1}/secrets/${id}${scope(team)}`) };
      },
      expect: writeById(200),
    },
    ...historyCases(label, `${V1}/secrets/{id}`, {
      kept: () => `${V1}/secrets/${team ? teamGlobal : personalGlobal}`,
      deleted: async () => {
        const id = await fresh.global(team);
        await asOwner('DELETE', `${V1}/secrets/${id}${scope(team)}`);
        return `${V1}/secrets/${id}`;
      },
      query: scope(team),
      read: byId,
      write: writeById,
    }),
  };
}

/**
 * The versions, rollback and restore of a value at `route`: reading its versions is a read,
 * rolling it back or restoring it (a fresh one deleted for each call) a write.
 */
function historyCases(
  label: string,
  route: string,
  target: {
    kept: () => string;
    deleted: () => Promise<string>;
    query?: string;
    read: (ok: number) => Statuses;
    write: (ok: number) => Statuses;
  },
): Record<string, Case> {
  const query = target.query ?? '';
  return {
    [`GET ${route}/versions`]: {
      label,
      request: async () => ({ path: `${target.kept()}/versions${query}` }),
      expect: target.read(200),
    },
    [`POST ${route}/rollback`]: {
      label,
      request: async () => ({ path: `${target.kept()}/rollback${query}`, body: { version: 1 } }),
      expect: target.write(200),
    },
    [`POST ${route}/restore`]: {
      label,
      request: async () => ({ path: `${await target.deleted()}/restore${query}`, body: {} }),
      expect: target.write(200),
    },
  };
}

/** Every route's rows; keyed by `METHOD path` exactly as in ROUTES. */
function expectations(): Record<string, Case[]> {
  const table: Record<string, Case[]> = {};
  const add = (cases: Record<string, Case>) => {
    for (const [route, c] of Object.entries(cases)) table[route] = [...(table[route] ?? []), c];
  };
  const one = (route: string, c: Case) => add({ [route]: c });

  one(`GET ${V1}/health`, { label: 'health', request: async () => ({ path: `${V1}/health` }), expect: RULES.public });
  one(`GET ${V1}/health/deep`, {
    label: 'the dependencies',
    request: async () => ({ path: `${V1}/health/deep` }),
    expect: RULES.adminOnly(200),
  });
  one('GET /openapi.json', {
    label: 'the API',
    request: async () => ({ path: '/openapi.json' }),
    expect: RULES.public,
  });
  one(`GET ${V1}/user/whoami`, {
    label: 'the caller',
    request: async () => ({ path: `${V1}/user/whoami` }),
    expect: RULES.self(200),
  });
  one(`GET ${V1}/user/teams`, {
    label: 'the caller',
    request: async () => ({ path: `${V1}/user/teams` }),
    expect: RULES.self(200),
  });
  one(`POST ${V1}/teams`, {
    label: 'a new team',
    request: async () => ({ path: `${V1}/teams`, body: { name: 'Matrix', slug: lower() } }),
    expect: RULES.self(201),
  });
  one(`GET ${V1}/teams/{teamId}/members`, {
    label: 'the team',
    request: async () => ({ path: `${V1}/teams/${teamId}/members` }),
    expect: hiddenFromKeys(RULES.teamRead(200)),
  });
  one(`POST ${V1}/teams/{teamId}/members`, {
    label: 'the team, a new user',
    request: async () => ({
      path: `${V1}/teams/${teamId}/members`,
      body: { userId: (await newUser()).id, role: 'viewer' },
    }),
    expect: hiddenFromKeys(RULES.teamAdmin(201)),
  });
  one(`PATCH ${V1}/teams/{teamId}/members/{userId}`, {
    label: 'the team, a fresh viewer',
    request: async () => ({
      path: `${V1}/teams/${teamId}/members/${(await newMember('viewer')).id}`,
      body: { role: 'member' },
    }),
    expect: hiddenFromKeys(RULES.teamAdmin(200)),
  });
  one(`DELETE ${V1}/teams/{teamId}/members/{userId}`, {
    label: 'the team, a fresh viewer',
    request: async () => {
      const { id } = await newMember('viewer');
      const members = `${V1}/teams/${teamId}/members`;
      return { path: `${members}/${id}`, exists: () => listed(`${members}?limit=500`, (m) => m.userId === id) };
    },
    expect: hiddenFromKeys(RULES.teamAdmin(200)),
  });
  one(`POST ${V1}/user/api-keys`, {
    label: 'the caller',
    request: async () => ({ path: `${V1}/user/api-keys`, body: { name: 'matrix' } }),
    expect: RULES.self(201),
  });
  one(`GET ${V1}/user/api-keys`, {
    label: 'the caller',
    request: async () => ({ path: `${V1}/user/api-keys` }),
    expect: RULES.self(200),
  });
  one(`DELETE ${V1}/user/api-keys/{id}`, {
    label: "a key of the team admin's",
    request: async () => {
      const issued = await fresh.apiKey(svc.seed.user.apiKey);
      return { path: `${V1}/user/api-keys/${issued.id}`, exists: () => keyWorks(issued.key) };
    },
    expect: rule(200, ['teamAdmin'], ['other', 'viewer', 'member']),
  });
  one(`DELETE ${V1}/user/api-keys/{id}`, {
    label: "the caller's own key",
    request: async (who) => {
      const issued = await fresh.apiKey(USERS.includes(who) ? keyOf[who]! : svc.seed.user.apiKey);
      return { path: `${V1}/user/api-keys/${issued.id}`, exists: () => keyWorks(issued.key) };
    },
    expect: RULES.self(200),
  });
  one(`POST ${V1}/admin/users`, {
    label: 'a new user',
    request: async () => {
      const slug = lower();
      return { path: `${V1}/admin/users`, body: { email: `${slug}@example.com`, name: slug, slug } };
    },
    expect: RULES.adminOnly(201),
  });
  one(`GET ${V1}/admin/users`, {
    label: 'every user',
    request: async () => ({ path: `${V1}/admin/users` }),
    expect: RULES.adminOnly(200),
  });
  one(`POST ${V1}/admin/users/{userId}/disable`, {
    label: 'a fresh user',
    request: async () => {
      const user = await newUser();
      return { path: `${V1}/admin/users/${user.id}/disable`, body: {}, exists: () => keyWorks(user.key) };
    },
    expect: RULES.adminOnly(200),
  });
  one(`POST ${V1}/admin/users/{userId}/enable`, {
    label: 'a fresh disabled user',
    request: async () => {
      const user = await newUser();
      const disabled = await svc.call('POST', `${V1}/admin/users/${user.id}/disable`, { key: svc.seed.adminKey });
      expect(disabled.status).toBe(200);
      // "still there" is the user still disabled
      return { path: `${V1}/admin/users/${user.id}/enable`, body: {}, exists: async () => !(await keyWorks(user.key)) };
    },
    expect: RULES.adminOnly(200),
  });
  one(`POST ${V1}/admin/users/{userId}/api-keys`, {
    label: "the team admin's",
    request: async () => ({ path: `${V1}/admin/users/${svc.seed.user.id}/api-keys`, body: { name: 'matrix' } }),
    expect: RULES.adminOnly(201),
  });
  one(`GET ${V1}/admin/api-keys`, {
    label: 'the admin keys',
    request: async () => ({ path: `${V1}/admin/api-keys` }),
    expect: RULES.adminOnly(200),
  });
  one(`POST ${V1}/admin/api-keys`, {
    label: 'a new admin key',
    request: async () => ({ path: `${V1}/admin/api-keys`, body: { name: 'matrix' } }),
    expect: RULES.adminOnly(201),
  });
  one(`DELETE ${V1}/admin/api-keys/{id}`, {
    label: 'a fresh admin key',
    request: async () => {
      const made = await svc.call('POST', `${V1}/admin/api-keys`, { key: svc.seed.adminKey, body: { name: 'matrix' } });
      expect(made.status).toBe(201);
      return { path: `${V1}/admin/api-keys/${made.body.data.id}`, exists: () => adminKeyWorks(made.body.data.key) };
    },
    expect: RULES.adminOnly(200),
  });
  one(`POST ${V1}/admin/service-keys`, {
    label: 'a new service key',
    request: async () => ({
      path: `${V1}/admin/service-keys`,
      body: { service: 'hosted-evaluations', name: 'matrix' },
    }),
    expect: RULES.adminOnly(201),
  });
  one(`GET ${V1}/admin/service-keys`, {
    label: 'the service keys',
    request: async () => ({ path: `${V1}/admin/service-keys` }),
    expect: RULES.adminOnly(200),
  });
  one(`DELETE ${V1}/admin/service-keys/{id}`, {
    label: 'a fresh service key',
    request: async () => {
      const made = await svc.call('POST', `${V1}/admin/service-keys`, {
        key: svc.seed.adminKey,
        body: { service: 'hosted-training', name: 'matrix' },
      });
      expect(made.status).toBe(201);
      return {
        path: `${V1}/admin/service-keys/${made.body.data.id}`,
        exists: () => serviceKeyWorks(made.body.data.key),
      };
    },
    expect: RULES.adminOnly(200),
  });
  one(`GET ${V1}/admin/audit`, {
    label: "the platform's audit log",
    request: async () => ({ path: `${V1}/admin/audit` }),
    expect: RULES.adminOnly(200),
  });

  for (const team of [true, false]) {
    const label = team ? 'team' : 'personal';
    one(`POST ${V1}/environmentshub`, {
      label,
      request: async () => ({ path: `${V1}/environmentshub`, body: { name: lower(), ...(team ? { teamId } : {}) } }),
      expect: team ? RULES.teamWrite(201) : RULES.self(201),
    });
    one(`GET ${V1}/environmentshub`, {
      label,
      request: async () => ({ path: `${V1}/environmentshub${scope(team)}` }),
      expect: team ? RULES.teamRead(200) : RULES.self(200),
    });
    one(`GET ${V1}/environmentshub/{owner}/{name}/@latest`, {
      label,
      request: async () => {
        const env = team ? svc.seed.environments.team : svc.seed.environments.personal;
        return { path: `${V1}/environmentshub/${env.owner}/${env.name}/@latest` };
      },
      expect: hiddenFromKeys(team ? RULES.teamRead(200) : RULES.personalEnvironment(200)),
    });
    add(environmentCases(team));
    add(globalSecretCases(team));
    one(`GET ${V1}/audit`, {
      label,
      request: async () => ({ path: `${V1}/audit${scope(team)}` }),
      expect: team ? RULES.teamAdmin(200) : RULES.self(200),
    });
  }

  const keyOwners: [string, string, Record<string, string>, (ok: number) => Statuses][] = [
    ["the caller's own data keys", '', {}, RULES.ownKeys],
    ["the team's data keys (teamId)", `?teamId=${teamId}`, { teamId }, RULES.teamKeys],
    [
      "the team admin's data keys (userId)",
      `?userId=${svc.seed.user.id}`,
      { userId: svc.seed.user.id },
      RULES.userKeys,
    ],
  ];
  for (const [label, query, body, statuses] of keyOwners) {
    one(`GET ${V1}/data-keys`, {
      label,
      request: async () => ({ path: `${V1}/data-keys${query}` }),
      expect: statuses(200),
    });
    one(`POST ${V1}/data-keys/rotate`, {
      label,
      request: async () => ({ path: `${V1}/data-keys/rotate`, body }),
      expect: statuses(202),
    });
  }

  // The web console authenticates by its own session cookie, never by an API key: whatever
  // the key, the answer is the one without a key.
  for (const route of [
    'GET /console',
    'GET /console/assets/console.css',
    'GET /console/signin',
    'POST /console/signin',
    'POST /console/signout',
    'POST /console/secrets',
    'GET /console/secrets/{id}',
    'POST /console/secrets/{id}',
    'POST /console/secrets/{id}/delete',
    'POST /console/secrets/{id}/rollback',
    'POST /console/secrets/{id}/restore',
    'POST /console/secrets/{id}/links',
    'POST /console/secrets/{id}/links/{envId}/delete',
    'POST /console/file-secrets',
    'GET /console/environments',
    'POST /console/environments',
    'GET /console/environments/{envId}',
    'POST /console/environments/{envId}/delete',
    'POST /console/environments/{envId}/file-secrets',
    'GET /console/environments/{envId}/secrets',
    'GET /console/assets/copy.js',
    'GET /console/keys',
    'POST /console/keys',
    'POST /console/keys/{id}/revoke',
    'POST /console/environments/{envId}/secrets',
    'GET /console/environments/{envId}/secrets/{id}',
    'POST /console/environments/{envId}/secrets/{id}',
    'POST /console/environments/{envId}/secrets/{id}/delete',
    'POST /console/environments/{envId}/secrets/{id}/rollback',
    'POST /console/environments/{envId}/secrets/{id}/restore',
    'POST /console/environments/{envId}/links',
    'POST /console/environments/{envId}/links/{secretId}/delete',
    'GET /console/environments/{envId}/requirements',
    'POST /console/environments/{envId}/requirements',
    'POST /console/environments/{envId}/requirements/{name}/delete',
    'GET /console/environments/{envId}/variables',
    'POST /console/environments/{envId}/variables',
    'GET /console/environments/{envId}/variables/{id}',
    'POST /console/environments/{envId}/variables/{id}',
    'POST /console/environments/{envId}/variables/{id}/delete',
    'POST /console/environments/{envId}/variables/{id}/rollback',
    'POST /console/environments/{envId}/variables/{id}/restore',
    'GET /console/environments/{envId}/job-view',
    'GET /console/environments/{envId}/deleted',
  ]) {
    const path = route.split(' ')[1]!;
    one(route, {
      label: 'console, no session',
      request: async () => ({
        path: path
          .replace('{envId}', teamEnv)
          .replace('{secretId}', teamGlobal)
          .replace('{name}', 'CONSOLE_NEEDED')
          .replace(
            '{id}',
            path.includes('/variables/') ? teamVariable : path.includes('/environments/') ? teamDirect : teamGlobal,
          ),
      }),
      expect: 'no-key',
    });
  }
  return table;
}

async function keyWorks(key: string): Promise<boolean> {
  return (await svc.call('GET', `${V1}/user/whoami`, { key })).status === 200;
}

async function adminKeyWorks(key: string): Promise<boolean> {
  return (await svc.call('GET', `${V1}/admin/api-keys`, { key })).status === 200;
}

async function serviceKeyWorks(key: string): Promise<boolean> {
  return (await svc.call('GET', `${V1}/environmentshub/${teamEnv}/runtime`, { key })).status === 200;
}

const CODES: Record<number, string> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found' };

let table: Record<string, Case[]>;
/** The OpenAPI document the service serves. */
let openApi: { paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>> };

beforeAll(async () => {
  svc = await startTestService();
  teamId = svc.seed.team.id;
  teamEnv = svc.seed.environments.team.id;
  personalEnv = svc.seed.environments.personal.id;

  // the callers
  const viewer = await newMember('viewer');
  const member = await newMember('member');
  const other = await newUser();
  const revoked = await fresh.apiKey(svc.seed.user.apiKey);
  expect(await keyWorks(revoked.key)).toBe(true);
  expect((await asOwner('DELETE', `${V1}/user/api-keys/${revoked.id}`)).status).toBe(200);
  const runtimeOnly = await expectCreated(
    svc.call('POST', `${V1}/user/api-keys`, {
      key: member.accountKey,
      body: { name: 'runtime only', scopes: ['runtime'] },
    }),
    'runtime key',
  );
  expect(runtimeOnly.scopes).toEqual(['runtime']);
  Object.assign(keyOf, {
    none: undefined,
    revoked: revoked.key,
    other: other.key,
    viewer: viewer.key,
    member: member.key,
    teamAdmin: svc.seed.user.apiKey,
    service: svc.seed.serviceKey,
    runtime: runtimeOnly.key,
    adminKey: svc.seed.adminKey,
    token: (await fresh.runtimeToken(teamEnv)).token,
  });

  // the targets that are read or changed in place
  teamDirect = await fresh.direct(teamEnv);
  teamVariable = await fresh.variable(teamEnv);
  teamGlobal = await fresh.link(teamEnv, true);
  personalDirect = await fresh.direct(personalEnv);
  personalVariable = await fresh.variable(personalEnv);
  personalGlobal = await fresh.link(personalEnv, false);
  table = expectations();
  openApi = (await svc.call('GET', '/openapi.json')).body;
});

describe('the authorization matrix', () => {
  it('has an expectation for every route of the route table, and none for a route that is not in it', () => {
    const routes = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(routes.filter((r) => !table[r]?.length)).toEqual([]);
    expect(Object.keys(table).filter((r) => !routes.includes(r))).toEqual([]);
    // every kind of caller is in every row
    for (const cases of Object.values(table)) {
      for (const c of cases) if (c.expect !== 'no-key') expect(Object.keys(c.expect).sort()).toEqual([...KINDS].sort());
    }
  });

  for (const route of ROUTES) {
    const name = `${route.method} ${route.path}`;
    it(name, async () => {
      const cases = table[name];
      const operation = openApi.paths[route.path]?.[route.method.toLowerCase()];
      if (!CONSOLE_RESOURCES.includes(route.resource))
        expect(operation, `${name} in the OpenAPI document`).toBeDefined();
      expect(cases?.length, `no expectation for ${name}: add it to the rule table`).toBeGreaterThan(0);
      const mismatches: string[] = [];
      for (const c of cases!) {
        // the callers of a row are independent (each has its own fresh target): run them at once
        const rows = await Promise.all(
          KINDS.map(async (who) => {
            const req = await c.request(who);
            const res = await svc.call(route.method, req.path, { key: keyOf[who], body: req.body });
            const where = `${name} [${c.label}] as ${who}: ${res.status} ${String(JSON.stringify(res.body) ?? '').slice(0, 200)}`;
            // a refused DELETE left its target; an allowed one removed it
            const remains = req.exists ? await req.exists() : undefined;
            return { who, res, where, remains };
          }),
        );
        const withoutKey = rows.find((r) => r.who === 'none')!.res.status;
        for (const { who, res, where, remains } of rows) {
          expect(res.status, where).toBeLessThan(500);
          const expected = c.expect === 'no-key' ? withoutKey : c.expect[who];
          if (res.status !== expected) {
            mismatches.push(`${where} (expected ${expected})`);
            continue;
          }
          if (c.expect !== 'no-key' && res.status >= 400) {
            expect(res.body, where).toEqual({ detail: expect.any(String), code: CODES[res.status] });
          }
          // what the route answered is what its OpenAPI operation says it may answer (the console is not in it)
          if (operation) {
            const response = operation.responses[String(res.status)];
            expect(response, `${where}: not in the OpenAPI document`).toBeDefined();
            if (res.status >= 400) expect(response?.description, where).toContain(`\`${res.body.code}\``);
          }
          if (remains !== undefined) expect(remains, `${where}: is the target still there?`).toBe(res.status >= 300);
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});
