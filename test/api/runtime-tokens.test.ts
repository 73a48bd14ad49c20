import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROUTES } from '../../functions/routes.js';
import { createLocalApp } from '../../infra/local/server.js';
import { hashApiKey } from '../../shared/auth/api-keys.js';
import { keys } from '../../shared/data/keys.js';
import { newId } from '../../shared/ids.js';
import { createLogger } from '../../shared/logger.js';
import { getItem } from '../../shared/storage/item.js';
import { caller, startTestService, type CallResult, type TestService, testDeps } from '../support/service.js';

/**
 * Runtime tokens (API.md, "Runtime tokens"): minted for one environment and one job by whoever
 * may read its runtime values, good only for that environment's runtime read and check, audited
 * with the job id, listed without the token, revocable, and refused once expired or revoked.
 */

const V1 = '/api/v1';
const ENV = `${V1}/environmentshub/{envId}`;
const tokensPath = (envId: string) => `${V1}/environmentshub/${envId}/runtime-tokens`;
const runtimePath = (envId: string) => `${V1}/environmentshub/${envId}/runtime`;

interface Minted {
  id: string;
  token: string;
  environmentId: string;
  jobId: string;
  expiresAt: string;
}

/** Every call the service makes to its logger, as text. */
const logged: string[] = [];
const logger = createLogger('runtime-tokens-test');
for (const level of ['info', 'warn', 'error'] as const) {
  vi.spyOn(logger, level).mockImplementation(((...args: unknown[]) => {
    logged.push(JSON.stringify(args));
  }) as never);
}

let svc: TestService;
let personal: string;
let team: string;
/** Runtime-scoped keys (and the owner's manage-only one), each made explicitly with its scopes. */
const keysOf = {} as Record<'ownerManage' | 'member' | 'viewer' | 'other', string>;

const mint = (envId: string, key: string | undefined, body: unknown) =>
  svc.call('POST', tokensPath(envId), { key, body });

async function minted(envId: string, jobId: string, key = svc.seed.serviceKey, ttlSeconds?: number): Promise<Minted> {
  const res = await mint(envId, key, { jobId, ...(ttlSeconds === undefined ? {} : { ttlSeconds }) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

const read = (envId: string, key: string, headers?: Record<string, string>) =>
  svc.call('GET', runtimePath(envId), { key, headers });

const withoutToken = ({ token: _shown, ...listed }: Minted) => listed;

function expectError(res: CallResult, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toEqual({ detail: expect.anything(), code });
}

async function runtimeScopedKey(accountKey: string, scopes: string[]): Promise<string> {
  const res = await svc.call('POST', `${V1}/user/api-keys`, { key: accountKey, body: { name: 'scoped', scopes } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data.key;
}

async function teamUser(slug: string, role: 'member' | 'viewer'): Promise<string> {
  const user = await svc.newUser(slug);
  const added = await svc.call('POST', `${V1}/teams/${svc.seed.team.id}/members`, {
    key: svc.seed.user.apiKey,
    body: { userId: user.id, role },
  });
  expect(added.status).toBe(201);
  return runtimeScopedKey(user.accountKey, ['runtime']);
}

beforeAll(async () => {
  svc = await startTestService({ logger });
  personal = svc.seed.environments.personal.id;
  team = svc.seed.environments.team.id;
  const owner = svc.seed.user.apiKey;
  const created = async (path: string, body: unknown) =>
    expect((await svc.call('POST', path, { key: owner, body })).status).toBe(201);
  await created(`${V1}/environmentshub/${personal}/secrets`, { name: 'DIRECT', value: 'direct-value' });
  await created(`${V1}/environmentshub/${personal}/variables`, { name: 'MODE', value: 'fast' });
  await created(`${V1}/environmentshub/${team}/secrets`, { name: 'TEAM_DIRECT', value: 'team-value' });
  const global = await svc.call('POST', `${V1}/secrets`, { key: owner, body: { name: 'LINKED', value: 'g' } });
  await created(`${V1}/environmentshub/${personal}/secrets/link/${global.body.data.id}`, {});

  keysOf.ownerManage = await runtimeScopedKey(owner, ['manage']);
  keysOf.member = await teamUser('token-member', 'member');
  keysOf.viewer = await teamUser('token-viewer', 'viewer');
  keysOf.other = await runtimeScopedKey((await svc.newUser('token-other')).accountKey, ['runtime']);
});

describe('minting a runtime token', () => {
  it('by a service key: one environment, one job, an hour by default, the token shown once', async () => {
    const before = Date.now();
    const res = await mint(personal, svc.seed.serviceKey, { jobId: 'job-minted' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const token: Minted = res.body.data;
    expect(Object.keys(token).sort()).toEqual(['environmentId', 'expiresAt', 'id', 'jobId', 'token']);
    expect(token).toMatchObject({ environmentId: personal, jobId: 'job-minted' });
    expect(token.id).toMatch(/^[a-z2-7]{24}$/);
    expect(token.token).toMatch(/^prime_rt_[A-Za-z0-9_-]{43}$/);
    expect(token.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const life = Date.parse(token.expiresAt) - before;
    expect(life).toBeGreaterThanOrEqual(3_600_000);
    expect(life).toBeLessThan(3_600_000 + 60_000);
  });

  it('by a runtime-scoped key of a user who can write the environment: its owner, a team member', async () => {
    const own = await minted(personal, 'job-owner', svc.seed.user.runtimeKey);
    expect(own.environmentId).toBe(personal);
    const byMember = await minted(team, 'job-member', keysOf.member, 86_400);
    expect(byMember.environmentId).toBe(team);
    expect(Date.parse(byMember.expiresAt) - Date.now()).toBeGreaterThan(86_400_000 - 60_000);
  });

  it('is refused to everyone else, as the runtime read is', async () => {
    const body = { jobId: 'job-refused' };
    // Visible, but the key lacks the runtime scope, or the role may not write.
    expectError(await mint(personal, keysOf.ownerManage, body), 403, 'forbidden');
    expectError(await mint(team, keysOf.viewer, body), 403, 'forbidden');
    // Not theirs to see: another user, the platform admin, an environment that does not exist.
    expectError(await mint(personal, keysOf.other, body), 404, 'not_found');
    expectError(await mint(team, keysOf.other, body), 404, 'not_found');
    expectError(await mint(personal, svc.seed.adminKey, body), 404, 'not_found');
    expectError(await mint(newId(), svc.seed.serviceKey, body), 404, 'not_found');
    // A token is no key for minting another, nor is nothing.
    const token = await minted(personal, 'job-parent');
    expectError(await mint(personal, token.token, body), 401, 'unauthorized');
    expectError(await mint(personal, undefined, body), 401, 'unauthorized');
  });

  it('takes a TTL of 1 s to a day and a job id by the X-Job-Id rule, else 422', async () => {
    for (const body of [
      { jobId: 'job-ttl', ttlSeconds: 0 },
      { jobId: 'job-ttl', ttlSeconds: 86_401 },
      { jobId: 'job-ttl', ttlSeconds: 1.5 },
      { jobId: 'job-ttl', ttlSeconds: '60' },
      {},
      { jobId: '' },
      { jobId: 'job with spaces' },
      { jobId: 'x'.repeat(201) },
    ]) {
      const res = await mint(personal, svc.seed.serviceKey, body);
      expectError(res, 422, 'validation_error');
      expect(res.body.detail[0].loc[0], JSON.stringify(body)).toBe('body');
    }
    await minted(personal, 'x'.repeat(200), svc.seed.serviceKey, 1);
    await minted(personal, 'job-longest', svc.seed.serviceKey, 86_400);
  });
});

describe('reading with a runtime token', () => {
  const comparable = (res: CallResult) => ({ ...res.body.data, resolvedAt: undefined });

  it("reads its own environment's runtime set, as the service key sees it", async () => {
    for (const [envId, minter] of [
      [personal, svc.seed.serviceKey],
      [team, keysOf.member],
    ] as const) {
      const token = await minted(envId, 'job-read', minter);
      const res = await read(envId, token.token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(comparable(res)).toEqual(comparable(await read(envId, svc.seed.serviceKey)));
    }
    expect((await read(personal, (await minted(personal, 'job-values')).token)).body.data.env).toEqual({
      DIRECT: 'direct-value',
      MODE: 'fast',
      LINKED: 'g',
    });
  });

  it("checks its own environment's readiness as the service key does, names and no value", async () => {
    const token = await minted(personal, 'job-check');
    const check = (envId: string, key: string) => svc.call('GET', `${runtimePath(envId)}/check`, { key });
    const res = await check(personal, token.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual(await check(personal, svc.seed.serviceKey).then((r) => r.body));
    expect(res.body.data).toMatchObject({ ready: true, missing: [] });
    expect(JSON.stringify(res.body)).not.toContain('direct-value');
    expectError(await check(team, token.token), 404, 'not_found');
  });

  it('another environment is 404, existing or not', async () => {
    const token = await minted(personal, 'job-elsewhere');
    expectError(await read(team, token.token), 404, 'not_found');
    expectError(await read(newId(), token.token), 404, 'not_found');
    expect((await read(personal, token.token)).status).toBe(200);
  });

  it('every other route of the route table is 401, its own environment included', async () => {
    const token = await minted(personal, 'job-routes');
    const fill = (path: string) =>
      path.replace(/\{(\w+)\}/g, (_, param: string) =>
        param === 'envId'
          ? personal
          : param === 'owner'
            ? svc.seed.user.slug
            : param === 'name'
              ? svc.seed.environments.personal.name
              : newId(),
      );
    const taken: string[] = [];
    for (const route of ROUTES.filter((r) => !r.public)) {
      const body = route.method === 'GET' ? undefined : {};
      const res = await svc.call(route.method, fill(route.path), { key: token.token, body });
      if (res.status === 401) expect(res.body.code).toBe('unauthorized');
      else taken.push(`${route.method} ${route.path} → ${res.status}`);
    }
    expect(taken).toEqual([`GET ${ENV}/runtime → 200`, `GET ${ENV}/runtime/check → 200`]);
  });

  it("audits each read with the token's job id, whatever X-Job-Id says, and its making too", async () => {
    const token = await minted(personal, 'job-audited');
    expect((await read(personal, token.token, { 'x-job-id': 'job-claimed' })).status).toBe(200);
    const audit = await svc.call('GET', `${V1}/audit?environmentId=${personal}&limit=500`, {
      key: svc.seed.user.apiKey,
    });
    expect(audit.status).toBe(200);
    const events = audit.body.data as any[];
    const readEvent = events.find((e) => e.action === 'runtime_read' && e.actor.id === token.id);
    expect(readEvent).toMatchObject({
      actor: { type: 'runtime-token', id: token.id, keyId: token.id },
      target: { type: 'environment', id: personal },
      environmentId: personal,
      jobId: 'job-audited',
      versions: { DIRECT: 1, MODE: 1, LINKED: 1 },
    });
    const made = events.find((e) => e.action === 'create' && e.target.id === token.id);
    expect(made).toMatchObject({
      actor: { type: 'service', id: 'environment-actions' },
      target: { type: 'runtime_token', id: token.id, name: null },
      environmentId: personal,
      jobId: 'job-audited',
    });
    expect(events.some((e) => e.jobId === 'job-claimed')).toBe(false);
  });
});

describe('an expired runtime token', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is 401 although TTL has not removed it, from the key cache and from the table alike', async () => {
    const token = await minted(personal, 'job-expiring', svc.seed.serviceKey, 10);
    const lasting = await minted(personal, 'job-lasting');
    expect((await read(personal, token.token)).status).toBe(200); // its principal is cached from here

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse(token.expiresAt));
    const hash = hashApiKey(token.token);
    expect(svc.deps.apiKeys.has(hash)).toBe(true);
    const cached = await read(personal, token.token);
    expectError(cached, 401, 'unauthorized');
    expect(cached.body.detail).toBe('This runtime token has expired.');

    svc.deps.apiKeys.delete(hash);
    expectError(await read(personal, token.token), 401, 'unauthorized');
    expect(await getItem(svc.deps.db, keys.apiKey(hash))).toBeDefined(); // still stored: TTL deletes late
    expect((await read(personal, lasting.token)).status).toBe(200);

    const listed = await svc.call('GET', tokensPath(personal), { key: svc.seed.serviceKey });
    expect(listed.body.data.map((t: Minted) => t.id)).not.toContain(token.id);
    expect(listed.body.data.map((t: Minted) => t.id)).toContain(lasting.id);
    expectError(
      await svc.call('DELETE', `${tokensPath(personal)}/${token.id}`, { key: svc.seed.serviceKey }),
      404,
      'not_found',
    );
  });
});

describe('revoking a runtime token', () => {
  it('lists it without the token until revoked; refused at once here, within the key cache window elsewhere', async () => {
    const windowMs = 1_500;
    const elsewhere = caller(createLocalApp(testDeps({ ...svc.deps.config, apiKeyCacheMs: windowMs })));
    const token = await minted(personal, 'job-revoked');
    expect((await elsewhere('GET', runtimePath(personal), { key: token.token })).status).toBe(200);

    const listed = await svc.call('GET', tokensPath(personal), { key: svc.seed.serviceKey });
    expect(listed.status).toBe(200);
    expect(listed.body.totalCount).toBe(listed.body.data.length);
    expect(listed.body.data).toContainEqual(withoutToken(token));
    expect(JSON.stringify(listed.body)).not.toContain(token.token);

    const revoked = await svc.call('DELETE', `${tokensPath(personal)}/${token.id}`, { key: svc.seed.serviceKey });
    expect(revoked.status).toBe(200);
    expect(revoked.body.data).toEqual(withoutToken(token));
    const revokedAt = Date.now();
    expectError(await read(personal, token.token), 401, 'unauthorized');
    // The other instance trusts its cached principal until its window has passed, then never again.
    expect((await elsewhere('GET', runtimePath(personal), { key: token.token })).status).toBe(200);
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < windowMs + 2_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await elsewhere('GET', runtimePath(personal), { key: token.token })).status;
    }
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(windowMs + 1_000);

    const after = await svc.call('GET', tokensPath(personal), { key: svc.seed.serviceKey });
    expect(after.body.data.map((t: Minted) => t.id)).not.toContain(token.id);
    expectError(
      await svc.call('DELETE', `${tokensPath(personal)}/${token.id}`, { key: svc.seed.serviceKey }),
      404,
      'not_found',
    );
  });

  it('by a user who can write the environment; never by a token, its own included', async () => {
    const token = await minted(team, 'job-team', keysOf.member);
    const one = `${tokensPath(team)}/${token.id}`;
    expectError(await svc.call('DELETE', one, { key: token.token }), 401, 'unauthorized');
    expectError(await svc.call('GET', tokensPath(team), { key: token.token }), 401, 'unauthorized');
    expectError(await svc.call('DELETE', one, { key: keysOf.viewer }), 403, 'forbidden');
    expectError(await svc.call('DELETE', one, { key: keysOf.other }), 404, 'not_found');
    expectError(
      await svc.call('DELETE', `${tokensPath(personal)}/${token.id}`, { key: svc.seed.serviceKey }),
      404,
      'not_found',
    );
    expect((await svc.call('GET', tokensPath(team), { key: keysOf.member })).body.data).toContainEqual(
      withoutToken(token),
    );
    expect((await svc.call('DELETE', one, { key: svc.seed.user.runtimeKey })).status).toBe(200);
    expectError(await read(team, token.token), 401, 'unauthorized');

    const audit = await svc.call('GET', `${V1}/audit?teamId=${svc.seed.team.id}&limit=500`, {
      key: svc.seed.user.apiKey,
    });
    const revokedEvent = audit.body.data.find((e: any) => e.action === 'revoke' && e.target.id === token.id);
    expect(revokedEvent).toMatchObject({
      actor: { type: 'user', id: svc.seed.user.id },
      target: { type: 'runtime_token', id: token.id, name: null },
      environmentId: team,
      jobId: 'job-team',
    });
  });
});

describe('a runtime token is shown once', () => {
  it('and is in no listing, log line, audit event or table item: only its hash is stored', async () => {
    const token = await minted(personal, 'job-hygiene');
    expect((await read(personal, token.token)).status).toBe(200);
    expect((await svc.call('GET', `${V1}/user/whoami`, { key: token.token })).status).toBe(401);
    const texts = [
      (await svc.call('GET', tokensPath(personal), { key: svc.seed.serviceKey })).body,
      (await svc.call('GET', `${V1}/audit?limit=500`, { key: svc.seed.user.apiKey })).body,
      (await svc.call('GET', `${V1}/audit?teamId=${svc.seed.team.id}&limit=500`, { key: svc.seed.user.apiKey })).body,
      (await svc.call('GET', `${V1}/admin/audit?limit=500`, { key: svc.seed.adminKey })).body,
    ].map((body) => JSON.stringify(body));
    expect(logged.length).toBeGreaterThan(0);
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await svc.deps.db.doc.send(
        new ScanCommand({ TableName: svc.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    for (const text of [...texts, ...logged, ...items.map((item) => JSON.stringify(item))]) {
      expect(text).not.toContain(token.token);
      expect(text).not.toContain(token.token.slice('prime_rt_'.length));
    }
    const stored = items.find((item) => item.pk === keys.apiKey(hashApiKey(token.token)).pk);
    expect(stored).toMatchObject({ principal: { type: 'runtime-token', keyId: token.id, envId: personal } });
    expect(stored!.ttl).toBe(Math.ceil(Date.parse(token.expiresAt) / 1000));
  });
});

describe('rate limits', () => {
  it("a token has a bucket of its own, at the users' rate", async () => {
    const limited = await startTestService({ env: { RATE_LIMIT_USER_RPS: '1', RATE_LIMIT_USER_BURST: '3' } });
    const envId = limited.seed.environments.personal.id;
    const mintThere = async () => {
      const res = await limited.call('POST', tokensPath(envId), {
        key: limited.seed.serviceKey,
        body: { jobId: 'job-burst' },
      });
      expect(res.status).toBe(201);
      return res.body.data.token as string;
    };
    const token = await mintThere();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await limited.call('GET', runtimePath(envId), { key: token })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await limited.call('GET', runtimePath(envId), { key: token });
    expectError(refused, 429, 'rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another token, the service key that minted them and the owner keep their own buckets.
    expect((await limited.call('GET', runtimePath(envId), { key: await mintThere() })).status).toBe(200);
    expect((await limited.call('GET', runtimePath(envId), { key: limited.seed.serviceKey })).status).toBe(200);
    expect((await limited.call('GET', `${V1}/user/whoami`, { key: limited.seed.user.apiKey })).status).toBe(200);
  });
});
