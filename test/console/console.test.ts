import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../shared/auth/api-keys.js';
import { NAME_MESSAGE } from '../../shared/schemas.js';
import { keys } from '../../shared/data/keys.js';
import { createConsoleApp } from '../../functions/console/app.js';
import { hashToken } from '../../shared/services/console-sessions.js';
import { startTestService, type TestService } from '../support/service.js';
import { Browser, csrfOf, textOf, signedInTo } from './browser.js';

/**
 * The web console through the local app, as a browser without script would use it: a cookie
 * jar, form posts, redirects followed by hand. Runs against DynamoDB Local like every API test.
 */

let svc: TestService;

beforeAll(async () => {
  svc = await startTestService();
});

const signedIn = (apiKey?: string) => signedInTo(svc, apiKey);

describe('signing in', () => {
  it('sends a visitor without a session to the sign-in page, and back afterwards', async () => {
    const browser = new Browser(svc.app);
    const page = await browser.get(`/console/environments/${svc.seed.environments.personal.id}`);
    expect(page.status).toBe(303);
    expect(page.location).toBe(
      `/console/signin?next=${encodeURIComponent(`/console/environments/${svc.seed.environments.personal.id}`)}`,
    );
    const form = await browser.get(page.location!);
    expect(form.status).toBe(200);
    expect(form.html).toMatch(/^<!DOCTYPE html>/);
    expect(form.html).toContain('<label for="signin-apiKey">API key</label>');
    expect(form.html).toContain('type="password"');
    const signedIn = await browser.submit(form.html, '/console/signin', {
      apiKey: svc.seed.user.apiKey,
      next: `/console/environments/${svc.seed.environments.personal.id}`,
    });
    expect(signedIn.location).toBe(`/console/environments/${svc.seed.environments.personal.id}`);
    // Never somewhere else.
    const again = new Browser(svc.app);
    const form2 = await again.get('/console/signin');
    const elsewhere = await again.submit(form2.html, '/console/signin', {
      apiKey: svc.seed.user.apiKey,
      next: '//evil.example/console',
    });
    expect(elsewhere.location).toBe('/console');
  });

  it('sets an HttpOnly, Secure, SameSite=Strict __Host- cookie holding a random token, not the key', async () => {
    const browser = new Browser(svc.app);
    const res = await browser.signIn(svc.seed.user.apiKey);
    const line = res.setCookies.find((c) => c.startsWith('__Host-prime_session='))!;
    expect(line).toBeDefined();
    const attributes = line.split(';').map((p) => p.trim().toLowerCase());
    expect(attributes).toEqual(
      expect.arrayContaining(['path=/', 'httponly', 'secure', 'samesite=strict', 'max-age=43200']),
    );
    expect(attributes.some((a) => a.startsWith('domain='))).toBe(false);
    const token = browser.cookies.get('__Host-prime_session')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(line).not.toContain(svc.seed.user.apiKey);
    // The pre-session sign-in token is gone once signed in.
    expect(browser.cookies.has('__Host-prime_signin')).toBe(false);

    // The table holds the token's hash with the principal, a CSRF token and an expiry; never the key.
    const item = (
      await svc.deps.db.doc.send(
        new GetCommand({ TableName: svc.deps.db.tableName, Key: keys.consoleSession(hashToken(token)) }),
      )
    ).Item!;
    expect(item).toMatchObject({
      pk: `SESSION#${hashToken(token)}`,
      sk: 'SESSION',
      principal: { type: 'user', userId: svc.seed.user.id, scopes: ['manage'] },
      keyHash: hashApiKey(svc.seed.user.apiKey),
    });
    expect(item.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(item.ttl).toBe(item.expiresAt);
    const hours = (item.expiresAt - Date.now() / 1000) / 3600;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);
    expect(JSON.stringify(item)).not.toContain(svc.seed.user.apiKey);
    expect(JSON.stringify(item)).not.toContain(token);

    const home = await browser.get('/console');
    expect(home.status).toBe(200);
    expect(home.html).toContain('<h1>Keys &amp; Secrets</h1>');
    expect(home.html).toContain('Development User');
  });

  it('says beside the key field why a key cannot sign in', async () => {
    const admin = new Browser(svc.app);
    const cases: [string, number, string][] = [
      ['prime_not-a-real-key', 401, 'This API key is not valid: it is unknown or has been revoked.'],
      [svc.seed.serviceKey, 403, 'The console needs a user API key: service and admin keys cannot sign in.'],
      [svc.seed.adminKey, 403, 'The console needs a user API key: service and admin keys cannot sign in.'],
      ['', 422, 'Enter an API key.'],
    ];
    const runtimeOnly = await svc.call('POST', '/api/v1/user/api-keys', {
      key: svc.seed.user.runtimeKey,
      body: { name: 'runtime only', scopes: ['runtime'] },
    });
    cases.push([
      runtimeOnly.body.data.key,
      403,
      'This API key lacks the manage scope. Use a key that holds it, or make one with a key that does (the account key the admin issued holds every scope): prime api-key create --name NAME',
    ]);
    for (const [apiKey, status, message] of cases) {
      const form = await admin.get('/console/signin');
      const res = await admin.submit(form.html, '/console/signin', { apiKey });
      expect({ apiKey, status: res.status }).toEqual({ apiKey, status });
      expect(textOf(res.html, 'signin-apiKey-error')).toBe(message);
      expect(res.html).toContain('aria-invalid="true"');
      expect(res.html).toContain('aria-describedby="signin-apiKey-hint signin-apiKey-error"');
      expect(res.setCookies.some((c) => c.startsWith('__Host-prime_session='))).toBe(false);
      if (apiKey) expect(res.html).not.toContain(apiKey);
    }
  });

  it('refuses a sign-in form that did not come from its own page (login CSRF)', async () => {
    const browser = new Browser(svc.app);
    // No sign-in cookie: a form posted from elsewhere.
    const forged = await browser.request('POST', '/console/signin', { apiKey: svc.seed.user.apiKey, _csrf: 'x' });
    expect(forged.status).toBe(403);
    expect(forged.html).toContain('This sign-in form has expired or did not come from this console. Try again.');
    expect(forged.setCookies.some((c) => c.startsWith('__Host-prime_session='))).toBe(false);
    // The right token, but another site's Origin.
    const form = await browser.get('/console/signin');
    const crossSite = await browser.submit(
      form.html,
      '/console/signin',
      { apiKey: svc.seed.user.apiKey },
      { origin: 'https://evil.example' },
    );
    expect(crossSite.status).toBe(403);
    expect(crossSite.setCookies.some((c) => c.startsWith('__Host-prime_session='))).toBe(false);
  });

  it('signs out: the session is deleted and its cookie no longer opens anything', async () => {
    const browser = await signedIn();
    const token = browser.cookies.get('__Host-prime_session')!;
    const home = await browser.get('/console');
    const out = await browser.submit(home.html, '/console/signout', {});
    expect(out.status).toBe(303);
    expect(out.location).toBe('/console/signin');
    expect(out.setCookies.find((c) => c.startsWith('__Host-prime_session='))).toMatch(/Max-Age=0/);
    const item = await svc.deps.db.doc.send(
      new GetCommand({ TableName: svc.deps.db.tableName, Key: keys.consoleSession(hashToken(token)) }),
    );
    expect(item.Item).toBeUndefined();
    const signinPage = await browser.get('/console/signin');
    expect(textOf(signinPage.html.replace(/<div role="status"/, '<div id="notice"'), 'notice')).toBe(
      'You are signed out.',
    );
    // The old cookie, replayed, is no session.
    const replay = new Browser(svc.app);
    replay.cookies.set('__Host-prime_session', token);
    expect((await replay.get('/console')).status).toBe(303);
  });

  it('ends the session when its API key is revoked or the session has expired', async () => {
    const created = await svc.call('POST', '/api/v1/user/api-keys', {
      key: svc.seed.user.apiKey,
      body: { name: 'console' },
    });
    const browser = await signedIn(created.body.data.key);
    expect((await browser.get('/console')).status).toBe(200);
    await svc.call('DELETE', `/api/v1/user/api-keys/${created.body.data.id}`, { key: svc.seed.user.apiKey });
    expect((await browser.get('/console')).status).toBe(303);

    const expired = await signedIn();
    const token = expired.cookies.get('__Host-prime_session')!;
    const key = keys.consoleSession(hashToken(token));
    const item = (await svc.deps.db.doc.send(new GetCommand({ TableName: svc.deps.db.tableName, Key: key }))).Item!;
    await svc.deps.db.doc.send(
      new PutCommand({
        TableName: svc.deps.db.tableName,
        Item: { ...item, expiresAt: Math.floor(Date.now() / 1000) - 1 },
      }),
    );
    expect((await expired.get('/console')).status).toBe(303);
  });

  it('checks the key of concurrent page loads with one read, through the API key look-up (single flight)', async () => {
    const browser = await signedIn();
    svc.deps.apiKeys.delete(hashApiKey(svc.seed.user.apiKey)); // a cold key cache, as in a new container
    // Each load reads its session, then checks its key. A key read is held until both sessions
    // are read, so the second check comes while the first one's read is in flight.
    let sessionsRead = 0;
    let bothSessionsRead!: () => void;
    const sessionsDone = new Promise<void>((resolve) => (bothSessionsRead = resolve));
    let keyReads = 0;
    const partition = (input: any): string => input?.Key?.pk?.S ?? input?.Key?.pk ?? '';
    svc.deps.db.raw.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'GetItemCommand') return next(args);
        const pk = partition(args.input);
        if (pk.startsWith('KEY#')) {
          keyReads++;
          await sessionsDone;
          return next(args);
        }
        const out = await next(args);
        if (pk.startsWith('SESSION#') && ++sessionsRead === 2) bothSessionsRead();
        return out;
      },
      { step: 'initialize', name: 'holdKeyReads' },
    );
    try {
      const pages = await Promise.all([browser.get('/console'), browser.get('/console')]);
      expect(pages.map((p) => p.status)).toEqual([200, 200]);
      expect(keyReads).toBe(1);
    } finally {
      svc.deps.db.raw.middlewareStack.remove('holdKeyReads');
    }
  });
});

describe('security headers and CSRF', () => {
  it('sends a strict policy with every page, and no cache', async () => {
    const browser = await signedIn();
    for (const path of ['/console', '/console/signin', '/console/environments', '/console/secrets/not-an-id']) {
      const res = await browser.get(path);
      expect(res.headers.get('content-security-policy'), path).toBe(
        "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      );
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
      // No script at all, and no inline style (the policy would block it anyway).
      expect(res.html).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
    }
    const css = await browser.get('/console/assets/console.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(css.html).toContain(':focus-visible');
  });

  it('refuses a POST without the session CSRF token, with a wrong one, or from another site', async () => {
    const browser = await signedIn();
    const home = await browser.get('/console');
    const attempts: [string, Record<string, string>, Record<string, string>][] = [
      ['no token', { name: 'CSRF_A', value: 'v' }, {}],
      ['wrong token', { name: 'CSRF_B', value: 'v', _csrf: 'A'.repeat(43) }, {}],
      ['other origin', { name: 'CSRF_C', value: 'v', _csrf: csrfOf(home.html) }, { origin: 'https://evil.example' }],
      [
        'cross-site fetch',
        { name: 'CSRF_D', value: 'v', _csrf: csrfOf(home.html) },
        { 'sec-fetch-site': 'cross-site' },
      ],
    ];
    for (const [what, form, headers] of attempts) {
      const res = await browser.request('POST', '/console/secrets', form, headers);
      expect({ what, status: res.status }).toEqual({ what, status: 403 });
      expect(res.html).toContain('This form did not come from this console');
    }
    // Another session's token does not do either.
    const other = await signedIn();
    const otherHome = await other.get('/console');
    const swapped = await browser.request('POST', '/console/secrets', {
      name: 'CSRF_E',
      value: 'v',
      _csrf: csrfOf(otherHome.html),
    });
    expect(swapped.status).toBe(403);
    const listed = await svc.call('GET', '/api/v1/secrets', { key: svc.seed.user.apiKey });
    expect(listed.body.data.map((s: { name: string }) => s.name)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^CSRF_/)]),
    );
    // Without Origin and Sec-Fetch-Site (an older client), the token alone is enough.
    const plain = await browser.request(
      'POST',
      '/console/secrets',
      { name: 'CSRF_OK', value: 'v', _csrf: csrfOf(home.html) },
      { origin: '', 'sec-fetch-site': '' },
    );
    expect(plain.status).toBe(303);
  });

  it('refuses a form over 256 KiB with a page in words, before anything runs, with or without a session', async () => {
    const browser = await signedIn();
    const home = await browser.get('/console');
    const huge = 'x'.repeat(256 * 1024 + 1);
    for (const [who, visitor] of [
      ['signed in', browser],
      ['no session', new Browser(svc.app)],
    ] as const) {
      const res = await visitor.submit(home.html, '/console/secrets', { name: 'TOO_BIG', value: huge });
      expect({ who, status: res.status }).toEqual({ who, status: 413 });
      expect(res.html).toContain('The form is larger than 256 KiB.');
      expect(res.headers.get('content-security-policy'), who).toContain("default-src 'self'");
      expect(res.headers.get('cache-control'), who).toBe('no-store');
    }
    const listed = await svc.call('GET', '/api/v1/secrets', { key: svc.seed.user.apiKey });
    expect(listed.body.data.map((s: { name: string }) => s.name)).not.toContain('TOO_BIG');
  });

  it('sends a POST without a session to sign in, doing nothing', async () => {
    const res = await new Browser(svc.app).request('POST', '/console/secrets', { name: 'NO_SESSION', value: 'v' });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/console/signin');
    const listed = await svc.call('GET', '/api/v1/secrets', { key: svc.seed.user.apiKey });
    expect(listed.body.data.map((s: { name: string }) => s.name)).not.toContain('NO_SESSION');
  });
});

describe('Keys & Secrets', () => {
  it('adds a secret, shows its linked environments, edits it keeping the value, deletes it with a confirmation', async () => {
    const browser = await signedIn();
    const home = await browser.get('/console');
    const added = await browser.submit(home.html, '/console/secrets', {
      name: 'JUDGE_KEY',
      value: 'sk-judge-unit-value',
      description: 'judge model',
    });
    expect(added.status).toBe(303);
    const listed = await browser.get(added.location!);
    expect(listed.html).toContain('Secret JUDGE_KEY added.');
    expect(listed.html).toContain('JUDGE_KEY');
    const secret = (await svc.call('GET', '/api/v1/secrets', { key: svc.seed.user.apiKey })).body.data.find(
      (s: { name: string }) => s.name === 'JUDGE_KEY',
    );
    await svc.call('POST', `/api/v1/environmentshub/${svc.seed.environments.personal.id}/secrets/link/${secret.id}`, {
      key: svc.seed.user.apiKey,
      body: {},
    });
    const withLink = await browser.get('/console');
    expect(withLink.html).toContain(
      `href="/console/environments/${svc.seed.environments.personal.id}">dev/my-environment</a>`,
    );

    // The edit form never holds the value; leaving it empty keeps it.
    const edit = await browser.get(`/console/secrets/${secret.id}`);
    expect(edit.html).toMatch(/<textarea id="edit-value" name="value"[^>]*><\/textarea>/);
    expect(edit.html).toContain('value="judge model"');
    const saved = await browser.submit(edit.html, `/console/secrets/${secret.id}`, {
      name: 'JUDGE_KEY',
      value: '',
      description: 'the judge',
    });
    expect(saved.status).toBe(303);
    const runtime = await svc.call('GET', `/api/v1/environmentshub/${svc.seed.environments.personal.id}/runtime`, {
      key: svc.seed.serviceKey,
    });
    expect(runtime.body.data.env.JUDGE_KEY).toBe('sk-judge-unit-value');
    expect(
      (await svc.call('GET', `/api/v1/secrets/${secret.id}`, { key: svc.seed.user.apiKey })).body.data.description,
    ).toBe('the judge');

    // Delete: refused without the confirmation, done with it (and unlinked).
    const unconfirmed = await browser.submit(edit.html, `/console/secrets/${secret.id}/delete`, {});
    expect(unconfirmed.status).toBe(422);
    expect(textOf(unconfirmed.html, 'delete-confirm-error')).toBe('Tick the box to confirm the deletion.');
    const deleted = await browser.submit(edit.html, `/console/secrets/${secret.id}/delete`, { confirm: 'yes' });
    expect(deleted.status).toBe(303);
    expect((await browser.get('/console')).html).toContain('Secret JUDGE_KEY deleted.');
    expect((await svc.call('GET', `/api/v1/secrets/${secret.id}`, { key: svc.seed.user.apiKey })).status).toBe(404);
  });

  it('shows validation issues and conflicts beside the field, never echoing the value', async () => {
    const browser = await signedIn();
    const home = await browser.get('/console');
    const invalid = await browser.submit(home.html, '/console/secrets', {
      name: 'lower-case',
      value: 'sk-never-echoed-1',
      description: 'kept',
    });
    expect(invalid.status).toBe(422);
    expect(textOf(invalid.html, 'add-secret-name-error')).toBe(
      `${NAME_MESSAGE.charAt(0).toUpperCase()}${NAME_MESSAGE.slice(1)}.`,
    );
    expect(invalid.html).toMatch(/id="add-secret-name"[^>]*aria-invalid="true"[^>]*autofocus/);
    expect(invalid.html).toContain('value="lower-case"');
    expect(invalid.html).toContain('value="kept"');
    expect(invalid.html).not.toContain('sk-never-echoed-1');

    const empty = await browser.submit(home.html, '/console/secrets', { name: 'EMPTY_VALUE', value: '' });
    expect(empty.status).toBe(422);
    expect(textOf(empty.html, 'add-secret-value-error')).toBe('Must not be empty.');

    await browser.submit(home.html, '/console/secrets', { name: 'TAKEN', value: 'first' });
    const taken = await browser.submit(home.html, '/console/secrets', { name: 'TAKEN', value: 'sk-never-echoed-2' });
    expect(taken.status).toBe(409);
    expect(textOf(taken.html, 'add-secret-name-error')).toBe(
      'A global secret named TAKEN already exists in this scope. Choose another name or update that secret.',
    );
    expect(taken.html).not.toContain('sk-never-echoed-2');
  });

  it('switches to a team scope with ?teamId=, and refuses a team the user is not in', async () => {
    const browser = await signedIn();
    const team = await browser.get(`/console?teamId=${svc.seed.team.id}`);
    expect(team.status).toBe(200);
    expect(team.html).toContain(`Global secrets of team ${svc.seed.team.slug}:`);
    expect(team.html).toMatch(new RegExp(`href="/console\\?teamId=${svc.seed.team.id}" aria-current="page"`));
    expect(team.html).toContain(`<input type="hidden" name="teamId" value="${svc.seed.team.id}"/>`);
    const added = await browser.submit(team.html, '/console/secrets', {
      name: 'TEAM_KEY',
      value: 'team-value',
      teamId: svc.seed.team.id,
    });
    expect(added.location).toBe(`/console?teamId=${svc.seed.team.id}`);
    const teamSecrets = await svc.call('GET', `/api/v1/secrets?teamId=${svc.seed.team.id}`, {
      key: svc.seed.user.apiKey,
    });
    expect(teamSecrets.body.data.map((s: { name: string }) => s.name)).toContain('TEAM_KEY');

    const stranger = await browser.get('/console?teamId=aaaaaaaaaaaaaaaaaaaaaaaa');
    expect(stranger.status).toBe(404);
    expect(stranger.html).toContain('Team not found.');
  });
});

describe('an environment\u2019s Secrets tab', () => {
  it('adds, links, shows the precedence view and unlinks; conflicts and scope mismatches in words', async () => {
    const { seed } = svc;
    const envId = seed.environments.personal.id;
    const browser = await signedIn();
    const home = await browser.get('/console');
    await browser.submit(home.html, '/console/secrets', { name: 'HF_TOKEN', value: 'sk-hf-global-value' });
    await browser.submit(home.html, '/console/secrets', { name: 'LINK_ME', value: 'sk-link-me-value' });
    const globals = (await svc.call('GET', '/api/v1/secrets', { key: seed.user.apiKey })).body.data;
    const hf = globals.find((s: { name: string }) => s.name === 'HF_TOKEN');
    const linkMe = globals.find((s: { name: string }) => s.name === 'LINK_ME');

    const tab = await browser.get(`/console/environments/${envId}`);
    expect(tab.status).toBe(200);
    expect(tab.html).toContain('<h1>dev/my-environment</h1>');
    // The picker offers this scope's secrets only.
    expect(tab.html).toContain(`<option value="${linkMe.id}">LINK_ME</option>`);
    const teamGlobals = (await svc.call('GET', `/api/v1/secrets?teamId=${seed.team.id}`, { key: seed.user.apiKey }))
      .body.data;
    for (const s of teamGlobals) expect(tab.html).not.toContain(s.id);

    const action = (path: string) => `/console/environments/${envId}${path}`;
    expect((await browser.submit(tab.html, action('/variables'), { name: 'HF_TOKEN', value: 'plain-hf' })).status).toBe(
      303,
    );
    expect(
      (await browser.submit(tab.html, action('/secrets'), { name: 'DIRECT_ONE', value: 'sk-direct-value' })).status,
    ).toBe(303);
    const linked = await browser.submit(tab.html, action('/links'), { secretId: linkMe.id });
    expect(linked.status).toBe(303);
    expect(linked.location).toBe(`/console/environments/${envId}`);

    // A variable holds HF_TOKEN: linking the global HF_TOKEN is refused with the remedy, beside the picker.
    const conflictPage = await browser.submit(tab.html, action('/links'), { secretId: hf.id });
    expect(conflictPage.status).toBe(409);
    expect(textOf(conflictPage.html, 'link-secretId-error')).toBe(
      'The name HF_TOKEN is already used in this environment by an environment variable. Rename or remove that environment variable before adding or linking the secret.',
    );
    // A team's secret in a personal environment: the scope rule, beside the picker.
    const teamSecret = await svc.call('POST', '/api/v1/secrets', {
      key: seed.user.apiKey,
      body: { name: 'TEAM_ONLY', value: 'sk-team-only', teamId: seed.team.id },
    });
    const mismatch = await browser.submit(tab.html, action('/links'), { secretId: teamSecret.body.data.id });
    expect(mismatch.status).toBe(409);
    expect(textOf(mismatch.html, 'link-secretId-error')).toBe(
      'This global secret belongs to another scope. Make sure the secret exists in the same scope (personal vs team) as the environment.',
    );
    const nothing = await browser.submit(tab.html, action('/links'), { secretId: '' });
    expect(textOf(nothing.html, 'link-secretId-error')).toBe('Choose a global secret to link.');
    // A direct secret under a linked name: the linked secret's remedy, beside the name.
    const directConflict = await browser.submit(tab.html, action('/secrets'), {
      name: 'LINK_ME',
      value: 'sk-never-echoed-3',
    });
    expect(directConflict.status).toBe(409);
    expect(textOf(directConflict.html, 'add-secret-name-error')).toBe(
      `The name LINK_ME is already used in this environment by linked global secret LINK_ME (${linkMe.id}). Choose another name, or unlink global secret LINK_ME (${linkMe.id}) first, then add the direct secret.`,
    );
    expect(directConflict.html).not.toContain('sk-never-echoed-3');

    // What the job will see, on its tab: sources, variables with values, no secret values.
    const view = await browser.get(`/console/environments/${envId}/job-view`);
    const jobView = view.html.slice(view.html.indexOf('id="job-view"'));
    const rows = [...jobView.matchAll(/<td class="name">([A-Z_]+)[\s\S]*?<span class="badge badge-([a-z-]+)">/g)].map(
      (m) => [m[1], m[2]],
    );
    expect(rows).toEqual([
      ['DIRECT_ONE', 'environment'],
      ['HF_TOKEN', 'variable'],
      ['LINK_ME', 'global-linked'],
    ]);
    expect(jobView).toContain('plain-hf');
    expect(jobView.match(/Secret value, not shown/g)).toHaveLength(2);
    expect(view.html).toContain('Linked global secret');

    // Unlink.
    const unlinked = await browser.submit(view.html, action(`/links/${linkMe.id}/delete`), {});
    expect(unlinked.status).toBe(303);
    const after = await browser.get(`/console/environments/${envId}`);
    expect(after.html).toContain('Global secret LINK_ME unlinked.');
    expect(after.html).toContain(`<option value="${linkMe.id}">LINK_ME</option>`);
    const again = await browser.submit(view.html, action(`/links/${linkMe.id}/delete`), {});
    expect(again.status).toBe(404);
    expect(again.html).toContain('Link not found.');
  });

  it('edits and deletes a direct secret and a variable', async () => {
    const envId = svc.seed.environments.team.id;
    const browser = await signedIn();
    const tab = await browser.get(`/console/environments/${envId}`);
    await browser.submit(tab.html, `/console/environments/${envId}/secrets`, { name: 'EDIT_ME', value: 'sk-edit-me' });
    await browser.submit(tab.html, `/console/environments/${envId}/variables`, { name: 'MODE', value: 'fast' });
    const secrets = (await svc.call('GET', `/api/v1/environmentshub/${envId}/secrets`, { key: svc.seed.user.apiKey }))
      .body.data;
    const variables = (
      await svc.call('GET', `/api/v1/environmentshub/${envId}/variables`, { key: svc.seed.user.apiKey })
    ).body.data;
    const secretId = secrets.find((s: { name: string }) => s.name === 'EDIT_ME').id;
    const variableId = variables.find((v: { name: string }) => v.name === 'MODE').id;

    const editSecret = await browser.get(`/console/environments/${envId}/secrets/${secretId}`);
    expect(editSecret.html).toMatch(/<textarea id="edit-value" name="value"[^>]*><\/textarea>/);
    const renamed = await browser.submit(editSecret.html, `/console/environments/${envId}/secrets/${secretId}`, {
      name: 'EDITED',
      value: 'sk-edited',
      description: '',
    });
    expect(renamed.status).toBe(303);
    const clash = await browser.submit(editSecret.html, `/console/environments/${envId}/secrets/${secretId}`, {
      name: 'MODE',
      value: '',
      description: '',
    });
    expect(clash.status).toBe(409);
    expect(textOf(clash.html, 'edit-name-error')).toBe(
      'The name MODE is already used in this environment by an environment variable. Choose another name, or rename or remove that environment variable first.',
    );

    const editVariable = await browser.get(`/console/environments/${envId}/variables/${variableId}`);
    expect(editVariable.html).toContain('>fast</textarea>');
    const emptied = await browser.submit(editVariable.html, `/console/environments/${envId}/variables/${variableId}`, {
      name: 'MODE',
      value: '',
      description: '',
    });
    expect(emptied.status).toBe(422);
    expect(textOf(emptied.html, 'edit-value-error')).toBe('Must not be empty.');
    await browser.submit(editVariable.html, `/console/environments/${envId}/variables/${variableId}`, {
      name: 'MODE',
      value: 'slow',
      description: 'speed',
    });
    const runtime = await svc.call('GET', `/api/v1/environmentshub/${envId}/runtime`, { key: svc.seed.serviceKey });
    expect(runtime.body.data.env).toMatchObject({ EDITED: 'sk-edited', MODE: 'slow' });
    expect(runtime.body.data.env.EDIT_ME).toBeUndefined();

    for (const path of [`secrets/${secretId}`, `variables/${variableId}`]) {
      const res = await browser.submit(editVariable.html, `/console/environments/${envId}/${path}/delete`, {
        confirm: 'yes',
      });
      expect(res.status, path).toBe(303);
    }
    const left = await svc.call('GET', `/api/v1/environmentshub/${envId}/runtime`, { key: svc.seed.serviceKey });
    expect(left.body.data.env.EDITED).toBeUndefined();
    expect(left.body.data.env.MODE).toBeUndefined();
  });

  it('shows an unknown environment as not found, and a 403 of a viewer beside the action', async () => {
    const browser = await signedIn();
    const missing = await browser.get('/console/environments/aaaaaaaaaaaaaaaaaaaaaaaa');
    expect(missing.status).toBe(404);
    expect(missing.html).toContain('Environment not found.');

    // A viewer of the team: the forms are not offered, and a crafted post is refused in words.
    const viewer = await svc.call('POST', '/api/v1/admin/users', {
      key: svc.seed.adminKey,
      body: { email: 'viewer@example.com', name: 'Team Viewer', slug: 'team-viewer' },
    });
    await svc.call('POST', `/api/v1/teams/${svc.seed.team.id}/members`, {
      key: svc.seed.user.apiKey,
      body: { userId: viewer.body.data.user.id, role: 'viewer' },
    });
    const viewing = await signedIn(viewer.body.data.apiKey);
    const envId = svc.seed.environments.team.id;
    const tab = await viewing.get(`/console/environments/${envId}`);
    expect(tab.status).toBe(200);
    expect(tab.html).toContain('Your role in this team is <strong>viewer</strong>');
    expect(tab.html).not.toContain('Add Secret</h2>');
    const refused = await viewing.submit(tab.html, `/console/environments/${envId}/variables`, {
      name: 'NOPE',
      value: 'x',
    });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('Your role in this team does not allow this.');
  });
});

describe('no secret value ever reaches the browser', () => {
  it('holds for every page of the console', async () => {
    const { seed } = svc;
    const value = 'sk-LEAK-CANARY-7f3a9c';
    const browser = await signedIn();
    const home = await browser.get('/console');
    await browser.submit(home.html, '/console/secrets', { name: 'CANARY_GLOBAL', value: `${value}-global` });
    await browser.submit(home.html, '/console/secrets', {
      name: 'CANARY_TEAM',
      value: `${value}-team`,
      teamId: seed.team.id,
    });
    const globals = (await svc.call('GET', '/api/v1/secrets', { key: seed.user.apiKey })).body.data;
    const canary = globals.find((s: { name: string }) => s.name === 'CANARY_GLOBAL');
    const envId = seed.environments.personal.id;
    const tab = await browser.get(`/console/environments/${envId}`);
    await browser.submit(tab.html, `/console/environments/${envId}/links`, { secretId: canary.id });
    await browser.submit(tab.html, `/console/environments/${envId}/secrets`, {
      name: 'CANARY_DIRECT',
      value: `${value}-direct`,
    });
    const direct = (
      await svc.call('GET', `/api/v1/environmentshub/${envId}/secrets`, { key: seed.user.apiKey })
    ).body.data.find((s: { name: string }) => s.name === 'CANARY_DIRECT');
    // Also the pages re-shown after a failed submit.
    const failed = await browser.submit(tab.html, `/console/environments/${envId}/secrets`, {
      name: 'CANARY_DIRECT',
      value: `${value}-retyped`,
    });
    expect(failed.status).toBe(409);

    const pages = [
      '/console',
      `/console?teamId=${seed.team.id}`,
      `/console/secrets/${canary.id}`,
      '/console/environments',
      `/console/environments?teamId=${seed.team.id}`,
      `/console/environments/${envId}`,
      `/console/environments/${seed.environments.team.id}`,
      `/console/environments/${envId}/secrets/${direct.id}`,
    ];
    const htmls = [failed.html];
    for (const path of pages) {
      const res = await browser.get(path);
      expect(res.status, path).toBe(200);
      htmls.push(res.html);
    }
    for (const html of htmls) expect(html).not.toContain(value);
    // The values are really there, for the runtime read.
    const runtime = await svc.call('GET', `/api/v1/environmentshub/${envId}/runtime`, { key: seed.serviceKey });
    expect(runtime.body.data.env).toMatchObject({ CANARY_GLOBAL: `${value}-global`, CANARY_DIRECT: `${value}-direct` });
  });
});

describe('not found', () => {
  it('is a page in words inside the console, and the contract\u2019s JSON outside it', async () => {
    const browser = await signedIn();
    const res = await browser.get('/console/secrets/not-an-id');
    expect(res.status).toBe(404);
    expect(res.html).toContain('Secret not found.');
    expect(res.html).toContain('role="alert"');
    // The console function alone (as in Lambda) answers paths that are not its own in the API's form.
    const alone = createConsoleApp(svc.deps);
    const api = await alone.request('/api/v1/health');
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ detail: 'No route for GET /api/v1/health.', code: 'not_found' });
  });
});
