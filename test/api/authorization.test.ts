import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { startTestService, type CallResult, type TestService } from '../support/service.js';

/**
 * The authorization rules (shared/auth/authorization.ts) through the API: who is 401, who
 * gets 404 (never learning that a thing exists), who gets 403, and team roles end to end.
 */

const V1 = '/api/v1';
let svc: TestService;

interface User {
  id: string;
  /** A `manage` key. */
  key: string;
  /** The key the admin issued with the user: every scope. */
  accountKey: string;
}

function expectStatus(res: CallResult, status: number, what: string): void {
  expect({ what, status: res.status, body: res.body }).toMatchObject({ what, status });
}

function expectError(res: CallResult, status: number, code: string, what: string): void {
  expect({ what, status: res.status, body: res.body }).toMatchObject({ what, status, body: { code } });
}

const newUser = (slug: string): Promise<User> => svc.newUser(slug);

async function newKey(userKey: string, scopes: string[]): Promise<{ id: string; key: string }> {
  const res = await svc.call('POST', `${V1}/user/api-keys`, { key: userKey, body: { name: scopes.join('+'), scopes } });
  expectStatus(res, 201, `create key ${scopes.join(',')}`);
  expect(res.body.data.scopes).toEqual([...scopes].sort());
  return { id: res.body.data.id, key: res.body.data.key };
}

async function created(method: string, path: string, key: string, body: unknown): Promise<any> {
  const res = await svc.call(method, path, { key, body });
  expectStatus(res, 201, `${method} ${path}`);
  return res.body.data;
}

/** What the seeded user (`dev`, admin of `dev-team`) holds, personal and in the team. */
const fixture = {
  personal: { envId: '', secretId: '', variableId: '', globalId: '', otherGlobalId: '' },
  team: { envId: '', secretId: '', variableId: '', globalId: '', otherGlobalId: '' },
};
let outsider: User;
let outsiderRuntimeKey: string;

beforeAll(async () => {
  svc = await startTestService();
  const key = svc.seed.user.apiKey;
  const teamId = svc.seed.team.id;
  for (const scope of ['personal', 'team'] as const) {
    const envId = svc.seed.environments[scope].id;
    const team = scope === 'team' ? { teamId } : {};
    const f = fixture[scope];
    f.envId = envId;
    f.secretId = (
      await created('POST', `${V1}/environmentshub/${envId}/secrets`, key, { name: 'DIRECT', value: 'd-v' })
    ).id;
    f.variableId = (
      await created('POST', `${V1}/environmentshub/${envId}/variables`, key, { name: 'MODE', value: 'm' })
    ).id;
    f.globalId = (await created('POST', `${V1}/secrets/`, key, { name: 'LINKED', value: 'g-v', ...team })).id;
    f.otherGlobalId = (await created('POST', `${V1}/secrets/`, key, { name: 'SPARE', value: 's-v', ...team })).id;
    await created('POST', `${V1}/environmentshub/${envId}/secrets/link/${f.globalId}`, key, {});
  }
  outsider = await newUser('outsider');
  outsiderRuntimeKey = (await newKey(outsider.accountKey, ['manage', 'runtime'])).key;
});

describe('authentication', () => {
  it('answers 401 without a key, with a malformed or unknown key', async () => {
    const path = `${V1}/user/whoami`;
    const variants: Record<string, string>[] = [
      {},
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: `Basic ${Buffer.from('dev:pw').toString('base64')}` },
      { authorization: `Token ${svc.seed.user.apiKey}` },
      { authorization: 'Bearer not-a-service-key' },
      { authorization: `Bearer ${svc.seed.user.apiKey} extra` },
      { authorization: `Bearer prime_${'x'.repeat(300)}` },
      { authorization: `Bearer ${svc.seed.user.apiKey.slice(0, -1)}` },
      { authorization: 'Bearer prime_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    ];
    for (const headers of variants) {
      const res = await svc.call('GET', path, { headers });
      expect({ headers, status: res.status, body: res.body }).toEqual({
        headers,
        status: 401,
        body: { detail: expect.any(String), code: 'unauthorized' },
      });
    }
    // Every protected resource checks the key before anything else, also for ids that do not exist.
    for (const [method, p] of [
      ['GET', `${V1}/secrets/`],
      ['GET', `${V1}/environmentshub/${fixture.personal.envId}/secrets`],
      ['POST', `${V1}/environmentshub/${newId()}/variables`],
      ['GET', `${V1}/environmentshub/${fixture.personal.envId}/runtime`],
      ['GET', `${V1}/audit`],
      ['POST', `${V1}/admin/users`],
    ] as const) {
      const body = method === 'GET' ? undefined : {};
      expectError(await svc.call(method, p, { body }), 401, 'unauthorized', `${method} ${p} without key`);
    }
    // The scheme is case-insensitive; the key itself is not.
    expectStatus(
      await svc.call('GET', path, { headers: { authorization: `bearer ${svc.seed.user.apiKey}` } }),
      200,
      'bearer',
    );
    expectError(
      await svc.call('GET', path, { key: svc.seed.user.apiKey.toUpperCase() }),
      401,
      'unauthorized',
      'upper-cased key',
    );
  });

  it('answers 401 for a revoked key, at once', async () => {
    const issued = await newKey(svc.seed.user.apiKey, ['manage']);
    expectStatus(await svc.call('GET', `${V1}/user/whoami`, { key: issued.key }), 200, 'new key works');
    const revoked = await svc.call('DELETE', `${V1}/user/api-keys/${issued.id}`, { key: svc.seed.user.apiKey });
    expectStatus(revoked, 200, 'revoke');
    expect(revoked.body.data).not.toHaveProperty('key');
    expectError(await svc.call('GET', `${V1}/user/whoami`, { key: issued.key }), 401, 'unauthorized', 'revoked key');
    expectError(
      await svc.call('GET', `${V1}/environmentshub/${fixture.personal.envId}/variables`, { key: issued.key }),
      401,
      'unauthorized',
      'revoked key on a resource',
    );
    const listed = await svc.call('GET', `${V1}/user/api-keys`, { key: svc.seed.user.apiKey });
    expect(listed.body.data.map((k: { id: string }) => k.id)).not.toContain(issued.id);
    // A key revoked twice, or someone else's key id, is simply not found.
    expectError(
      await svc.call('DELETE', `${V1}/user/api-keys/${issued.id}`, { key: svc.seed.user.apiKey }),
      404,
      'not_found',
      'revoke again',
    );
    const devKeys = (await svc.call('GET', `${V1}/user/api-keys`, { key: svc.seed.user.apiKey })).body.data;
    expectError(
      await svc.call('DELETE', `${V1}/user/api-keys/${devKeys[0].id}`, { key: outsider.key }),
      404,
      'not_found',
      "revoke another user's key",
    );
    expectStatus(await svc.call('GET', `${V1}/user/whoami`, { key: svc.seed.user.apiKey }), 200, 'dev key still works');
  });
});

describe("other users' things are not found", () => {
  it('answers 404, exactly as for ids that do not exist, and changes nothing', async () => {
    const f = fixture.personal;
    const missing = { envId: newId(), secretId: newId(), variableId: newId(), globalId: newId() };
    const requests = (ids: typeof missing): [string, string, unknown?][] => [
      ['GET', `${V1}/environmentshub/${ids.envId}/secrets`],
      ['GET', `${V1}/environmentshub/${ids.envId}/variables`],
      ['POST', `${V1}/environmentshub/${ids.envId}/secrets`, { name: 'X', value: 'x' }],
      ['PATCH', `${V1}/environmentshub/${ids.envId}/secrets/${ids.secretId}`, { value: 'stolen' }],
      ['DELETE', `${V1}/environmentshub/${ids.envId}/secrets/${ids.secretId}`],
      ['POST', `${V1}/environmentshub/${ids.envId}/variables`, { name: 'X', value: 'x' }],
      ['PATCH', `${V1}/environmentshub/${ids.envId}/variables/${ids.variableId}`, { value: 'changed' }],
      ['DELETE', `${V1}/environmentshub/${ids.envId}/variables/${ids.variableId}`],
      ['DELETE', `${V1}/environmentshub/${ids.envId}/secrets/link/${ids.globalId}`],
      ['DELETE', `${V1}/environmentshub/${ids.envId}`],
      ['GET', `${V1}/secrets/${ids.globalId}`],
      ['PATCH', `${V1}/secrets/${ids.globalId}`, { value: 'stolen' }],
      ['DELETE', `${V1}/secrets/${ids.globalId}`],
    ];
    const real = requests({ envId: f.envId, secretId: f.secretId, variableId: f.variableId, globalId: f.globalId });
    const fake = requests(missing);
    for (const [i, [method, path, body]] of real.entries()) {
      const res = await svc.call(method, path, { key: outsider.key, body });
      expectError(res, 404, 'not_found', `outsider ${method} ${path}`);
      const [fakeMethod, fakePath, fakeBody] = fake[i]!;
      const control = await svc.call(fakeMethod, fakePath, { key: outsider.key, body: fakeBody });
      // The same answer as for a thing that does not exist: nothing tells them apart.
      expect({ path, body: res.body }).toEqual({ path, body: control.body });
    }

    // The team's things, for someone outside the team.
    const t = fixture.team;
    const teamId = svc.seed.team.id;
    for (const [method, path, body] of [
      ['GET', `${V1}/environmentshub/${t.envId}/secrets`],
      ['GET', `${V1}/environmentshub/${t.envId}/variables`],
      ['POST', `${V1}/environmentshub/${t.envId}/variables`, { name: 'X', value: 'x' }],
      ['GET', `${V1}/secrets/${t.globalId}?teamId=${teamId}`],
      ['PATCH', `${V1}/secrets/${t.globalId}?teamId=${teamId}`, { value: 'stolen' }],
      ['GET', `${V1}/secrets/?teamId=${teamId}`],
      ['POST', `${V1}/secrets/`, { name: 'X', value: 'x', teamId }],
      ['GET', `${V1}/environmentshub?teamId=${teamId}`],
      ['POST', `${V1}/environmentshub`, { name: 'intruder', teamId }],
      ['GET', `${V1}/environmentshub/${svc.seed.team.slug}/team-environment/@latest`],
      ['GET', `${V1}/environmentshub/${svc.seed.user.slug}/my-environment/@latest`],
      ['GET', `${V1}/teams/${teamId}/members`],
      ['POST', `${V1}/teams/${teamId}/members`, { userId: outsider.id, role: 'admin' }],
      ['PATCH', `${V1}/teams/${teamId}/members/${svc.seed.user.id}`, { role: 'viewer' }],
      ['DELETE', `${V1}/teams/${teamId}/members/${svc.seed.user.id}`],
      ['GET', `${V1}/audit?teamId=${teamId}`],
    ] as [string, string, unknown?][]) {
      expectError(
        await svc.call(method, path, { key: outsider.key, body }),
        404,
        'not_found',
        `outsider ${method} ${path}`,
      );
    }

    // In their own scope the outsider sees only their own (empty) things.
    const own = await svc.call('GET', `${V1}/secrets/`, { key: outsider.key });
    expect(own.body).toEqual({ data: [], totalCount: 0 });
    const ownAudit = await svc.call('GET', `${V1}/audit`, { key: outsider.key });
    expect(JSON.stringify(ownAudit.body)).not.toContain(f.envId);
    const who = await svc.call('GET', `${V1}/user/whoami`, { key: outsider.key });
    expect(who.body.data.scope.teams).toEqual([]);

    // Nothing was changed by any of it.
    const key = svc.seed.user.apiKey;
    for (const env of [f, t]) {
      const vars = await svc.call('GET', `${V1}/environmentshub/${env.envId}/variables`, { key });
      expect(vars.body.data.map((v: any) => [v.name, v.value])).toEqual([['MODE', 'm']]);
      const secrets = await svc.call('GET', `${V1}/environmentshub/${env.envId}/secrets`, { key });
      expect(secrets.body.data.map((s: any) => s.name)).toEqual(['DIRECT', 'LINKED']);
    }
    const runtime = await svc.call('GET', `${V1}/environmentshub/${f.envId}/runtime`, { key: svc.seed.serviceKey });
    expect(runtime.body.data.env).toEqual({ DIRECT: 'd-v', LINKED: 'g-v', MODE: 'm' });
    const members = await svc.call('GET', `${V1}/teams/${teamId}/members`, { key });
    expect(members.body.data.map((m: any) => [m.slug, m.role])).toEqual([['dev', 'admin']]);
  });
});

describe('team roles', () => {
  let carol: User;
  let carolRuntimeKey: string;
  const teamId = () => svc.seed.team.id;
  const env = () => fixture.team.envId;

  async function setRole(role: 'viewer' | 'member' | 'admin'): Promise<void> {
    const res = await svc.call('PATCH', `${V1}/teams/${teamId()}/members/${carol.id}`, {
      key: svc.seed.user.apiKey,
      body: { role },
    });
    expectStatus(res, 200, `make carol ${role}`);
    expect(res.body.data).toMatchObject({ userId: carol.id, slug: 'carol', role });
  }

  /** Every write a team member may make; `ids` name existing things of the team. */
  function writes(): [string, string, unknown?][] {
    const t = fixture.team;
    const e = env();
    return [
      ['POST', `${V1}/environmentshub/${e}/secrets`, { name: 'NEW_SECRET', value: 'v' }],
      ['PATCH', `${V1}/environmentshub/${e}/secrets/${t.secretId}`, { value: 'changed' }],
      ['DELETE', `${V1}/environmentshub/${e}/secrets/${t.secretId}`],
      ['POST', `${V1}/environmentshub/${e}/variables`, { name: 'NEW_VAR', value: 'v' }],
      ['PATCH', `${V1}/environmentshub/${e}/variables/${t.variableId}`, { value: 'changed' }],
      ['DELETE', `${V1}/environmentshub/${e}/variables/${t.variableId}`],
      ['POST', `${V1}/environmentshub/${e}/secrets/link/${t.otherGlobalId}`, {}],
      ['DELETE', `${V1}/environmentshub/${e}/secrets/link/${t.globalId}`],
      ['POST', `${V1}/secrets/`, { name: 'NEW_GLOBAL', value: 'v', teamId: teamId() }],
      ['PATCH', `${V1}/secrets/${t.otherGlobalId}?teamId=${teamId()}`, { description: 'changed' }],
      ['DELETE', `${V1}/secrets/${t.otherGlobalId}?teamId=${teamId()}`],
      ['POST', `${V1}/environmentshub`, { name: 'viewer-made', teamId: teamId() }],
      ['DELETE', `${V1}/environmentshub/${e}`],
    ];
  }

  async function expectReads(key: string): Promise<void> {
    const secrets = await svc.call('GET', `${V1}/environmentshub/${env()}/secrets`, { key });
    expectStatus(secrets, 200, 'list env secrets');
    expect(secrets.body.data.map((s: any) => [s.name, s.source])).toEqual([
      ['DIRECT', 'environment'],
      ['LINKED', 'global-linked'],
    ]);
    expect(JSON.stringify(secrets.body)).not.toMatch(/d-v|g-v/);
    const vars = await svc.call('GET', `${V1}/environmentshub/${env()}/variables`, { key });
    expectStatus(vars, 200, 'list variables');
    expect(vars.body.data.map((v: any) => [v.name, v.value])).toEqual([['MODE', 'm']]);
    const globals = await svc.call('GET', `${V1}/secrets/?teamId=${teamId()}`, { key });
    expectStatus(globals, 200, 'list team secrets');
    expect(globals.body.data.map((s: any) => s.name)).toEqual(['LINKED', 'SPARE']);
    expect(JSON.stringify(globals.body)).not.toMatch(/g-v|s-v/);
    const detail = await svc.call('GET', `${V1}/secrets/${fixture.team.globalId}?teamId=${teamId()}`, { key });
    expectStatus(detail, 200, 'team secret detail');
    expect(detail.body.data.linkedEnvironments.map((e: any) => e.id)).toEqual([env()]);
    const envs = await svc.call('GET', `${V1}/environmentshub?teamId=${teamId()}`, { key });
    expect(envs.body.data.map((e: any) => e.id)).toEqual([env()]);
    const bySlug = await svc.call('GET', `${V1}/environmentshub/${svc.seed.team.slug}/team-environment/@latest`, {
      key,
    });
    expect(bySlug.body.data?.id).toBe(env());
    const members = await svc.call('GET', `${V1}/teams/${teamId()}/members`, { key });
    expectStatus(members, 200, 'members');
  }

  beforeAll(async () => {
    carol = await newUser('carol');
    carolRuntimeKey = (await newKey(carol.accountKey, ['manage', 'runtime'])).key;
    const added = await svc.call('POST', `${V1}/teams/${teamId()}/members`, {
      key: svc.seed.user.apiKey,
      body: { userId: carol.id, role: 'viewer' },
    });
    expectStatus(added, 201, 'add carol');
    expect(added.body.data).toMatchObject({ userId: carol.id, role: 'viewer' });
  });

  it('a viewer reads metadata and variables but every write is 403', async () => {
    await expectReads(carol.key);
    const who = await svc.call('GET', `${V1}/user/whoami`, { key: carol.key });
    expect(who.body.data.scope.teams).toEqual([{ teamId: teamId(), slug: svc.seed.team.slug, role: 'viewer' }]);

    for (const [method, path, body] of writes()) {
      expectError(await svc.call(method, path, { key: carol.key, body }), 403, 'forbidden', `viewer ${method} ${path}`);
    }
    for (const [method, path, body] of [
      ['POST', `${V1}/teams/${teamId()}/members`, { userId: outsider.id, role: 'viewer' }],
      ['PATCH', `${V1}/teams/${teamId()}/members/${carol.id}`, { role: 'admin' }],
      ['DELETE', `${V1}/teams/${teamId()}/members/${svc.seed.user.id}`],
      ['GET', `${V1}/audit?teamId=${teamId()}`],
    ] as [string, string, unknown?][]) {
      expectError(await svc.call(method, path, { key: carol.key, body }), 403, 'forbidden', `viewer ${method} ${path}`);
    }
    expectError(
      await svc.call('GET', `${V1}/environmentshub/${env()}/runtime`, { key: carolRuntimeKey }),
      403,
      'forbidden',
      "viewer's runtime key",
    );
    // Nothing changed: the reads still see exactly the fixture.
    await expectReads(svc.seed.user.apiKey);
  });

  it('a member writes but neither manages members nor reads the audit log', async () => {
    await setRole('member');
    const t = fixture.team;
    const e = env();
    const key = carol.key;
    const secret = await created('POST', `${V1}/environmentshub/${e}/secrets`, key, { name: 'BY_CAROL', value: 'c' });
    expectStatus(
      await svc.call('PATCH', `${V1}/environmentshub/${e}/secrets/${secret.id}`, { key, body: { value: 'c2' } }),
      200,
      'patch secret',
    );
    const variable = await created('POST', `${V1}/environmentshub/${e}/variables`, key, {
      name: 'CAROL_VAR',
      value: 'v',
    });
    expectStatus(
      await svc.call('PATCH', `${V1}/environmentshub/${e}/variables/${variable.id}`, { key, body: { value: 'v2' } }),
      200,
      'patch variable',
    );
    await created('POST', `${V1}/environmentshub/${e}/secrets/link/${t.otherGlobalId}`, key, {});
    const global = await created('POST', `${V1}/secrets/`, key, { name: 'CAROL_GLOBAL', value: 'g', teamId: teamId() });
    expect(global).toMatchObject({ teamId: teamId(), userId: null });
    expectStatus(
      await svc.call('PATCH', `${V1}/secrets/${global.id}?teamId=${teamId()}`, { key, body: { description: 'd' } }),
      200,
      'patch global',
    );
    const environment = await created('POST', `${V1}/environmentshub`, key, { name: 'carol-env', teamId: teamId() });
    expect(environment).toMatchObject({ owner: svc.seed.team.slug, teamId: teamId(), userId: null });

    const runtime = await svc.call('GET', `${V1}/environmentshub/${e}/runtime`, { key: carolRuntimeKey });
    expectStatus(runtime, 200, "member's runtime key");
    expect(runtime.body.data.env).toEqual({
      BY_CAROL: 'c2',
      CAROL_VAR: 'v2',
      DIRECT: 'd-v',
      LINKED: 'g-v',
      MODE: 'm',
      SPARE: 's-v',
    });
    expectError(
      await svc.call('GET', `${V1}/environmentshub/${e}/runtime`, { key: carol.key }),
      403,
      'forbidden',
      "member's manage-only key",
    );

    for (const [method, path, body] of [
      ['POST', `${V1}/teams/${teamId()}/members`, { userId: outsider.id, role: 'viewer' }],
      ['PATCH', `${V1}/teams/${teamId()}/members/${carol.id}`, { role: 'admin' }],
      ['PATCH', `${V1}/teams/${teamId()}/members/${svc.seed.user.id}`, { role: 'member' }],
      ['DELETE', `${V1}/teams/${teamId()}/members/${svc.seed.user.id}`],
      ['GET', `${V1}/audit?teamId=${teamId()}`],
    ] as [string, string, unknown?][]) {
      expectError(await svc.call(method, path, { key, body }), 403, 'forbidden', `member ${method} ${path}`);
    }

    // Undo, as a member may: deletes and unlinks.
    for (const [method, path] of [
      ['DELETE', `${V1}/environmentshub/${e}/secrets/${secret.id}`],
      ['DELETE', `${V1}/environmentshub/${e}/variables/${variable.id}`],
      ['DELETE', `${V1}/environmentshub/${e}/secrets/link/${t.otherGlobalId}`],
      ['DELETE', `${V1}/secrets/${global.id}?teamId=${teamId()}`],
      ['DELETE', `${V1}/environmentshub/${environment.id}`],
    ] as const) {
      expectStatus(await svc.call(method, path, { key }), 200, `member ${method} ${path}`);
    }
    await expectReads(key);
  });

  it('a team admin manages members and reads the team audit log', async () => {
    await setRole('admin');
    const key = carol.key;
    const audit = await svc.call('GET', `${V1}/audit?teamId=${teamId()}`, { key });
    expectStatus(audit, 200, 'team audit');
    const carolsEvents = audit.body.data.filter((ev: any) => ev.actor.type === 'user' && ev.actor.id === carol.id);
    expect(carolsEvents.map((ev: any) => ev.action)).toEqual(
      expect.arrayContaining(['create', 'update', 'link', 'unlink', 'delete', 'runtime_read']),
    );
    expect(JSON.stringify(audit.body)).not.toMatch(/"c2"|"v2"|g-v|d-v/);

    const added = await svc.call('POST', `${V1}/teams/${teamId()}/members`, {
      key,
      body: { userId: outsider.id, role: 'viewer' },
    });
    expectStatus(added, 201, 'admin adds a member');
    expectStatus(
      await svc.call('PATCH', `${V1}/teams/${teamId()}/members/${outsider.id}`, { key, body: { role: 'member' } }),
      200,
      'admin changes a role',
    );
    expectStatus(
      await svc.call('DELETE', `${V1}/teams/${teamId()}/members/${outsider.id}`, { key }),
      200,
      'admin removes a member',
    );
    expectError(
      await svc.call('GET', `${V1}/environmentshub/${env()}/variables`, { key: outsider.key }),
      404,
      'not_found',
      'removed outsider',
    );
    const runtime = await svc.call('GET', `${V1}/environmentshub/${env()}/runtime`, { key: carolRuntimeKey });
    expectStatus(runtime, 200, "admin's runtime key");
    expectError(
      await svc.call('GET', `${V1}/environmentshub/${env()}/runtime`, { key }),
      403,
      'forbidden',
      "admin's manage-only key",
    );
  });

  it('a removed member loses access at once', async () => {
    // Carol's keys are verified and cached by now; her role is not part of that cache.
    expectStatus(await svc.call('GET', `${V1}/environmentshub/${env()}/secrets`, { key: carol.key }), 200, 'before');
    const removed = await svc.call('DELETE', `${V1}/teams/${teamId()}/members/${carol.id}`, {
      key: svc.seed.user.apiKey,
    });
    expectStatus(removed, 200, 'remove carol');
    for (const [k, method, path] of [
      [carol.key, 'GET', `${V1}/environmentshub/${env()}/secrets`],
      [carol.key, 'GET', `${V1}/environmentshub/${env()}/variables`],
      [carol.key, 'POST', `${V1}/environmentshub/${env()}/variables`],
      [carol.key, 'GET', `${V1}/secrets/?teamId=${teamId()}`],
      [carol.key, 'GET', `${V1}/teams/${teamId()}/members`],
      [carol.key, 'GET', `${V1}/audit?teamId=${teamId()}`],
      [carolRuntimeKey, 'GET', `${V1}/environmentshub/${env()}/runtime`],
    ] as const) {
      const body = method === 'POST' ? { name: 'LATE', value: 'x' } : undefined;
      expectError(await svc.call(method, path, { key: k, body }), 404, 'not_found', `removed ${method} ${path}`);
    }
    const who = await svc.call('GET', `${V1}/user/whoami`, { key: carol.key });
    expect(who.body.data.scope.teams).toEqual([]);
  });
});

describe('runtime reads', () => {
  const path = (envId: string) => `${V1}/environmentshub/${envId}/runtime`;

  it('are for service keys and runtime-scoped keys of users who can write the environment', async () => {
    for (const envId of [fixture.personal.envId, fixture.team.envId]) {
      const byService = await svc.call('GET', path(envId), { key: svc.seed.serviceKey });
      expectStatus(byService, 200, 'service key');
      expect(byService.body.data).toMatchObject({ environmentId: envId, env: { DIRECT: 'd-v', LINKED: 'g-v' } });
      expectStatus(await svc.call('GET', path(envId), { key: svc.seed.user.runtimeKey }), 200, 'owner runtime key');
      expectError(
        await svc.call('GET', path(envId), { key: svc.seed.user.apiKey }),
        403,
        'forbidden',
        'manage-only key',
      );
      expectError(await svc.call('GET', path(envId), { key: svc.seed.adminKey }), 404, 'not_found', 'admin key');
      const outsiderRead = await svc.call('GET', path(envId), { key: outsiderRuntimeKey });
      expectError(outsiderRead, 404, 'not_found', "outsider's runtime key");
      // Same answer as for an environment that does not exist.
      expect(outsiderRead.body).toEqual((await svc.call('GET', path(newId()), { key: outsiderRuntimeKey })).body);
      expect(JSON.stringify(outsiderRead.body)).not.toContain('d-v');
    }
    // A service key on an environment that does not exist is 404, not 403.
    expectError(await svc.call('GET', path(newId()), { key: svc.seed.serviceKey }), 404, 'not_found', 'missing env');
  });

  it('a runtime-only key reads runtime values but cannot manage anything', async () => {
    const runtimeOnly = await newKey(svc.seed.user.runtimeKey, ['runtime']);
    const read = await svc.call('GET', path(fixture.personal.envId), { key: runtimeOnly.key });
    expectStatus(read, 200, 'runtime-only key reads');
    expect(read.body.data.env.DIRECT).toBe('d-v');
    const f = fixture.personal;
    for (const [method, p, body] of [
      ['GET', `${V1}/user/whoami`],
      ['GET', `${V1}/user/teams`],
      ['GET', `${V1}/user/api-keys`],
      ['POST', `${V1}/user/api-keys`, { name: 'escalate', scopes: ['manage'] }],
      ['DELETE', `${V1}/user/api-keys/${runtimeOnly.id}`],
      ['POST', `${V1}/teams`, { name: 'New', slug: 'runtime-made' }],
      ['GET', `${V1}/secrets/`],
      ['POST', `${V1}/secrets/`, { name: 'X', value: 'x' }],
      ['GET', `${V1}/secrets/${f.globalId}`],
      ['GET', `${V1}/environmentshub`],
      ['POST', `${V1}/environmentshub`, { name: 'runtime-made' }],
      ['GET', `${V1}/environmentshub/${f.envId}/secrets`],
      ['GET', `${V1}/environmentshub/${f.envId}/variables`],
      ['POST', `${V1}/environmentshub/${f.envId}/variables`, { name: 'X', value: 'x' }],
      ['DELETE', `${V1}/environmentshub/${f.envId}/secrets/${f.secretId}`],
      ['GET', `${V1}/audit`],
    ] as [string, string, unknown?][]) {
      expectError(
        await svc.call(method, p, { key: runtimeOnly.key, body }),
        403,
        'forbidden',
        `runtime-only ${method} ${p}`,
      );
    }
    // Still hidden where the user has no access at all: 404, not 403.
    const outsiderRuntimeOnly = await newKey(outsider.accountKey, ['runtime']);
    expectError(
      await svc.call('GET', path(f.envId), { key: outsiderRuntimeOnly.key }),
      404,
      'not_found',
      "outsider's runtime-only key",
    );
    expectError(
      await svc.call('GET', `${V1}/environmentshub/${f.envId}/variables`, { key: outsiderRuntimeOnly.key }),
      404,
      'not_found',
      "outsider's runtime-only key on variables",
    );
    // And nothing was created or revoked.
    const keys = await svc.call('GET', `${V1}/user/api-keys`, { key: svc.seed.user.apiKey });
    expect(keys.body.data.map((k: any) => k.id)).toContain(runtimeOnly.id);
    expect(keys.body.data.map((k: any) => k.name)).not.toContain('escalate');
  });
});

describe('service and admin keys are not users', () => {
  it('answers 403 on user routes for service and admin keys, 404 on things by id, and 403 on admin routes for other keys', async () => {
    const f = fixture.personal;
    const userRoutes: [string, string, unknown?][] = [
      ['GET', `${V1}/user/whoami`],
      ['GET', `${V1}/user/teams`],
      ['GET', `${V1}/user/api-keys`],
      ['POST', `${V1}/user/api-keys`, { name: 'k' }],
      ['POST', `${V1}/teams`, { name: 'Service Team', slug: 'service-team' }],
      ['GET', `${V1}/secrets/`],
      ['POST', `${V1}/secrets/`, { name: 'X', value: 'x' }],
      ['GET', `${V1}/environmentshub`],
      ['POST', `${V1}/environmentshub`, { name: 'service-made' }],
      ['GET', `${V1}/audit`],
    ];
    // By id (or slug), existing or not, the same 404: a key that is not a user learns nothing.
    const missing = newId();
    const byId: [string, string, unknown?][] = [
      ['GET', `${V1}/teams/${svc.seed.team.id}/members`],
      ['GET', `${V1}/teams/${missing}/members`],
      ['POST', `${V1}/teams/${svc.seed.team.id}/members`, { userId: outsider.id, role: 'admin' }],
      ['GET', `${V1}/environmentshub/${f.envId}/secrets`],
      ['GET', `${V1}/environmentshub/${missing}/secrets`],
      ['GET', `${V1}/environmentshub/${f.envId}/variables`],
      ['POST', `${V1}/environmentshub/${f.envId}/variables`, { name: 'X', value: 'x' }],
      ['PATCH', `${V1}/environmentshub/${f.envId}/variables/${f.variableId}`, { value: 'changed' }],
      ['DELETE', `${V1}/environmentshub/${f.envId}`],
      ['GET', `${V1}/environmentshub/${svc.seed.user.slug}/${svc.seed.environments.personal.name}/@latest`],
      ['GET', `${V1}/environmentshub/${svc.seed.user.slug}/no-such-environment/@latest`],
      ['GET', `${V1}/environmentshub/${svc.seed.team.slug}/${svc.seed.environments.team.name}/@latest`],
    ];
    for (const [who, key] of [
      ['service', svc.seed.serviceKey],
      ['admin', svc.seed.adminKey],
    ] as const) {
      for (const [method, path, body] of userRoutes) {
        expectError(await svc.call(method, path, { key, body }), 403, 'forbidden', `${who} ${method} ${path}`);
      }
      for (const [method, path, body] of byId) {
        expectError(await svc.call(method, path, { key, body }), 404, 'not_found', `${who} ${method} ${path}`);
      }
    }

    const adminRoutes: [string, string, unknown][] = [
      ['POST', `${V1}/admin/users`, { email: 'mallory@example.com', name: 'Mallory', slug: 'mallory' }],
      ['POST', `${V1}/admin/service-keys`, { service: 'hosted-training', name: 'stolen' }],
    ];
    for (const [who, key] of [
      ['user', svc.seed.user.apiKey],
      ['runtime', svc.seed.user.runtimeKey],
      ['service', svc.seed.serviceKey],
    ] as const) {
      for (const [method, path, body] of adminRoutes) {
        expectError(await svc.call(method, path, { key, body }), 403, 'forbidden', `${who} ${method} ${path}`);
      }
    }
    // None of it took effect: the slug is free, the variable unchanged, the environment there.
    const vars = await svc.call('GET', `${V1}/environmentshub/${f.envId}/variables`, { key: svc.seed.user.apiKey });
    expect(vars.body.data.map((v: any) => [v.name, v.value])).toEqual([['MODE', 'm']]);
    const mallory = await svc.call('POST', `${V1}/admin/users`, { key: svc.seed.adminKey, body: adminRoutes[0]![2] });
    expectStatus(mallory, 201, 'admin creates the user');
    const serviceKey = await svc.call('POST', `${V1}/admin/service-keys`, {
      key: svc.seed.adminKey,
      body: adminRoutes[1]![2],
    });
    expectStatus(serviceKey, 201, 'admin creates a service key');
    expectStatus(
      await svc.call('GET', `${V1}/environmentshub/${f.envId}/runtime`, { key: serviceKey.body.data.key }),
      200,
      'new service key reads runtime',
    );
  });
});
