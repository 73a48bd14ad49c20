import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type CallResult, type TestService } from '../support/service.js';

/**
 * The wire contract, route by route, through the local app: the `{data}` envelope,
 * list paging, status codes, trailing slashes, and every object with exactly its fields.
 */

const V1 = '/api/v1';
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** At least 96 random bits: 24 characters of base32. */
const ID = /^[a-z2-7]{24}$/;

const GLOBAL_SECRET_FIELDS = [
  'id',
  'name',
  'description',
  'isFile',
  'userId',
  'teamId',
  'version',
  'expiresAt',
  'createdAt',
  'updatedAt',
];
const ENVIRONMENT_FIELDS = ['id', 'owner', 'name', 'userId', 'teamId', 'createdAt'];
const ENV_SECRET_FIELDS = [
  'id',
  'name',
  'source',
  'description',
  'isFile',
  'version',
  'expiresAt',
  'createdAt',
  'updatedAt',
];
const LINK_FIELDS = ['id', 'secretId', 'secretName', 'environmentId', 'createdAt'];
const VARIABLE_FIELDS = ['id', 'name', 'value', 'description', 'version', 'createdAt', 'updatedAt'];
const MEMBER_FIELDS = ['userId', 'email', 'name', 'slug', 'role'];
const API_KEY_FIELDS = ['id', 'name', 'scopes', 'createdAt'];
const AUDIT_FIELDS = ['id', 'at', 'actor', 'action', 'target', 'environmentId', 'jobId'];

let svc: TestService;
let key: string;
let personalEnv: string;
let teamEnv: string;
let teamId: string;

beforeAll(async () => {
  svc = await startTestService();
  key = svc.seed.user.apiKey;
  personalEnv = svc.seed.environments.personal.id;
  teamEnv = svc.seed.environments.team.id;
  teamId = svc.seed.team.id;
});

function expectKeys(obj: Record<string, unknown>, fields: string[]): void {
  expect(Object.keys(obj).sort()).toEqual([...fields].sort());
}

function expectStatus(res: CallResult, status: number): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
}

/** A success envelope with exactly `data` (and, for lists, `totalCount`). */
function expectEnvelope(res: CallResult, status: number, list = false): any {
  expectStatus(res, status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expectKeys(res.body, list ? ['data', 'totalCount'] : ['data']);
  if (list) {
    expect(Array.isArray(res.body.data)).toBe(true);
    expect(Number.isInteger(res.body.totalCount)).toBe(true);
  }
  return res.body.data;
}

/** A new user made with the admin key: their id and API key. */
const newUser = (slug: string) => svc.newUser(slug, `User ${slug}`);

async function createSecret(body: Record<string, unknown>, as = key): Promise<any> {
  const res = await svc.call('POST', `${V1}/secrets`, { key: as, body });
  expectStatus(res, 201);
  return res.body.data;
}

async function createEnvironment(body: Record<string, unknown>, as = key): Promise<any> {
  const res = await svc.call('POST', `${V1}/environmentshub`, { key: as, body });
  expectStatus(res, 201);
  return res.body.data;
}

/**
 * The contract's paging on a list that holds at least two items: `limit`, `offset`, the
 * total beside them, and limit 500 at most.
 */
async function expectPaging(path: string, as = key): Promise<void> {
  const sep = path.includes('?') ? '&' : '?';
  const all = await svc.call('GET', path, { key: as });
  expectStatus(all, 200);
  const total = all.body.totalCount as number;
  expect(total).toBeGreaterThanOrEqual(2);
  expect(all.body.data).toHaveLength(total);

  const first = await svc.call('GET', `${path}${sep}limit=1`, { key: as });
  expectStatus(first, 200);
  expect(first.body.data).toEqual([all.body.data[0]]);
  expect(first.body.totalCount).toBe(total);

  const second = await svc.call('GET', `${path}${sep}offset=1&limit=1`, { key: as });
  expectStatus(second, 200);
  expect(second.body.data).toEqual([all.body.data[1]]);
  expect(second.body.totalCount).toBe(total);

  const past = await svc.call('GET', `${path}${sep}offset=${total}`, { key: as });
  expectStatus(past, 200);
  expect(past.body.data).toEqual([]);
  expect(past.body.totalCount).toBe(total);

  const max = await svc.call('GET', `${path}${sep}limit=500`, { key: as });
  expectStatus(max, 200);
  expect(max.body.data).toEqual(all.body.data);

  const over = await svc.call('GET', `${path}${sep}limit=501`, { key: as });
  expectStatus(over, 422);
  expect(over.body.code).toBe('validation_error');
  expect(over.body.detail).toEqual([expect.objectContaining({ loc: ['query', 'limit'] })]);

  const negative = await svc.call('GET', `${path}${sep}offset=-1`, { key: as });
  expectStatus(negative, 422);
  expect(negative.body.code).toBe('validation_error');
  expect(negative.body.detail).toEqual([expect.objectContaining({ loc: ['query', 'offset'] })]);
}

describe('conventions', () => {
  it('GET /health answers without a key, with and without a trailing slash', async () => {
    for (const path of [`${V1}/health`, `${V1}/health/`]) {
      const res = await svc.call('GET', path);
      expectStatus(res, 200);
      expect(res.body).toEqual({ data: { status: 'ok' } });
    }
  });

  it('answers /secrets/ and /secrets alike, for GET and POST', async () => {
    const viaSlash = await svc.call('POST', `${V1}/secrets/`, { key, body: { name: 'SLASH_A', value: 'a' } });
    expectStatus(viaSlash, 201);
    const viaBare = await svc.call('POST', `${V1}/secrets`, { key, body: { name: 'SLASH_B', value: 'b' } });
    expectStatus(viaBare, 201);
    const listSlash = await svc.call('GET', `${V1}/secrets/`, { key });
    const listBare = await svc.call('GET', `${V1}/secrets`, { key });
    expectEnvelope(listSlash, 200, true);
    expect(listSlash.body).toEqual(listBare.body);
    expect(listBare.body.data.map((s: any) => s.name)).toEqual(expect.arrayContaining(['SLASH_A', 'SLASH_B']));
  });

  it('answers other routes with a trailing slash too', async () => {
    const who = await svc.call('GET', `${V1}/user/whoami/`, { key });
    expect(expectEnvelope(who, 200).id).toBe(svc.seed.user.id);
    const envs = await svc.call('GET', `${V1}/environmentshub/`, { key });
    expect(expectEnvelope(envs, 200, true).map((e: any) => e.id)).toContain(personalEnv);
    const variable = await svc.call('POST', `${V1}/environmentshub/${personalEnv}/variables/`, {
      key,
      body: { name: 'TRAILING_VAR', value: 'v' },
    });
    expectStatus(variable, 201);
    const vars = await svc.call('GET', `${V1}/environmentshub/${personalEnv}/variables/`, { key });
    expect(expectEnvelope(vars, 200, true).map((v: any) => v.name)).toContain('TRAILING_VAR');
    const secret = await createSecret({ name: 'TRAILING_SECRET', value: 's' });
    const detail = await svc.call('GET', `${V1}/secrets/${secret.id}/`, { key });
    expect(expectEnvelope(detail, 200).id).toBe(secret.id);
    const patched = await svc.call('PATCH', `${V1}/secrets/${secret.id}/`, { key, body: { description: 'd' } });
    expect(expectEnvelope(patched, 200).description).toBe('d');
    const env = await createEnvironment({ name: 'trailing-env' });
    const deleted = await svc.call('DELETE', `${V1}/environmentshub/${env.id}/`, { key });
    expect(expectEnvelope(deleted, 200).id).toBe(env.id);
    const bySlug = await svc.call('GET', `${V1}/environmentshub/dev/my-environment/@latest/`, { key });
    expect(expectEnvelope(bySlug, 200).id).toBe(personalEnv);
  });

  it('accepts Content-Type: application/json on a GET and a DELETE with no body', async () => {
    const headers = { 'content-type': 'application/json' };
    const list = await svc.call('GET', `${V1}/secrets/`, { key, headers });
    expectEnvelope(list, 200, true);
    const secret = await createSecret({ name: 'DELETE_WITH_CT', value: 'v' });
    const del = await svc.call('DELETE', `${V1}/secrets/${secret.id}`, { key, headers });
    expectStatus(del, 200);
    expect(del.body.data.id).toBe(secret.id);
  });

  it('ignores unknown body fields', async () => {
    const res = await svc.call('POST', `${V1}/secrets/`, {
      key,
      body: { name: 'EXTRA_FIELDS', value: 'v', color: 'blue', nested: { a: 1 } },
    });
    const data = expectEnvelope(res, 201);
    expectKeys(data, GLOBAL_SECRET_FIELDS);
    const variable = await svc.call('POST', `${V1}/environmentshub/${personalEnv}/variables`, {
      key,
      body: { name: 'EXTRA_VAR', value: 'v', sensitive: true },
    });
    expectKeys(expectEnvelope(variable, 201), VARIABLE_FIELDS);
  });
});

describe('accounts', () => {
  it('GET /user/whoami is the caller with their teams', async () => {
    const res = await svc.call('GET', `${V1}/user/whoami`, { key });
    const data = expectEnvelope(res, 200);
    expectKeys(data, ['id', 'email', 'name', 'slug', 'scope']);
    expect(data).toMatchObject({
      id: svc.seed.user.id,
      email: 'dev@example.com',
      name: 'Development User',
      slug: 'dev',
    });
    expect(data.id).toMatch(ID);
    expectKeys(data.scope, ['teams']);
    expect(data.scope.teams).toContainEqual({ teamId, slug: 'dev-team', role: 'admin' });
    for (const team of data.scope.teams) expectKeys(team, ['teamId', 'slug', 'role']);
  });

  it('GET /user/teams lists teams with totalCount and total_count, paged', async () => {
    await svc.call('POST', `${V1}/teams`, { key, body: { name: 'Paging Team', slug: 'paging-team' } });
    const res = await svc.call('GET', `${V1}/user/teams`, { key });
    expectStatus(res, 200);
    expectKeys(res.body, ['data', 'totalCount', 'total_count']);
    expect(res.body.total_count).toBe(res.body.totalCount);
    expect(res.body.totalCount).toBe(res.body.data.length);
    expect(res.body.data).toContainEqual({ teamId, name: 'Development Team', slug: 'dev-team', role: 'admin' });
    for (const team of res.body.data) expectKeys(team, ['teamId', 'name', 'slug', 'role']);

    const page = await svc.call('GET', `${V1}/user/teams?offset=1&limit=1`, { key });
    expectStatus(page, 200);
    expect(page.body.data).toEqual([res.body.data[1]]);
    expect(page.body.totalCount).toBe(res.body.totalCount);
    expect(page.body.total_count).toBe(res.body.totalCount);
    const over = await svc.call('GET', `${V1}/user/teams?limit=501`, { key });
    expectStatus(over, 422);
    expect(over.body.code).toBe('validation_error');
  });

  it('POST /teams creates a team whose admin is the caller', async () => {
    const res = await svc.call('POST', `${V1}/teams`, { key, body: { name: 'Research', slug: 'research' } });
    const team = expectEnvelope(res, 201);
    expect(team).toMatchObject({ name: 'Research', slug: 'research' });
    expect(team.teamId).toMatch(ID);
    expect(team.createdAt).toMatch(ISO_MS);
    const teams = await svc.call('GET', `${V1}/user/teams`, { key });
    expect(teams.body.data).toContainEqual({ teamId: team.teamId, name: 'Research', slug: 'research', role: 'admin' });
    const who = await svc.call('GET', `${V1}/user/whoami`, { key });
    expect(who.body.data.scope.teams).toContainEqual({ teamId: team.teamId, slug: 'research', role: 'admin' });
  });

  it('team members: add (admin only), change role, the last admin stays, remove', async () => {
    const team = (await svc.call('POST', `${V1}/teams`, { key, body: { name: 'Members', slug: 'members-team' } })).body
      .data;
    const alice = await newUser('alice');
    const bob = await newUser('bob');
    const members = `${V1}/teams/${team.teamId}/members`;

    const listed = await svc.call('GET', members, { key });
    const only = expectEnvelope(listed, 200, true);
    expect(listed.body.totalCount).toBe(1);
    expect(only).toEqual([
      { userId: svc.seed.user.id, email: 'dev@example.com', name: 'Development User', slug: 'dev', role: 'admin' },
    ]);

    const added = await svc.call('POST', members, { key, body: { userId: alice.id, role: 'member' } });
    const member = expectEnvelope(added, 201);
    expectKeys(member, MEMBER_FIELDS);
    expect(member).toEqual({
      userId: alice.id,
      email: 'alice@example.com',
      name: 'User alice',
      slug: 'alice',
      role: 'member',
    });

    // a member (not an admin) may not add members
    const byMember = await svc.call('POST', members, { key: alice.key, body: { userId: bob.id, role: 'viewer' } });
    expectStatus(byMember, 403);
    expect(byMember.body.code).toBe('forbidden');
    // but may list them
    const seenByMember = await svc.call('GET', members, { key: alice.key });
    expect(expectEnvelope(seenByMember, 200, true).map((m: any) => m.slug)).toEqual(['alice', 'dev']);

    const addBob = await svc.call('POST', members, { key, body: { userId: bob.id, role: 'viewer' } });
    expectStatus(addBob, 201);
    await expectPaging(members);

    const promoted = await svc.call('PATCH', `${members}/${alice.id}`, { key, body: { role: 'admin' } });
    expect(expectEnvelope(promoted, 200)).toEqual({ ...member, role: 'admin' });
    const aliceTeams = await svc.call('GET', `${V1}/user/teams`, { key: alice.key });
    expect(aliceTeams.body.data).toContainEqual({
      teamId: team.teamId,
      name: 'Members',
      slug: 'members-team',
      role: 'admin',
    });

    // with two admins, one may step down; then the other is the last one
    const demoted = await svc.call('PATCH', `${members}/${svc.seed.user.id}`, {
      key: alice.key,
      body: { role: 'member' },
    });
    expect(expectEnvelope(demoted, 200)).toMatchObject({ userId: svc.seed.user.id, role: 'member' });
    const lastDemote = await svc.call('PATCH', `${members}/${alice.id}`, { key: alice.key, body: { role: 'viewer' } });
    expectStatus(lastDemote, 409);
    expect(lastDemote.body.code).toBe('last_admin');
    expect(typeof lastDemote.body.detail).toBe('string');
    const lastRemove = await svc.call('DELETE', `${members}/${alice.id}`, { key: alice.key });
    expectStatus(lastRemove, 409);
    expect(lastRemove.body.code).toBe('last_admin');
    const stillAdmin = await svc.call('GET', members, { key: alice.key });
    expect(stillAdmin.body.data.find((m: any) => m.userId === alice.id).role).toBe('admin');

    const removed = await svc.call('DELETE', `${members}/${bob.id}`, { key: alice.key });
    expect(expectEnvelope(removed, 200)).toEqual({
      userId: bob.id,
      email: 'bob@example.com',
      name: 'User bob',
      slug: 'bob',
      role: 'viewer',
    });
    // access ends at once
    const bobLooks = await svc.call('GET', members, { key: bob.key });
    expectStatus(bobLooks, 404);
    expect(bobLooks.body.code).toBe('not_found');
    const after = await svc.call('GET', members, { key: alice.key });
    expect(after.body.totalCount).toBe(2);
    expect(after.body.data.map((m: any) => m.userId)).not.toContain(bob.id);
  });

  it('API keys: the key is shown only at creation, listed without it, revoked by id', async () => {
    const created = await svc.call('POST', `${V1}/user/api-keys`, { key, body: { name: 'ci' } });
    const apiKey = expectEnvelope(created, 201);
    expectKeys(apiKey, [...API_KEY_FIELDS, 'key']);
    expect(apiKey.id).toMatch(ID);
    expect(apiKey.name).toBe('ci');
    expect(apiKey.scopes).toEqual(['manage']);
    expect(apiKey.createdAt).toMatch(ISO_MS);
    expect(typeof apiKey.key).toBe('string');
    // at least 256 random bits
    expect(apiKey.key.length).toBeGreaterThanOrEqual(43);

    const runtime = await svc.call('POST', `${V1}/user/api-keys`, {
      key: svc.seed.user.runtimeKey,
      body: { name: 'jobs', scopes: ['runtime', 'manage'] },
    });
    expect(expectEnvelope(runtime, 201).scopes.sort()).toEqual(['manage', 'runtime']);

    const who = await svc.call('GET', `${V1}/user/whoami`, { key: apiKey.key });
    expect(expectEnvelope(who, 200).id).toBe(svc.seed.user.id);

    const list = await svc.call('GET', `${V1}/user/api-keys`, { key });
    const keys = expectEnvelope(list, 200, true);
    expect(list.body.totalCount).toBe(keys.length);
    for (const k of keys) {
      expectKeys(k, API_KEY_FIELDS);
      expect(k.createdAt).toMatch(ISO_MS);
    }
    expect(keys).toContainEqual({ id: apiKey.id, name: 'ci', scopes: ['manage'], createdAt: apiKey.createdAt });
    expect(JSON.stringify(list.body)).not.toContain(apiKey.key);
    await expectPaging(`${V1}/user/api-keys`);

    const revoked = await svc.call('DELETE', `${V1}/user/api-keys/${apiKey.id}`, { key });
    const gone = expectEnvelope(revoked, 200);
    expectKeys(gone, API_KEY_FIELDS);
    expect(gone.id).toBe(apiKey.id);
    const listAfter = await svc.call('GET', `${V1}/user/api-keys`, { key });
    expect(listAfter.body.data.map((k: any) => k.id)).not.toContain(apiKey.id);
    expect(listAfter.body.totalCount).toBe(list.body.totalCount - 1);
  });

  it('POST /admin/users makes a user and their first key', async () => {
    const res = await svc.call('POST', `${V1}/admin/users`, {
      key: svc.seed.adminKey,
      body: { email: 'carol@example.com', name: 'Carol', slug: 'carol' },
    });
    const data = expectEnvelope(res, 201);
    expectKeys(data, ['user', 'apiKey']);
    expect(data.user).toMatchObject({ email: 'carol@example.com', name: 'Carol', slug: 'carol' });
    expect(data.user.id).toMatch(ID);
    expect(typeof data.apiKey).toBe('string');
    const who = await svc.call('GET', `${V1}/user/whoami`, { key: data.apiKey });
    expect(expectEnvelope(who, 200)).toEqual({
      id: data.user.id,
      email: 'carol@example.com',
      name: 'Carol',
      slug: 'carol',
      scope: { teams: [] },
    });
  });

  it('POST /admin/service-keys makes a hosted service key that reads runtime values', async () => {
    for (const service of ['environment-actions', 'hosted-evaluations', 'hosted-training']) {
      const res = await svc.call('POST', `${V1}/admin/service-keys`, {
        key: svc.seed.adminKey,
        body: { service, name: `svc ${service}` },
      });
      const data = expectEnvelope(res, 201);
      expect(data).toMatchObject({ service });
      expect(data.id).toMatch(ID);
      expect(typeof data.key).toBe('string');
      const runtime = await svc.call('GET', `${V1}/environmentshub/${personalEnv}/runtime`, { key: data.key });
      expectStatus(runtime, 200);
    }
  });
});

describe('environments', () => {
  it('creates personal and team environments, lists them, finds them by owner and name', async () => {
    const personal = await svc.call('POST', `${V1}/environmentshub`, { key, body: { name: 'env-a.v1_x' } });
    const env = expectEnvelope(personal, 201);
    expectKeys(env, ENVIRONMENT_FIELDS);
    expect(env).toMatchObject({ owner: 'dev', name: 'env-a.v1_x', userId: svc.seed.user.id, teamId: null });
    expect(env.id).toMatch(ID);
    expect(env.createdAt).toMatch(ISO_MS);

    const team = await svc.call('POST', `${V1}/environmentshub/`, { key, body: { name: 'env-b', teamId } });
    const tenv = expectEnvelope(team, 201);
    expectKeys(tenv, ENVIRONMENT_FIELDS);
    expect(tenv).toMatchObject({ owner: 'dev-team', name: 'env-b', userId: null, teamId });

    const mine = await svc.call('GET', `${V1}/environmentshub`, { key });
    const mineData = expectEnvelope(mine, 200, true);
    expect(mine.body.totalCount).toBe(mineData.length);
    expect(mineData).toContainEqual(env);
    expect(mineData.map((e: any) => e.id)).not.toContain(tenv.id);
    for (const e of mineData) expectKeys(e, ENVIRONMENT_FIELDS);
    await expectPaging(`${V1}/environmentshub`);

    const theirs = await svc.call('GET', `${V1}/environmentshub?teamId=${teamId}`, { key });
    const teamData = expectEnvelope(theirs, 200, true);
    expect(teamData).toContainEqual(tenv);
    expect(teamData.map((e: any) => e.id)).toContain(teamEnv);
    expect(teamData.every((e: any) => e.teamId === teamId && e.userId === null)).toBe(true);
    await expectPaging(`${V1}/environmentshub?teamId=${teamId}`);

    const bySlug = await svc.call('GET', `${V1}/environmentshub/dev/env-a.v1_x/@latest`, { key });
    expect(expectEnvelope(bySlug, 200)).toEqual(env);
    const teamBySlug = await svc.call('GET', `${V1}/environmentshub/dev-team/env-b/@latest`, { key });
    expect(expectEnvelope(teamBySlug, 200)).toEqual(tenv);
  });

  it('DELETE removes the environment with its direct secrets, links and variables', async () => {
    const env = await createEnvironment({ name: 'doomed' });
    const global = await createSecret({ name: 'DOOMED_LINKED', value: 'g' });
    const other = await createEnvironment({ name: 'survivor' });
    const path = `${V1}/environmentshub/${env.id}`;
    expectStatus(await svc.call('POST', `${path}/secrets`, { key, body: { name: 'DIRECT', value: 'd' } }), 201);
    expectStatus(await svc.call('POST', `${path}/variables`, { key, body: { name: 'VAR', value: 'v' } }), 201);
    expectStatus(await svc.call('POST', `${path}/secrets/link/${global.id}`, { key, body: {} }), 201);
    expectStatus(
      await svc.call('POST', `${V1}/environmentshub/${other.id}/secrets/link/${global.id}`, { key, body: {} }),
      201,
    );
    const before = await svc.call('GET', `${V1}/secrets/${global.id}`, { key });
    expect(before.body.data.linkedEnvironments.map((e: any) => e.id).sort()).toEqual([env.id, other.id].sort());

    const deleted = await svc.call('DELETE', path, { key });
    expect(expectEnvelope(deleted, 200)).toEqual(env);

    const after = await svc.call('GET', `${V1}/secrets/${global.id}`, { key });
    expect(expectEnvelope(after, 200).linkedEnvironments).toEqual([{ id: other.id, owner: 'dev', name: 'survivor' }]);
    for (const sub of ['secrets', 'variables']) {
      const res = await svc.call('GET', `${path}/${sub}`, { key });
      expectStatus(res, 404);
      expect(res.body.code).toBe('not_found');
    }
    const bySlug = await svc.call('GET', `${V1}/environmentshub/dev/doomed/@latest`, { key });
    expectStatus(bySlug, 404);
    const list = await svc.call('GET', `${V1}/environmentshub`, { key });
    expect(list.body.data.map((e: any) => e.id)).not.toContain(env.id);

    // nothing of it is left in the table
    const partition = await svc.deps.db.doc.send(
      new QueryCommand({
        TableName: svc.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `ENV#${env.id}` },
        ConsistentRead: true,
      }),
    );
    expect(partition.Items).toEqual([]);
    const leftovers = await svc.deps.db.doc.send(
      new ScanCommand({
        TableName: svc.tableName,
        FilterExpression: 'contains(sk, :env) AND NOT begins_with(pk, :audit)',
        ExpressionAttributeValues: { ':env': env.id, ':audit': 'AUDIT#' },
        ConsistentRead: true,
      }),
    );
    expect(leftovers.Items).toEqual([]);

    // the name is free again
    const again = await svc.call('POST', `${V1}/environmentshub`, { key, body: { name: 'doomed' } });
    expectStatus(again, 201);
    expect(again.body.data.id).not.toBe(env.id);
    const fresh = await svc.call('GET', `${V1}/environmentshub/${again.body.data.id}/secrets`, { key });
    expect(fresh.body).toEqual({ data: [], totalCount: 0 });
  });
});

describe('global secrets', () => {
  it('POST, GET with linkedEnvironments, PATCH value and description, DELETE', async () => {
    const created = await svc.call('POST', `${V1}/secrets/`, {
      key,
      body: { name: 'LIFECYCLE', value: 'v1', description: 'first' },
    });
    const secret = expectEnvelope(created, 201);
    expectKeys(secret, GLOBAL_SECRET_FIELDS);
    expect(secret).toMatchObject({
      name: 'LIFECYCLE',
      description: 'first',
      isFile: false,
      userId: svc.seed.user.id,
      teamId: null,
    });
    expect(secret.id).toMatch(ID);
    expect(secret.createdAt).toMatch(ISO_MS);
    expect(secret.updatedAt).toBe(secret.createdAt);
    expect(JSON.stringify(created.body)).not.toContain('v1"');

    const list = await svc.call('GET', `${V1}/secrets/`, { key });
    const listed = expectEnvelope(list, 200, true);
    expect(list.body.totalCount).toBe(listed.length);
    expect(listed).toContainEqual(secret);
    for (const s of listed) expectKeys(s, GLOBAL_SECRET_FIELDS);
    await expectPaging(`${V1}/secrets/`);

    const noDescription = await createSecret({ name: 'NO_DESCRIPTION', value: 'x', teamId: null });
    expect(noDescription).toMatchObject({ description: null, userId: svc.seed.user.id, teamId: null });

    const detail = await svc.call('GET', `${V1}/secrets/${secret.id}`, { key });
    expect(expectEnvelope(detail, 200)).toEqual({ ...secret, linkedEnvironments: [] });

    expectStatus(
      await svc.call('POST', `${V1}/environmentshub/${personalEnv}/secrets/link/${secret.id}`, { key, body: {} }),
      201,
    );
    const linkedDetail = await svc.call('GET', `${V1}/secrets/${secret.id}/`, { key });
    const linked = expectEnvelope(linkedDetail, 200);
    expectKeys(linked, [...GLOBAL_SECRET_FIELDS, 'linkedEnvironments']);
    expect(linked.linkedEnvironments).toEqual([{ id: personalEnv, owner: 'dev', name: 'my-environment' }]);

    const patched = await svc.call('PATCH', `${V1}/secrets/${secret.id}`, {
      key,
      body: { value: 'v2', description: 'second' },
    });
    const updated = expectEnvelope(patched, 200);
    expectKeys(updated, GLOBAL_SECRET_FIELDS);
    expect(updated).toMatchObject({
      id: secret.id,
      name: 'LIFECYCLE',
      description: 'second',
      createdAt: secret.createdAt,
    });
    expect(updated.updatedAt).toMatch(ISO_MS);
    expect(updated.updatedAt >= secret.updatedAt).toBe(true);
    const runtime = await svc.call('GET', `${V1}/environmentshub/${personalEnv}/runtime`, { key: svc.seed.serviceKey });
    expect(runtime.body.data.env.LIFECYCLE).toBe('v2');

    const descriptionOnly = await svc.call('PATCH', `${V1}/secrets/${secret.id}`, { key, body: { description: null } });
    expect(expectEnvelope(descriptionOnly, 200).description).toBeNull();

    const deleted = await svc.call('DELETE', `${V1}/secrets/${secret.id}`, { key });
    const gone = expectEnvelope(deleted, 200);
    expectKeys(gone, GLOBAL_SECRET_FIELDS);
    expect(gone.id).toBe(secret.id);
    const missing = await svc.call('GET', `${V1}/secrets/${secret.id}`, { key });
    expectStatus(missing, 404);
    expect(missing.body.code).toBe('not_found');
    const listAfter = await svc.call('GET', `${V1}/secrets`, { key });
    expect(listAfter.body.data.map((s: any) => s.id)).not.toContain(secret.id);
    // unlinked from every environment
    const envSecrets = await svc.call('GET', `${V1}/environmentshub/${personalEnv}/secrets`, { key });
    expect(envSecrets.body.data.map((s: any) => s.id)).not.toContain(secret.id);
    const runtimeAfter = await svc.call('GET', `${V1}/environmentshub/${personalEnv}/runtime`, {
      key: svc.seed.serviceKey,
    });
    expect(runtimeAfter.body.data.env.LIFECYCLE).toBeUndefined();
  });

  it('team secrets carry teamId, not userId, and are listed with ?teamId=', async () => {
    const secret = await createSecret({ name: 'TEAM_SECRET', value: 't', teamId });
    expectKeys(secret, GLOBAL_SECRET_FIELDS);
    expect(secret).toMatchObject({ userId: null, teamId, isFile: false });
    const teamList = await svc.call('GET', `${V1}/secrets/?teamId=${teamId}`, { key });
    expect(expectEnvelope(teamList, 200, true)).toContainEqual(secret);
    const personalList = await svc.call('GET', `${V1}/secrets/`, { key });
    expect(personalList.body.data.map((s: any) => s.id)).not.toContain(secret.id);
    const detail = await svc.call('GET', `${V1}/secrets/${secret.id}?teamId=${teamId}`, { key });
    expect(expectEnvelope(detail, 200)).toEqual({ ...secret, linkedEnvironments: [] });
    // looked up in the wrong scope it is not there
    const wrongScope = await svc.call('GET', `${V1}/secrets/${secret.id}`, { key });
    expectStatus(wrongScope, 404);
    const patched = await svc.call('PATCH', `${V1}/secrets/${secret.id}?teamId=${teamId}`, {
      key,
      body: { description: 'team' },
    });
    expect(expectEnvelope(patched, 200)).toMatchObject({ description: 'team', teamId, userId: null });
    expectStatus(await svc.call('DELETE', `${V1}/secrets/${secret.id}?teamId=${teamId}`, { key }), 200);
  });

  it('an isFile secret takes base64 and appears in the runtime files', async () => {
    const content = Buffer.from('line one\nline two\n\u0000binary\u00ff');
    const value = content.toString('base64');
    const secret = await createSecret({ name: 'CERT_FILE', value, isFile: true });
    expectKeys(secret, GLOBAL_SECRET_FIELDS);
    expect(secret.isFile).toBe(true);
    const env = await createEnvironment({ name: 'files-env' });
    expectStatus(
      await svc.call('POST', `${V1}/environmentshub/${env.id}/secrets/link/${secret.id}`, { key, body: {} }),
      201,
    );
    expectStatus(
      await svc.call('POST', `${V1}/environmentshub/${env.id}/variables`, { key, body: { name: 'PLAIN', value: 'p' } }),
      201,
    );
    const listed = await svc.call('GET', `${V1}/environmentshub/${env.id}/secrets`, { key });
    expect(listed.body.data).toEqual([expect.objectContaining({ name: 'CERT_FILE', isFile: true })]);
    const runtime = await svc.call('GET', `${V1}/environmentshub/${env.id}/runtime`, { key: svc.seed.serviceKey });
    const data = expectEnvelope(runtime, 200);
    expect(data.files).toEqual(['CERT_FILE']);
    expect(data.env.CERT_FILE).toBe(value);
    expect(Buffer.from(data.env.CERT_FILE, 'base64').equals(content)).toBe(true);
    expect(data.sources).toEqual({ CERT_FILE: 'global-linked', PLAIN: 'variable' });
  });
});

describe('environment secrets, links and variables', () => {
  it('direct secrets: POST, list with source, PATCH, DELETE', async () => {
    const env = await createEnvironment({ name: 'direct-env' });
    const path = `${V1}/environmentshub/${env.id}/secrets`;
    const created = await svc.call('POST', path, {
      key,
      body: { name: 'DB_URL', value: 'postgres://x', description: 'db' },
    });
    const secret = expectEnvelope(created, 201);
    expectKeys(secret, ENV_SECRET_FIELDS);
    expect(secret).toMatchObject({ name: 'DB_URL', source: 'environment', description: 'db', isFile: false });
    expect(secret.id).toMatch(ID);
    expect(secret.createdAt).toMatch(ISO_MS);
    expect(secret.updatedAt).toMatch(ISO_MS);
    expect(JSON.stringify(created.body)).not.toContain('postgres://x');
    expectStatus(await svc.call('POST', path, { key, body: { name: 'SECOND', value: 's' } }), 201);

    const global = await createSecret({ name: 'LINKED_ONE', value: 'g', description: 'global one' });
    expectStatus(await svc.call('POST', `${path}/link/${global.id}`, { key, body: {} }), 201);

    const list = await svc.call('GET', path, { key });
    const listed = expectEnvelope(list, 200, true);
    expect(list.body.totalCount).toBe(3);
    expect(listed.map((s: any) => [s.name, s.source])).toEqual([
      ['DB_URL', 'environment'],
      ['LINKED_ONE', 'global-linked'],
      ['SECOND', 'environment'],
    ]);
    expect(listed[0]).toEqual(secret);
    const linked = listed[1];
    expectKeys(linked, [...ENV_SECRET_FIELDS, 'secretId']);
    expect(linked).toMatchObject({ id: global.id, secretId: global.id, description: 'global one', isFile: false });
    expect(linked.createdAt).toMatch(ISO_MS);
    expectKeys(listed[2], ENV_SECRET_FIELDS);
    expect(JSON.stringify(list.body)).not.toContain('postgres://x');
    await expectPaging(path);

    const patched = await svc.call('PATCH', `${path}/${secret.id}`, {
      key,
      body: { value: 'postgres://y', description: 'new' },
    });
    const updated = expectEnvelope(patched, 200);
    expectKeys(updated, ENV_SECRET_FIELDS);
    expect(updated).toMatchObject({ id: secret.id, name: 'DB_URL', description: 'new', createdAt: secret.createdAt });
    const renamed = await svc.call('PATCH', `${path}/${secret.id}/`, { key, body: { name: 'DATABASE_URL' } });
    expect(expectEnvelope(renamed, 200)).toMatchObject({ id: secret.id, name: 'DATABASE_URL', description: 'new' });
    const runtime = await svc.call('GET', `${V1}/environmentshub/${env.id}/runtime`, { key: svc.seed.serviceKey });
    expect(runtime.body.data.env).toEqual({ DATABASE_URL: 'postgres://y', LINKED_ONE: 'g', SECOND: 's' });

    const deleted = await svc.call('DELETE', `${path}/${secret.id}`, { key });
    const gone = expectEnvelope(deleted, 200);
    expectKeys(gone, ENV_SECRET_FIELDS);
    expect(gone).toMatchObject({ id: secret.id, name: 'DATABASE_URL' });
    const after = await svc.call('GET', path, { key });
    expect(after.body.data.map((s: any) => s.name)).toEqual(['LINKED_ONE', 'SECOND']);
    expect(after.body.totalCount).toBe(2);
  });

  it('link with body {} and unlink answer the link object', async () => {
    const env = await createEnvironment({ name: 'link-env' });
    const global = await createSecret({ name: 'LINK_ME', value: 'l' });
    const path = `${V1}/environmentshub/${env.id}/secrets/link/${global.id}`;
    const linked = await svc.call('POST', path, { key, body: {} });
    const link = expectEnvelope(linked, 201);
    expectKeys(link, LINK_FIELDS);
    expect(link).toMatchObject({ secretId: global.id, secretName: 'LINK_ME', environmentId: env.id });
    expect(link.id).toMatch(ID);
    expect(link.createdAt).toMatch(ISO_MS);

    const unlinked = await svc.call('DELETE', path, { key });
    expect(expectEnvelope(unlinked, 200)).toEqual(link);
    const list = await svc.call('GET', `${V1}/environmentshub/${env.id}/secrets`, { key });
    expect(list.body).toEqual({ data: [], totalCount: 0 });
    const detail = await svc.call('GET', `${V1}/secrets/${global.id}`, { key });
    expect(detail.body.data.linkedEnvironments).toEqual([]);
    // linking again works, with a trailing slash
    expectStatus(await svc.call('POST', `${path}/`, { key, body: {} }), 201);
  });

  it('variables: POST, list with values, PATCH, DELETE', async () => {
    const env = await createEnvironment({ name: 'vars-env' });
    const path = `${V1}/environmentshub/${env.id}/variables`;
    const created = await svc.call('POST', path, { key, body: { name: 'MODE', value: 'fast', description: 'how' } });
    const variable = expectEnvelope(created, 201);
    expectKeys(variable, VARIABLE_FIELDS);
    expect(variable).toMatchObject({ name: 'MODE', value: 'fast', description: 'how' });
    expect(variable.id).toMatch(ID);
    expect(variable.createdAt).toMatch(ISO_MS);
    expect(variable.updatedAt).toBe(variable.createdAt);
    const other = expectEnvelope(await svc.call('POST', path, { key, body: { name: 'LEVEL', value: '3' } }), 201);
    expect(other.description).toBeNull();

    const list = await svc.call('GET', path, { key });
    expect(expectEnvelope(list, 200, true)).toEqual([other, variable]);
    expect(list.body.totalCount).toBe(2);
    await expectPaging(path);

    const patched = await svc.call('PATCH', `${path}/${variable.id}`, {
      key,
      body: { name: 'RUN_MODE', value: 'slow', description: null },
    });
    const updated = expectEnvelope(patched, 200);
    expectKeys(updated, VARIABLE_FIELDS);
    expect(updated).toMatchObject({
      id: variable.id,
      name: 'RUN_MODE',
      value: 'slow',
      description: null,
      createdAt: variable.createdAt,
    });
    expect(updated.updatedAt >= variable.updatedAt).toBe(true);

    const deleted = await svc.call('DELETE', `${path}/${variable.id}`, { key });
    expect(expectEnvelope(deleted, 200)).toEqual(updated);
    const after = await svc.call('GET', path, { key });
    expect(after.body).toEqual({ data: [other], totalCount: 1 });
  });
});

describe('runtime', () => {
  it('answers env, sources, files and resolvedAt, for a service key or a runtime-scoped user key', async () => {
    const env = await createEnvironment({ name: 'runtime-env' });
    const path = `${V1}/environmentshub/${env.id}`;
    const global = await createSecret({ name: 'RT_LINKED', value: 'linked-value' });
    expectStatus(await svc.call('POST', `${path}/secrets/link/${global.id}`, { key, body: {} }), 201);
    expectStatus(await svc.call('POST', `${path}/secrets`, { key, body: { name: 'RT_DIRECT', value: 'd' } }), 201);
    expectStatus(await svc.call('POST', `${path}/variables`, { key, body: { name: 'RT_VAR', value: 'v' } }), 201);

    const res = await svc.call('GET', `${path}/runtime`, {
      key: svc.seed.serviceKey,
      headers: { 'x-job-id': 'job-routes-1' },
    });
    const data = expectEnvelope(res, 200);
    expectKeys(data, ['environmentId', 'env', 'sources', 'files', 'versions', 'resolvedAt']);
    expect(data).toMatchObject({
      environmentId: env.id,
      env: { RT_LINKED: 'linked-value', RT_DIRECT: 'd', RT_VAR: 'v' },
      sources: { RT_LINKED: 'global-linked', RT_DIRECT: 'environment', RT_VAR: 'variable' },
      files: [],
    });
    expect(data.resolvedAt).toMatch(ISO_MS);

    const asUser = await svc.call('GET', `${path}/runtime/`, { key: svc.seed.user.runtimeKey });
    expect(expectEnvelope(asUser, 200).env).toEqual(data.env);

    const audit = await svc.call('GET', `${V1}/audit?environmentId=${env.id}&limit=1`, { key });
    expectStatus(audit, 200);
    const older = await svc.call('GET', `${V1}/audit?environmentId=${env.id}&limit=1&cursor=${audit.body.cursor}`, {
      key,
    });
    expectStatus(older, 200);
    const [newest, second] = [audit.body.data[0], older.body.data[0]];
    expect(newest.at >= second.at).toBe(true);
    // Each read names the key that made it, besides who it is.
    const byUser = { type: 'user', id: svc.seed.user.id, keyId: expect.any(String) };
    const byService = { type: 'service', id: 'environment-actions', keyId: expect.any(String) };
    // the later read comes first (events in the same millisecond have no order between them)
    if (newest.at !== second.at) expect([newest.actor, second.actor]).toEqual([byUser, byService]);
    expect([newest, second]).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'runtime_read', environmentId: env.id, actor: byUser, jobId: null }),
        expect.objectContaining({
          action: 'runtime_read',
          environmentId: env.id,
          actor: byService,
          jobId: 'job-routes-1',
        }),
      ]),
    );
  });
});

describe('audit', () => {
  it('lists events newest first, with cursor paging and never a value', async () => {
    const env = await createEnvironment({ name: 'audited' });
    const path = `${V1}/environmentshub/${env.id}`;
    const secret = await createSecret({ name: 'AUDITED', value: 'audit-secret-value' });
    expectStatus(await svc.call('POST', `${path}/secrets/link/${secret.id}`, { key, body: {} }), 201);
    expectStatus(await svc.call('POST', `${path}/variables`, { key, body: { name: 'AV', value: 'audit-var' } }), 201);
    expectStatus(await svc.call('PATCH', `${V1}/secrets/${secret.id}`, { key, body: { value: 'audit-v2' } }), 200);
    expectStatus(await svc.call('PATCH', `${V1}/secrets/${secret.id}`, { key, body: { name: 'AUDITED_TWO' } }), 200);
    expectStatus(await svc.call('DELETE', `${path}/secrets/link/${secret.id}`, { key }), 200);
    expectStatus(await svc.call('GET', `${path}/runtime`, { key: svc.seed.serviceKey }), 200);

    const all = await svc.call('GET', `${V1}/audit?limit=500`, { key });
    expectStatus(all, 200);
    expectKeys(all.body, ['data', 'cursor']);
    const events = all.body.data as any[];
    expect(events.length).toBeGreaterThanOrEqual(7);
    for (const event of events) {
      // A runtime read's event also names the version of each value it served.
      expectKeys(event, event.action === 'runtime_read' ? [...AUDIT_FIELDS, 'versions'] : AUDIT_FIELDS);
      expect(event.id).toMatch(ID);
      expect(event.at).toMatch(ISO_MS);
      expectKeys(event.actor, ['type', 'id', 'keyId']);
      expectKeys(event.target, ['type', 'id', 'name']);
    }
    for (let i = 1; i < events.length; i++) expect(events[i - 1].at >= events[i].at).toBe(true);
    const text = JSON.stringify(all.body);
    for (const value of ['audit-secret-value', 'audit-var', 'audit-v2']) expect(text).not.toContain(value);

    // this test's own actions, newest first
    const mine = events.filter((e) => e.environmentId === env.id || e.target.id === secret.id);
    expect(mine.map((e) => e.action)).toEqual([
      'runtime_read',
      'unlink',
      'rename',
      'update',
      'create',
      'link',
      'create',
      'create',
    ]);
    expect(mine.find((e) => e.action === 'rename').target).toEqual({
      type: 'global_secret',
      id: secret.id,
      name: 'AUDITED_TWO',
    });

    // pages of 3 with the cursor give the same events in the same order
    const paged: any[] = [];
    let cursor: string | null = null;
    for (let pageNo = 0; pageNo < 100; pageNo++) {
      const res: CallResult = await svc.call(
        'GET',
        `${V1}/audit?limit=3${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
        { key },
      );
      expectStatus(res, 200);
      expect(res.body.data.length).toBeLessThanOrEqual(3);
      paged.push(...res.body.data);
      cursor = res.body.cursor;
      if (cursor === null) break;
      expect(typeof cursor).toBe('string');
    }
    expect(cursor).toBeNull();
    expect(paged.map((e) => e.id)).toEqual(events.map((e) => e.id));

    const over = await svc.call('GET', `${V1}/audit?limit=501`, { key });
    expectStatus(over, 422);
    expect(over.body.code).toBe('validation_error');

    const team = await svc.call('GET', `${V1}/audit?teamId=${teamId}`, { key });
    expectStatus(team, 200);
    expect(team.body.data.length).toBeGreaterThan(0);
    expect(team.body.data.map((e: any) => e.id)).not.toContain(events[0].id);
  });
});
