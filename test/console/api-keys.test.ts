import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../shared/data/keys.js';
import { hashToken } from '../../shared/services/console-sessions.js';
import { startTestService, type TestService } from '../support/service.js';
import { Browser, noticeOf, textOf, signedInTo } from './browser.js';

/**
 * The console's API keys page: the user's keys as `GET /user/api-keys` lists them (never a key),
 * a new key shown once with its Copy button, and revoke; with the API's rules on scopes.
 */

let svc: TestService;

beforeAll(async () => {
  svc = await startTestService();
});

const V1 = '/api/v1';

const signedIn = (apiKey?: string) => signedInTo(svc, apiKey);

/** A fresh user with a manage key and an account key (both scopes), so each test has its own keys. */
const newUser = (slug: string) => svc.newUser(slug);

const listed = async (key: string) =>
  (await svc.call('GET', `${V1}/user/api-keys`, { key })).body.data as { id: string; name: string; scopes: string[] }[];

const works = async (key: string) => (await svc.call('GET', `${V1}/user/whoami`, { key })).status === 200;

/** The id of the Create API key form a page holds (each rendering its own, taken once). */
const formIdOf = (html: string) => /name="formId" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** Create API key, sent from the form on `html`. */
const createKey = (browser: Browser, html: string, fields: Record<string, string>) =>
  browser.submit(html, '/console/keys', { formId: formIdOf(html), ...fields });

/** The radio of a scope choice, as rendered. */
const radio = (html: string, value: string) =>
  new RegExp(`<input type="radio" id="create-key-scope-${value}"[^>]*>`).exec(html)?.[0] ?? '';

describe('the API keys page', () => {
  it("lists the user's keys as the API lists them, never a key, and marks the session's own", async () => {
    const user = await newUser('keys-list');
    const browser = await signedIn(user.key);
    const page = await browser.get('/console/keys');
    expect(page.status).toBe(200);
    expect(page.html).toContain('<h1>API keys</h1>');
    for (const key of await listed(user.key)) {
      expect(page.html).toContain(`action="/console/keys/${key.id}/revoke"`);
      expect(page.html).toContain(`aria-label="Revoke ${key.name}"`);
    }
    expect(page.html).not.toContain(user.key);
    expect(page.html).not.toContain(user.accountKey);
    expect(page.html).toMatch(
      /manage<span class="cell-note">This session&#39;s key: revoking it signs you out.<\/span>/,
    );
    // No script on a page that shows no new key.
    expect(page.headers.get('content-security-policy')).toContain("script-src 'none'");
    expect(page.html).not.toContain('<script');
  });

  it('makes a manage key, shown once with its Copy button, that works at once', async () => {
    const user = await newUser('keys-make');
    const browser = await signedIn(user.key);
    const page = await browser.get('/console/keys');
    // A manage session makes manage keys only: the others are shown disabled, with why.
    expect(radio(page.html, 'manage')).toContain('checked=""');
    expect(radio(page.html, 'manage')).not.toContain('disabled');
    for (const value of ['runtime', 'manage-runtime']) expect(radio(page.html, value)).toContain('disabled=""');
    expect(textOf(page.html, 'create-key-scope-runtime-hint')).toContain(
      "Not available here: this session's key lacks the runtime scope; sign in with a key that has it (your account key) to make one.",
    );

    const made = await createKey(browser, page.html, { name: 'laptop', scope: 'manage' });
    expect(made.status).toBe(201);
    const key = /<input type="text" id="new-key" class="mono" value="(prime_[^"]+)"/.exec(made.html)?.[1];
    expect(key).toBeDefined();
    expect(made.html.split(key!).length - 1).toBe(1);
    expect(textOf(made.html, 'new-key-heading')).toBe('New API key laptop (manage)');
    expect(made.html).toContain('<button type="button" class="button" data-copy="new-key" hidden="">Copy</button>');
    expect(made.html).toContain('<script src="/console/assets/copy.js" defer=""></script>');
    expect(made.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(made.headers.get('cache-control')).toBe('no-store');
    expect(made.setCookies.join('\n')).not.toContain(key!);
    // It is a key of the user's, with the scope asked for, and it works.
    const entry = (await listed(user.key)).find((k) => k.name === 'laptop')!;
    expect(entry.scopes).toEqual(['manage']);
    expect(await works(key!)).toBe(true);
    // Never shown again.
    const again = await browser.get('/console/keys');
    expect(again.html).not.toContain(key!);
    expect(again.html).toContain('aria-label="Revoke laptop"');
    expect(again.headers.get('content-security-policy')).toContain("script-src 'none'");
  });

  it('makes runtime keys from a session whose key holds runtime, and refuses them from one that does not', async () => {
    const user = await newUser('keys-runtime');
    const env = (await svc.call('POST', `${V1}/environmentshub`, { key: user.key, body: { name: 'rt' } })).body.data;
    await svc.call('POST', `${V1}/environmentshub/${env.id}/variables`, {
      key: user.key,
      body: { name: 'MODE', value: 'fast' },
    });

    const manageOnly = await signedIn(user.key);
    const page = await manageOnly.get('/console/keys');
    const forged = await createKey(manageOnly, page.html, { name: 'sneaky', scope: 'runtime' });
    expect(forged.status).toBe(403);
    expect(textOf(forged.html, 'create-key-error')).toBe(
      'This API key lacks the runtime scope: a key makes only keys with scopes it holds itself. Run the same command with a key that holds runtime, such as the account key the admin issued.',
    );
    expect((await listed(user.key)).map((k) => k.name)).not.toContain('sneaky');

    const account = await signedIn(user.accountKey);
    const full = await account.get('/console/keys');
    for (const value of ['manage', 'runtime', 'manage-runtime'])
      expect(radio(full.html, value)).not.toContain('disabled');
    const made = await createKey(account, full.html, { name: 'ci-run', scope: 'runtime' });
    expect(made.status).toBe(201);
    expect(textOf(made.html, 'new-key-heading')).toBe('New API key ci-run (runtime)');
    const key = /id="new-key" class="mono" value="(prime_[^"]+)"/.exec(made.html)![1]!;
    const read = await svc.call('GET', `${V1}/environmentshub/${env.id}/runtime`, { key });
    expect(read.status).toBe(200);
    expect(read.body.data.env).toEqual({ MODE: 'fast' });
    // A runtime key manages nothing.
    expect((await svc.call('GET', `${V1}/environmentshub`, { key })).status).toBe(403);
    const both = await createKey(account, made.html, { name: 'both', scope: 'manage-runtime' });
    expect(textOf(both.html, 'new-key-heading')).toBe('New API key both (manage and runtime)');
  });

  it('says what is wrong beside each field, and makes nothing', async () => {
    const user = await newUser('keys-invalid');
    const browser = await signedIn(user.key);
    const page = await browser.get('/console/keys');
    const before = (await listed(user.key)).length;
    const cases: [Record<string, string>, string, string][] = [
      [{ name: '', scope: 'manage' }, 'create-key-name-error', 'Must not be empty.'],
      [{ name: '   ', scope: 'manage' }, 'create-key-name-error', 'Must not be empty.'],
      [{ name: 'x'.repeat(101), scope: 'manage' }, 'create-key-name-error', 'Must be at most 100 characters.'],
      [{ name: 'no scope' }, 'create-key-scope-error', 'Choose the scope of the key.'],
      [{ name: 'bad scope', scope: 'admin' }, 'create-key-scope-error', 'Choose the scope of the key.'],
    ];
    for (const [form, id, message] of cases) {
      const res = await createKey(browser, page.html, form);
      expect({ form, status: res.status }).toEqual({ form, status: 422 });
      expect(textOf(res.html, id)).toBe(message);
      expect(res.html).not.toContain('id="new-key"');
    }
    expect((await listed(user.key)).length).toBe(before);
  });

  it('makes one key of a form however often it is sent (a reload of the page that showed the key)', async () => {
    const user = await newUser('keys-reload');
    const before = (await listed(user.key)).map((k) => k.name);
    const browser = await signedIn(user.key);
    const page = await browser.get('/console/keys');
    const first = await createKey(browser, page.html, { name: 'once', scope: 'manage' });
    expect(first.status).toBe(201);
    const again = await createKey(browser, page.html, { name: 'once', scope: 'manage' });
    expect(again.status).toBe(409);
    expect(textOf(again.html, 'create-key-error')).toBe(
      'This form was sent already and made its key, shown once on the page it answered. If you did not copy that key, revoke it below and make another.',
    );
    expect(again.html).not.toContain('id="new-key"');
    // A form without its id is refused alike; a fresh rendering makes another key.
    expect((await browser.submit(page.html, '/console/keys', { name: 'no id', scope: 'manage' })).status).toBe(409);
    expect((await createKey(browser, again.html, { name: 'twice', scope: 'manage' })).status).toBe(201);
    expect((await listed(user.key)).map((k) => k.name)).toEqual([...before, 'once', 'twice']);
  });

  it('refuses a form without the CSRF token', async () => {
    const user = await newUser('keys-csrf');
    const browser = await signedIn(user.key);
    const [key] = await listed(user.accountKey);
    const made = await browser.request('POST', '/console/keys', { name: 'forged', scope: 'manage' });
    expect(made.status).toBe(403);
    const revoked = await browser.request('POST', `/console/keys/${key!.id}/revoke`, {});
    expect(revoked.status).toBe(403);
    expect((await listed(user.key)).map((k) => k.name)).not.toContain('forged');
    expect(await works(user.accountKey)).toBe(true);
  });
});

describe('revoking', () => {
  it('revokes a key at once, and says so', async () => {
    const user = await newUser('keys-revoke');
    const ci = (await svc.call('POST', `${V1}/user/api-keys`, { key: user.key, body: { name: 'ci' } })).body.data;
    expect(await works(ci.key)).toBe(true);
    const browser = await signedIn(user.key);
    const page = await browser.get('/console/keys');
    const res = await browser.submit(page.html, `/console/keys/${ci.id}/revoke`, {});
    expect(res.status).toBe(303);
    expect(res.location).toBe('/console/keys');
    const after = await browser.get('/console/keys');
    expect(noticeOf(after.html)).toBe(
      'API key ci revoked: requests with it are refused, everywhere within 30 seconds.',
    );
    expect(after.html).not.toContain(`/console/keys/${ci.id}/revoke`);
    expect(await works(ci.key)).toBe(false);
    // Again: revoked meanwhile, said above the list.
    const twice = await browser.submit(page.html, `/console/keys/${ci.id}/revoke`, {});
    expect(twice.status).toBe(404);
    expect(twice.html).toContain('API key not found');
  });

  it("cannot revoke another user's key", async () => {
    const mine = await newUser('keys-mine');
    const theirs = await newUser('keys-theirs');
    const [their] = await listed(theirs.key);
    const browser = await signedIn(mine.key);
    const page = await browser.get('/console/keys');
    const res = await browser.submit(page.html, `/console/keys/${their!.id}/revoke`, {});
    expect(res.status).toBe(404);
    expect(await works(theirs.key)).toBe(true);
    expect(await works(theirs.accountKey)).toBe(true);
  });

  it("revoking the session's own key ends the session and says why", async () => {
    const user = await newUser('keys-own');
    const browser = await signedIn(user.key);
    const token = browser.cookies.get('__Host-prime_session')!;
    const own = (await listed(user.key)).find((k) => k.name === 'manage')!;
    const page = await browser.get('/console/keys');
    const res = await browser.submit(page.html, `/console/keys/${own.id}/revoke`, {});
    expect(res.status).toBe(303);
    expect(res.location).toBe('/console/signin');
    expect(res.setCookies.find((c) => c.startsWith('__Host-prime_session='))).toMatch(/Max-Age=0/);
    const session = await svc.deps.db.doc.send(
      new GetCommand({ TableName: svc.deps.db.tableName, Key: keys.consoleSession(hashToken(token)) }),
    );
    expect(session.Item).toBeUndefined();
    const signin = await browser.get('/console/signin');
    expect(noticeOf(signin.html)).toBe(
      'API key manage revoked. It was the key of this session: sign in with another key.',
    );
    expect(await works(user.key)).toBe(false);
    expect((await browser.get('/console/keys')).status).toBe(303);
  });
});

describe('the Copy script', () => {
  it('is served from the console itself, without a session, and on no other page', async () => {
    const res = await new Browser(svc.app).get('/console/assets/copy.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.html).toContain('navigator.clipboard.writeText');
    const user = await newUser('keys-script');
    const browser = await signedIn(user.key);
    for (const path of ['/console', '/console/environments', '/console/keys']) {
      const page = await browser.get(path);
      expect(page.headers.get('content-security-policy'), path).toContain("script-src 'none'");
      expect(page.html, path).not.toContain('<script');
    }
  });
});
