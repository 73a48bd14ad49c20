import { beforeAll, describe, expect, it } from 'vitest';
import { createLocalApp } from '../../infra/local/server.js';
import { listAdminKeysOf, adminKeyRevoke } from '../../shared/data/api-keys.js';
import { transactWrite } from '../../shared/storage/transact.js';
import { Browser } from '../console/browser.js';
import { caller, startTestService, type CallResult, type TestService, testDeps } from '../support/service.js';

/**
 * What an operator does with accounts after making them: list users, disable and enable them,
 * issue a new account key (a lost first key), and list, make and revoke admin keys, never the
 * last one. Each is an event of the platform's audit log.
 */
const V1 = '/api/v1';
const UNKNOWN_ID = 'a'.repeat(24);
let svc: TestService;
let admin: string;

const asAdmin = (method: string, path: string, body?: unknown) => svc.call(method, path, { key: admin, body });

function expectError(res: CallResult, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toEqual({ detail: expect.any(String), code });
}

async function platformEvents(
  limit = 20,
): Promise<{ action: string; target: { type: string; id: string; name: string } }[]> {
  const log = await asAdmin('GET', `${V1}/admin/audit?limit=${limit}`);
  expect(log.status).toBe(200);
  return log.body.data;
}

beforeAll(async () => {
  svc = await startTestService();
  admin = svc.seed.adminKey;
});

describe('GET /admin/users', () => {
  it('lists every user, oldest first, paged, with whether they are disabled and never a key', async () => {
    const made = [await svc.newUser('list-a'), await svc.newUser('list-b')];
    const all = await asAdmin('GET', `${V1}/admin/users`);
    expect(all.status).toBe(200);
    expect(all.body.totalCount).toBe(all.body.data.length);
    expect(all.body.data[0]).toEqual({
      id: svc.seed.user.id,
      email: 'dev@example.com',
      name: 'Development User',
      slug: 'dev',
      disabled: false,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(all.body.data.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining(made.map((u) => u.id)));
    for (const user of made) expect(JSON.stringify(all.body)).not.toContain(user.key);

    const second = await asAdmin('GET', `${V1}/admin/users?offset=1&limit=1`);
    expect(second.body).toEqual({ data: [all.body.data[1]], totalCount: all.body.totalCount });
  });
});

describe('disabling a user', () => {
  it('refuses their keys and console sessions (at once here, within the key cache window elsewhere) and keeps their data', async () => {
    const windowMs = 1_500;
    const elsewhereApp = createLocalApp(testDeps({ ...svc.deps.config, apiKeyCacheMs: windowMs }));
    const elsewhere = caller(elsewhereApp);
    const user = await svc.newUser('leaver');
    const env = await svc.call('POST', `${V1}/environmentshub`, { key: user.key, body: { name: 'kept' } });
    expect(env.status).toBe(201);
    const envId = env.body.data.id as string;
    const secret = { name: 'KEPT_SECRET', value: 'kept-value' };
    expect(
      (await svc.call('POST', `${V1}/environmentshub/${envId}/secrets`, { key: user.key, body: secret })).status,
    ).toBe(201);
    const runtime = (key: string, call = svc.call) => call('GET', `${V1}/environmentshub/${envId}/runtime`, { key });
    const whoami = (key: string, call = svc.call) => call('GET', `${V1}/user/whoami`, { key });
    expect((await whoami(user.key, elsewhere)).status).toBe(200); // cached on the other instance from here
    const browser = new Browser(svc.app);
    await browser.signIn(user.key);
    expect((await browser.get('/console')).status).toBe(200);
    const browserElsewhere = new Browser(elsewhereApp);
    await browserElsewhere.signIn(user.key);
    expect((await browserElsewhere.get('/console')).status).toBe(200);

    const disabled = await asAdmin('POST', `${V1}/admin/users/${user.id}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body.data).toMatchObject({ id: user.id, slug: 'leaver', disabled: true });
    const disabledAt = Date.now();

    // Here: refused at once, every key and the console session.
    expectError(await whoami(user.key), 401, 'unauthorized');
    expectError(await runtime(user.accountKey), 401, 'unauthorized');
    const page = await browser.get('/console');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/console/signin');
    const again = new Browser(svc.app);
    const form = await again.get('/console/signin');
    expect((await again.submit(form.html, '/console/signin', { apiKey: user.key })).status).toBe(401);
    // Elsewhere: within the key cache window.
    let status = 200;
    while (status === 200 && Date.now() - disabledAt < windowMs + 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await whoami(user.key, elsewhere)).status;
    }
    expect(status).toBe(401);
    expect((await browserElsewhere.get('/console')).status).toBe(303);
    const listed = await asAdmin('GET', `${V1}/admin/users?limit=500`);
    expect(listed.body.data.find((u: { id: string }) => u.id === user.id).disabled).toBe(true);

    // Enabled again: the same keys work and the data is all there.
    const enabled = await asAdmin('POST', `${V1}/admin/users/${user.id}/enable`);
    expect(enabled.status).toBe(200);
    expect(enabled.body.data.disabled).toBe(false);
    expect((await whoami(user.key)).status).toBe(200);
    const read = await runtime(user.accountKey);
    expect(read.status).toBe(200);
    expect(read.body.data.env).toEqual({ KEPT_SECRET: 'kept-value' });
    const signedIn = new Browser(svc.app);
    await signedIn.signIn(user.key);
    expect((await signedIn.get(`/console/environments/${envId}`)).html).toContain('KEPT_SECRET');

    const events = (await platformEvents()).filter((e) => e.target.id === user.id);
    expect(events.map((e) => [e.action, e.target])).toEqual([
      ['enable', { type: 'user', id: user.id, name: 'leaver' }],
      ['disable', { type: 'user', id: user.id, name: 'leaver' }],
      ['create', { type: 'user', id: user.id, name: 'leaver' }],
    ]);
  });

  it('is 404 for an unknown user, and changes nothing for a caller without the admin key', async () => {
    for (const action of ['disable', 'enable']) {
      expectError(await asAdmin('POST', `${V1}/admin/users/${UNKNOWN_ID}/${action}`), 404, 'not_found');
      expectError(await asAdmin('POST', `${V1}/admin/users/not-an-id/${action}`), 404, 'not_found');
    }
    const user = await svc.newUser('not-disabled');
    const refused = await svc.call('POST', `${V1}/admin/users/${user.id}/disable`, { key: svc.seed.user.accountKey });
    expectError(refused, 403, 'forbidden');
    expect((await svc.call('GET', `${V1}/user/whoami`, { key: user.key })).status).toBe(200);
  });
});

describe('POST /admin/users/{userId}/api-keys', () => {
  it('reissues a lost first key: an account key with every scope, shown once, audited', async () => {
    const user = await svc.newUser('lost-key');
    // A second POST /admin/users cannot give the key back.
    const again = await asAdmin('POST', `${V1}/admin/users`, { email: 'x@example.com', name: 'x', slug: 'lost-key' });
    expectError(again, 409, 'slug_taken');

    const issued = await asAdmin('POST', `${V1}/admin/users/${user.id}/api-keys`, { name: 'replacement' });
    expect(issued.status).toBe(201);
    const { key, ...shown } = issued.body.data;
    expect(shown).toEqual({
      id: expect.any(String),
      name: 'replacement',
      scopes: ['manage', 'runtime'],
      createdAt: expect.any(String),
    });
    const who = await svc.call('GET', `${V1}/user/whoami`, { key });
    expect(who.body.data.id).toBe(user.id);
    const listed = await svc.call('GET', `${V1}/user/api-keys`, { key });
    expect(listed.body.data).toContainEqual(shown);
    expect(JSON.stringify(listed.body)).not.toContain(key);

    const manage = await asAdmin('POST', `${V1}/admin/users/${user.id}/api-keys`, { name: 'm', scopes: ['manage'] });
    expect(manage.body.data.scopes).toEqual(['manage']);

    const events = await platformEvents(5);
    expect(events.map((e) => [e.action, e.target])).toContainEqual([
      'create',
      { type: 'api_key', id: shown.id, name: 'lost-key/replacement' },
    ]);
    expect(JSON.stringify(events)).not.toContain(key);
  });

  it('is 404 for an unknown user and 422 for a bad body', async () => {
    expectError(await asAdmin('POST', `${V1}/admin/users/${UNKNOWN_ID}/api-keys`, { name: 'x' }), 404, 'not_found');
    const bad = await asAdmin('POST', `${V1}/admin/users/${svc.seed.user.id}/api-keys`, {
      name: 'x',
      scopes: ['root'],
    });
    expect(bad.status).toBe(422);
  });
});

describe('admin keys', () => {
  const adminKeyWorks = async (key: string) => (await svc.call('GET', `${V1}/admin/api-keys`, { key })).status === 200;

  it('are listed without their keys, made (shown once) and revoked, each audited', async () => {
    const made = await asAdmin('POST', `${V1}/admin/api-keys`, { name: 'ops' });
    expect(made.status).toBe(201);
    const { key, ...shown } = made.body.data;
    expect(shown).toEqual({ id: expect.any(String), name: 'ops', createdAt: expect.any(String) });
    expect(await adminKeyWorks(key)).toBe(true);

    const listed = await asAdmin('GET', `${V1}/admin/api-keys`);
    expect(listed.status).toBe(200);
    expect(listed.body.totalCount).toBe(listed.body.data.length);
    expect(listed.body.data).toContainEqual(shown);
    expect(listed.body.data.map((k: { name: string }) => k.name)).toContain('development admin');
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(JSON.stringify(listed.body)).not.toContain(admin);

    const revoked = await asAdmin('DELETE', `${V1}/admin/api-keys/${shown.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.data).toEqual(shown);
    expect(await adminKeyWorks(key)).toBe(false);
    expectError(await asAdmin('DELETE', `${V1}/admin/api-keys/${shown.id}`), 404, 'not_found');
    expectError(await asAdmin('DELETE', `${V1}/admin/api-keys/${UNKNOWN_ID}`), 404, 'not_found');

    const events = await platformEvents(5);
    expect(events.slice(0, 2).map((e) => [e.action, e.target])).toEqual([
      ['revoke', { type: 'admin_key', id: shown.id, name: 'ops' }],
      ['create', { type: 'admin_key', id: shown.id, name: 'ops' }],
    ]);
    expect(JSON.stringify(events)).not.toContain(key);
  });

  it('never lose the last one, however many revokes run at once', async () => {
    const svc2 = await startTestService();
    const call = (key: string, method: string, path: string, body?: unknown) => svc2.call(method, path, { key, body });
    const only = (await call(svc2.seed.adminKey, 'GET', `${V1}/admin/api-keys`)).body.data;
    expect(only).toHaveLength(1);
    expectError(await call(svc2.seed.adminKey, 'DELETE', `${V1}/admin/api-keys/${only[0].id}`), 409, 'last_admin_key');

    let survivor = { id: only[0].id as string, key: svc2.seed.adminKey };
    for (let round = 0; round < 5; round++) {
      // Two keys; each revokes itself at the same moment: exactly one may succeed.
      const other = (await call(survivor.key, 'POST', `${V1}/admin/api-keys`, { name: `round-${round}` })).body.data;
      const pair = [survivor, { id: other.id as string, key: other.key as string }];
      const results = await Promise.all(pair.map((k) => call(k.key, 'DELETE', `${V1}/admin/api-keys/${k.id}`)));
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      survivor = pair[results.findIndex((r) => r.status === 409)]!;
      const left = (await call(survivor.key, 'GET', `${V1}/admin/api-keys`)).body.data;
      expect(left.map((k: { id: string }) => k.id)).toEqual([survivor.id]);
    }
  });

  it('the revoke transaction commits only while its witness stands: two crossed revokes, one commits', async () => {
    const svc3 = await startTestService();
    const made = await svc3.call('POST', `${V1}/admin/api-keys`, { key: svc3.seed.adminKey, body: { name: 'second' } });
    expect(made.status).toBe(201);
    const [a, b] = await listAdminKeysOf(svc3.deps.db);
    const outcomes = await Promise.allSettled([
      transactWrite(svc3.deps.db, adminKeyRevoke(a!, b!)),
      transactWrite(svc3.deps.db, adminKeyRevoke(b!, a!)),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await listAdminKeysOf(svc3.deps.db)).toHaveLength(1);
  });
});
