import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../shared/data/keys.js';
import { hashToken } from '../../shared/services/console-sessions.js';
import { Browser } from '../console/browser.js';
import { startTestService, type CallResult, type TestService } from '../support/service.js';

/**
 * A key makes only keys whose scopes it holds itself: a `manage` key (which reads no values) must
 * not make itself a `runtime` key and read every value its user can write. The admin issues a
 * user's account key with every scope; keys a user makes hold `manage` unless asked. A console
 * session acts with the principal of the key it was signed in with, no more.
 */
const V1 = '/api/v1';
let svc: TestService;
let envId: string;

const runtimeRead = (key: string) => svc.call('GET', `${V1}/environmentshub/${envId}/runtime`, { key });
const makeKey = (key: string, body: unknown) => svc.call('POST', `${V1}/user/api-keys`, { key, body });
const listKeys = async (key: string) =>
  (await svc.call('GET', `${V1}/user/api-keys?limit=500`, { key })).body.data as { name: string; scopes: string[] }[];

function expectForbiddenNaming(res: CallResult, scope: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(403);
  expect(res.body.code).toBe('forbidden');
  expect(res.body.detail).toContain(`lacks the ${scope} scope`);
}

beforeAll(async () => {
  svc = await startTestService();
  envId = svc.seed.environments.personal.id;
  await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/secrets`, { name: 'DB_PASSWORD', value: 'hunter2' });
});

describe('a manage key making itself a runtime key', () => {
  it('is refused, naming the runtime scope, and leaves it unable to read values', async () => {
    const manage = svc.seed.user.apiKey;
    const before = await listKeys(manage);
    expectForbiddenNaming(await makeKey(manage, { name: 'escalate', scopes: ['manage', 'runtime'] }), 'runtime');
    expectForbiddenNaming(await makeKey(manage, { name: 'escalate', scopes: ['runtime'] }), 'runtime');
    // Nothing was made, and the manage key still reads no value.
    expect(await listKeys(manage)).toEqual(before);
    const read = await runtimeRead(manage);
    expect(read.status).toBe(403);
    expect(JSON.stringify(read.body)).not.toContain('hunter2');

    // A key it may make holds manage, and reads no value either.
    const made = await makeKey(manage, { name: 'ci' });
    expect(made.status).toBe(201);
    expect(made.body.data.scopes).toEqual(['manage']);
    expect((await runtimeRead(made.body.data.key)).status).toBe(403);
    expectForbiddenNaming(await makeKey(made.body.data.key, { name: 'again', scopes: ['runtime'] }), 'runtime');
  });

  it('a key holding runtime makes a runtime key, which reads the values', async () => {
    const made = await makeKey(svc.seed.user.runtimeKey, { name: 'jobs', scopes: ['runtime'] });
    expect(made.status).toBe(201);
    expect(made.body.data.scopes).toEqual(['runtime']);
    const read = await runtimeRead(made.body.data.key);
    expect(read.status).toBe(200);
    expect(read.body.data.env.DB_PASSWORD).toBe('hunter2');
  });

  it("the admin's keys for a user are account keys, with every scope unless asked", async () => {
    const seeded = await listKeys(svc.seed.user.accountKey);
    const scopesOf = (name: string) => seeded.find((k) => k.name === name)?.scopes;
    expect(scopesOf('default')).toEqual(['manage', 'runtime']); // the key POST /admin/users issued
    expect(scopesOf('manage')).toEqual(['manage']);
    expect(scopesOf('runtime')).toEqual(['manage', 'runtime']);
    expect((await runtimeRead(svc.seed.user.accountKey)).status).toBe(200);

    const user = await svc.newUser('account-holder');
    const own = await svc.call('POST', `${V1}/environmentshub`, { key: user.key, body: { name: 'own' } });
    expect(own.status).toBe(201);
    const ownRead = (key: string) => svc.call('GET', `${V1}/environmentshub/${own.body.data.id}/runtime`, { key });
    expect((await ownRead(user.accountKey)).status).toBe(200);
    expect((await ownRead(user.key)).status).toBe(403); // the manage key the admin issued on request
    // The account key makes a runtime key; a key it makes without asking holds manage.
    expect((await makeKey(user.accountKey, { name: 'r', scopes: ['runtime'] })).status).toBe(201);
    expect((await makeKey(user.accountKey, { name: 'm' })).body.data.scopes).toEqual(['manage']);
  });
});

describe('a console session', () => {
  const sessionPrincipal = async (browser: Browser) => {
    const token = browser.cookies.get('__Host-prime_session')!;
    const key = keys.consoleSession(hashToken(token));
    return (await svc.deps.db.doc.send(new GetCommand({ TableName: svc.deps.db.tableName, Key: key }))).Item!.principal;
  };

  it("acts with exactly its key's scopes, and a key without manage opens none", async () => {
    const manage = new Browser(svc.app);
    await manage.signIn(svc.seed.user.apiKey);
    expect(await sessionPrincipal(manage)).toMatchObject({ userId: svc.seed.user.id, scopes: ['manage'] });
    const account = new Browser(svc.app);
    await account.signIn(svc.seed.user.accountKey);
    expect((await sessionPrincipal(account)).scopes).toEqual(['manage', 'runtime']);

    const runtimeOnly = await makeKey(svc.seed.user.runtimeKey, { name: 'runtime only', scopes: ['runtime'] });
    const browser = new Browser(svc.app);
    const form = await browser.get('/console/signin');
    const refused = await browser.submit(form.html, '/console/signin', { apiKey: runtimeOnly.body.data.key });
    expect(refused.status).toBe(403);
    expect(browser.cookies.has('__Host-prime_session')).toBe(false);
  });

  it('shows no value, whichever key it was opened with', async () => {
    for (const key of [svc.seed.user.apiKey, svc.seed.user.accountKey]) {
      const browser = new Browser(svc.app);
      await browser.signIn(key);
      const tab = await browser.get(`/console/environments/${envId}`);
      expect(tab.status).toBe(200);
      expect(tab.html).toContain('DB_PASSWORD');
      expect(tab.html).not.toContain('hunter2');
    }
  });
});
