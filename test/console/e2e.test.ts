import { existsSync, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';

/**
 * The web console end to end: the local stack served over HTTP on 127.0.0.1, driven by
 * Debian's headless Chromium through playwright-core, as a person would use it. Screenshots of
 * each screen go to test-results/console/ (not committed).
 */

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'test-results', 'console');
// The machine has no internet: without these, Chromium stalls on background network calls.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const available = existsSync(CHROMIUM);

let svc: TestService;
let server: ServerType;
let base: string;
let browser: Browser;
let page: Page;

/** Words no page may ever contain: the values of the secrets the test adds. */
const SECRET_VALUES = ['sk-e2e-judge-4b1f', 'sk-e2e-hf-9c2d', 'sk-e2e-direct-77aa', 'sk-e2e-team-31ee'];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Every screen: no secret value in the document, whatever the page. */
async function expectNoSecretValue(): Promise<void> {
  const html = await page.content();
  for (const value of SECRET_VALUES) expect(html).not.toContain(value);
}

/**
 * How a page fits its screen (run in the page, as a string: the tests are typed without the
 * DOM): how far the page itself scrolls sideways, and which of the tables' row actions (Edit,
 * Unlink, Remove, Restore…) are not wholly on the screen.
 */
const FIT = `(() => {
  const actions = [...document.querySelectorAll('td.row-actions, td.restore-cell')].flatMap((cell) => [
    ...cell.querySelectorAll('a, button'),
  ]);
  const inView = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.left >= 0 && box.right <= window.innerWidth;
  };
  return {
    sideways: Math.max(0, document.scrollingElement.scrollWidth - window.innerWidth),
    actions: actions.length,
    outOfView: actions.filter((el) => !inView(el)).map((el) => el.getAttribute('aria-label') || el.textContent),
  };
})()`;

/** A link of the header's sections. */
const nav = (name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name });

/**
 * A form the page does not offer, posted from it as a crafted page would: the session's CSRF
 * token (from the page) and `fields`, to `action`.
 */
async function forgeForm(action: string, fields: Record<string, string>): Promise<void> {
  const csrf = await page.locator('input[name="_csrf"]').first().getAttribute('value');
  const inputs = Object.entries({ _csrf: csrf!, ...fields });
  await Promise.all([
    page.waitForNavigation(),
    page.evaluate(`(() => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = ${JSON.stringify(action)};
      for (const [name, value] of ${JSON.stringify(inputs)}) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.appendChild(input);
      }
      document.body.appendChild(form);
      form.submit();
    })()`),
  ]);
}

/** A link of an environment's tabs. */
const tab = (name: string) => page.getByRole('navigation', { name: 'Environment' }).getByRole('link', { name });

const section = (heading: string) =>
  page.locator('section', { has: page.getByRole('heading', { name: heading, exact: true }) });

describe.skipIf(!available)('the web console in headless Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    svc = await startTestService();
    server = serve({ fetch: svc.app.fetch, hostname: '127.0.0.1', port: 0 });
    if (!server.listening) await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('signs in, manages secrets and links, shows conflicts, scope rules and the job view, signs out', async () => {
    const { seed } = svc;

    // ---- sign in, by keyboard: the key field has the focus, Enter submits ----
    await page.goto(`${base}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/signin');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in to Prime Secrets');
    await shot('01-sign-in');
    await page.keyboard.type('prime_wrong-key');
    await page.keyboard.press('Enter');
    await page.waitForLoadState();
    await expect(page.locator('#signin-apiKey-error').textContent()).resolves.toBe(
      'This API key is not valid: it is unknown or has been revoked.',
    );
    await expect(page.getByLabel('API key').getAttribute('aria-invalid')).resolves.toBe('true');
    await shot('02-sign-in-error');
    await page.getByLabel('API key').fill(seed.user.apiKey);
    await page.getByLabel('API key').press('Enter');
    await page.waitForURL(`${base}/console`);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === '__Host-prime_session');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    expect(session!.value).not.toContain(seed.user.apiKey);
    // The first Tab stop is the skip link.
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement && document.activeElement.textContent')).resolves.toBe(
      'Skip to content',
    );

    // ---- Keys & Secrets: Add Secret, then a name conflict shown beside the name ----
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Keys & Secrets');
    await shot('03-keys-and-secrets-empty');
    const add = section('Add Secret');
    for (const [name, value, description] of [
      ['JUDGE_KEY', SECRET_VALUES[0]!, 'judge model key'],
      ['HF_TOKEN', SECRET_VALUES[1]!, ''],
    ] as const) {
      await add.getByLabel('Name').fill(name);
      await add.getByLabel('Value').fill(value);
      await add.getByLabel('Description').fill(description);
      await add.getByRole('button', { name: 'Add Secret' }).click();
      await page.waitForLoadState();
      await expect(page.getByRole('status').textContent()).resolves.toBe(`Secret ${name} added.`);
    }
    await expectNoSecretValue();
    await shot('04-secrets-added');
    await add.getByLabel('Name').fill('JUDGE_KEY');
    await add.getByLabel('Value').fill('sk-e2e-judge-4b1f');
    await add.getByRole('button', { name: 'Add Secret' }).click();
    await page.waitForLoadState();
    await expect(page.locator('#add-secret-name-error').textContent()).resolves.toBe(
      'A global secret named JUDGE_KEY already exists in this scope. Choose another name or update that secret.',
    );
    // The field in error has the focus, so the message is read out with it.
    await expect(page.evaluate('document.activeElement && document.activeElement.id')).resolves.toBe('add-secret-name');
    await expectNoSecretValue();
    await shot('05-global-name-taken');

    // ---- an environment's Secrets tab: a variable, a direct secret, Link Global Secret ----
    await nav('Environments').click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Environments');
    await shot('06-environments');
    await page.getByRole('link', { name: 'dev/my-environment' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('dev/my-environment');
    await shot('07-environment-empty');
    // Each tab is a page of its own, the current one marked.
    await expect(tab('Secrets').getAttribute('aria-current')).resolves.toBe('page');
    await tab('Variables').click();
    await expect(page.getByRole('heading', { level: 2 }).first().textContent()).resolves.toBe('Variables');
    await expect(tab('Variables').getAttribute('aria-current')).resolves.toBe('page');
    await expect(tab('Secrets').getAttribute('aria-current')).resolves.toBeNull();
    const variables = page.locator('form', { has: page.getByRole('heading', { name: 'Add Variable' }) });
    await variables.getByLabel('Name').fill('HF_TOKEN');
    await variables.getByLabel('Value').fill('hf-plain-config');
    await variables.getByRole('button', { name: 'Add Variable' }).click();
    await page.waitForLoadState();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Variable HF_TOKEN added.');
    await tab('Secrets').click();
    await section('Add Secret').getByLabel('Name').fill('DIRECT_KEY');
    await section('Add Secret').getByLabel('Value').fill(SECRET_VALUES[2]!);
    await section('Add Secret').getByRole('button', { name: 'Add Secret' }).click();
    await page.waitForLoadState();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Secret DIRECT_KEY added.');

    const link = section('Link Global Secret');
    await link.getByLabel('Global secret').selectOption({ label: 'JUDGE_KEY' });
    await link.getByRole('button', { name: 'Link Global Secret' }).click();
    await page.waitForLoadState();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Global secret JUDGE_KEY linked.');
    const secretsTable = section('Secrets').locator('table');
    await expect(secretsTable.locator('tr', { hasText: 'JUDGE_KEY' }).textContent()).resolves.toContain(
      'Linked global secret',
    );
    await expectNoSecretValue();
    await shot('08-linked');

    // ---- a conflict: the name HF_TOKEN is held by a variable. The picker says so and, with
    // nothing else left to link, has no button; a forged submit gets the service's remedy ----
    await expect(link.getByRole('button', { name: 'Link Global Secret' }).count()).resolves.toBe(0);
    await expect(link.locator('li').allTextContents()).resolves.toEqual([
      'HF_TOKEN: name already used here by a variable',
    ]);
    const hfToken = (await svc.call('GET', '/api/v1/secrets', { key: seed.user.apiKey })).body.data.find(
      (s: { name: string }) => s.name === 'HF_TOKEN',
    );
    await forgeForm(`/console/environments/${seed.environments.personal.id}/links`, { secretId: hfToken.id });
    await expect(page.locator('#link-error').textContent()).resolves.toBe(
      'The name HF_TOKEN is already used in this environment by an environment variable. Rename or remove that environment variable before adding or linking the secret.',
    );
    await expect(page.evaluate('document.activeElement && document.activeElement.id')).resolves.toBe('link-error');
    await shot('09-conflict-name-taken');

    // ---- what the job will see: the winning source per name, secret values never shown ----
    await tab('What the job will see').click();
    expect(new URL(page.url()).pathname).toMatch(/^\/console\/environments\/[^/]+\/job-view$/);
    const jobView = page.locator('#job-view');
    const rows = await jobView
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())));
    expect(rows).toEqual([
      ['DIRECT_KEY', 'Direct secret', 'Secret value, not shown'],
      ['HF_TOKEN', 'Variable', 'hf-plain-config'],
      ['JUDGE_KEY', 'Linked global secret', 'Secret value, not shown'],
    ]);
    await shot('10-what-the-job-will-see');

    // The dashboard says which environments link each secret.
    await nav('Keys & Secrets').click();
    await expect(
      page.locator('tr', { hasText: 'JUDGE_KEY' }).getByRole('link', { name: 'dev/my-environment' }).count(),
    ).resolves.toBe(1);
    // Its page: the linked environments, and an edit form whose value field is empty.
    await page.getByRole('link', { name: 'Edit JUDGE_KEY' }).click();
    await expect(page.getByLabel('New value').inputValue()).resolves.toBe('');
    await expect(section('Linked environments').getByRole('link').allTextContents()).resolves.toEqual([
      'dev/my-environment',
    ]);
    await expectNoSecretValue();
    await shot('11-global-secret');

    // ---- unlink ----
    await section('Linked environments').getByRole('link', { name: 'dev/my-environment' }).click();
    await page.getByRole('button', { name: 'Unlink JUDGE_KEY' }).click();
    await page.waitForLoadState();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Global secret JUDGE_KEY unlinked.');
    await expect(section('Secrets').locator('tr', { hasText: 'JUDGE_KEY' }).count()).resolves.toBe(0);
    await shot('12-unlinked');

    // ---- a scope mismatch: a personal secret into a team environment ----
    await nav('Keys & Secrets').click();
    await page.getByRole('link', { name: /Team dev-team/ }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Keys & Secrets');
    await section('Add Secret').getByLabel('Name').fill('TEAM_JUDGE');
    await section('Add Secret').getByLabel('Value').fill(SECRET_VALUES[3]!);
    await section('Add Secret').getByRole('button', { name: 'Add Secret' }).click();
    await page.waitForLoadState();
    await shot('13-team-scope');
    await nav('Environments').click();
    await page.getByRole('link', { name: 'dev-team/team-environment' }).click();
    // The picker offers the team's secrets only; a stale or crafted form can still name another
    // scope's secret, and the service's scope rule answers it beside the picker.
    const personal = (await svc.call('GET', '/api/v1/secrets', { key: seed.user.apiKey })).body.data.find(
      (s: { name: string }) => s.name === 'JUDGE_KEY',
    );
    const picker = section('Link Global Secret').getByLabel('Global secret');
    await expect(picker.locator('option').allTextContents()).resolves.toEqual(['Choose a secret…', 'TEAM_JUDGE']);
    await picker.evaluate((select, id: string) => {
      (select as unknown as { options: { value: string }[] }).options[1]!.value = id;
    }, personal.id);
    await picker.selectOption({ label: 'TEAM_JUDGE' });
    await section('Link Global Secret').getByRole('button', { name: 'Link Global Secret' }).click();
    await page.waitForLoadState();
    await expect(page.locator('#link-secretId-error').textContent()).resolves.toBe(
      'This global secret belongs to another scope. Make sure the secret exists in the same scope (personal vs team) as the environment.',
    );
    await expectNoSecretValue();
    await shot('14-scope-mismatch');

    // ---- sign out ----
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/console/signin`);
    await expect(page.getByRole('status').textContent()).resolves.toBe('You are signed out.');
    await shot('15-signed-out');
    expect((await page.context().cookies()).some((c) => c.name === '__Host-prime_session')).toBe(false);
    await page.goto(`${base}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/signin');
  }, 60_000);

  it('creates an environment, uploads a file secret, links a global secret from its own page, deletes the environment', async () => {
    const { seed } = svc;
    await page.goto(`${base}/console/environments`);
    await page.getByLabel('API key').fill(seed.user.apiKey);
    await page.getByLabel('API key').press('Enter');
    await page.waitForURL(`${base}/console/environments`);

    // ---- New Environment: a name off the schema's pattern stopped by the browser, a taken one
    // refused beside the field, then the environment's own page ----
    const create = section('New Environment');
    await create.getByLabel('Name').fill('E2E Env');
    await create.getByRole('button', { name: 'Create Environment' }).click();
    await expect(
      page.evaluate("document.getElementById('new-environment-name').validity.patternMismatch"),
    ).resolves.toBe(true);
    await create.getByLabel('Name').fill('my-environment');
    await create.getByRole('button', { name: 'Create Environment' }).click();
    await page.waitForLoadState();
    await expect(page.locator('#new-environment-name-error').textContent()).resolves.toBe(
      'An environment named my-environment already exists for dev. Choose another name.',
    );
    await section('New Environment').getByLabel('Name').fill('e2e-env');
    await section('New Environment').getByRole('button', { name: 'Create Environment' }).click();
    await page.waitForLoadState();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('dev/e2e-env');
    await expect(page.getByRole('status').textContent()).resolves.toBe('Environment dev/e2e-env created.');
    await shot('16-environment-created');

    // ---- Add File Secret: over the limit refused in words, then a certificate ----
    const upload = section('Add File Secret');
    await upload.getByLabel('Name').fill('BIG_FILE');
    await upload.getByLabel('File').setInputFiles({
      name: 'big.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.alloc(49_153, 1),
    });
    await upload.getByRole('button', { name: 'Add File Secret' }).click();
    await page.waitForLoadState();
    await expect(page.locator('#add-file-secret-file-error').textContent()).resolves.toBe(
      'This file is 49,153 bytes: a file secret holds at most 49,152 bytes (48 KiB).',
    );
    await expect(section('Add File Secret').getByLabel('Name').inputValue()).resolves.toBe('BIG_FILE');
    await shot('17-file-too-large');
    const certificate = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    await section('Add File Secret').getByLabel('Name').fill('TLS_CERT');
    await section('Add File Secret')
      .getByLabel('File')
      .setInputFiles({
        name: 'cert.pem',
        mimeType: 'application/x-pem-file',
        buffer: Buffer.from(certificate),
      });
    await section('Add File Secret').getByRole('button', { name: 'Add File Secret' }).click();
    await page.waitForLoadState();
    await expect(page.getByRole('status').textContent()).resolves.toBe('File secret TLS_CERT added.');
    await expect(section('Secrets').locator('tr', { hasText: 'TLS_CERT' }).textContent()).resolves.toContain('file');
    const env = (await svc.call('GET', '/api/v1/environmentshub', { key: seed.user.apiKey })).body.data.find(
      (e: { name: string }) => e.name === 'e2e-env',
    );
    expect(Buffer.from((await svc.runtimeEnv(env.id)).TLS_CERT!, 'base64').toString()).toBe(certificate);
    await shot('18-file-secret-added');

    // ---- a global secret's page: Link to Environment, where its name is free ----
    await nav('Keys & Secrets').click();
    await page.getByRole('link', { name: 'Edit HF_TOKEN' }).click();
    const linked = section('Linked environments');
    const picker = linked.getByLabel('Environment');
    await expect(picker.locator('option', { hasText: 'dev/my-environment' }).textContent()).resolves.toBe(
      'dev/my-environment (name already used there by a variable)',
    );
    await expect(picker.locator('option', { hasText: 'dev/my-environment' }).isDisabled()).resolves.toBe(true);
    await picker.selectOption({ label: 'dev/e2e-env' });
    await linked.getByRole('button', { name: 'Link to Environment' }).click();
    await page.waitForLoadState();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Global secret HF_TOKEN linked to dev/e2e-env.');
    await expect(section('Linked environments').getByRole('link').allTextContents()).resolves.toEqual(['dev/e2e-env']);
    expect((await svc.runtimeEnv(env.id)).HF_TOKEN).toBe(SECRET_VALUES[1]);
    await expectNoSecretValue();
    await shot('19-linked-from-the-secret');

    // ---- Delete Environment: its name typed to confirm ----
    await section('Linked environments').getByRole('link', { name: 'dev/e2e-env' }).click();
    const remove = section('Delete Environment');
    await remove.getByLabel('Type e2e-env to confirm').fill('e2e');
    await remove.getByRole('button', { name: 'Delete Environment' }).click();
    await page.waitForLoadState();
    await expect(page.locator('#delete-environment-confirm-error').textContent()).resolves.toBe(
      'Type e2e-env to confirm the deletion.',
    );
    await shot('20-delete-unconfirmed');
    await section('Delete Environment').getByLabel('Type e2e-env to confirm').fill('e2e-env');
    await section('Delete Environment').getByRole('button', { name: 'Delete Environment' }).click();
    await page.waitForURL(`${base}/console/environments`);
    await expect(page.getByRole('status').textContent()).resolves.toBe(
      'Environment dev/e2e-env deleted, with its secrets, links and variables.',
    );
    await expect(page.getByRole('link', { name: 'dev/e2e-env' }).count()).resolves.toBe(0);
    await expectNoSecretValue();
    await shot('21-environment-deleted');
  }, 60_000);

  it('makes an API key for running with secrets, copies it with the Copy button, revokes it', async () => {
    const { seed } = svc;
    // Still signed in with the manage key: a runtime key is not on offer, and the page says why.
    await nav('API keys').click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('API keys');
    await expect(page.getByLabel('runtime', { exact: true }).isDisabled()).resolves.toBe(true);
    await expect(page.locator('#create-key-scope-runtime-hint').textContent()).resolves.toContain(
      "this session's key lacks the runtime scope",
    );
    await shot('22-api-keys');

    // Signed in with the account key (both scopes): a runtime key, shown once, copied.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/console/signin`);
    await page.goto(`${base}/console/keys`);
    await page.getByLabel('API key').fill(seed.user.accountKey);
    await page.getByLabel('API key').press('Enter');
    await page.waitForURL(`${base}/console/keys`);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const create = section('Create API key');
    await create.getByLabel('Name').fill('e2e-run');
    await create.getByLabel('runtime', { exact: true }).check();
    await create.getByRole('button', { name: 'Create API key' }).click();
    await page.waitForLoadState();
    await expect(page.getByRole('heading', { name: 'New API key e2e-run (runtime)' }).count()).resolves.toBe(1);
    const key = await page.getByLabel('API key', { exact: true }).inputValue();
    expect(key).toMatch(/^prime_/);
    // The Copy button is the script's: hidden without it, shown with it.
    await page.getByRole('button', { name: 'Copy' }).click();
    // The button writes to the clipboard asynchronously, then says so: wait for its words.
    await page.locator('#new-key-status', { hasText: 'Copied to the clipboard.' }).waitFor();
    await expect(page.evaluate('navigator.clipboard.readText()')).resolves.toBe(key);
    await shot('23-new-api-key');
    const env = seed.environments.personal.id;
    expect((await svc.call('GET', `/api/v1/environmentshub/${env}/runtime`, { key })).status).toBe(200);

    // Shown once: the list names it, never the key again.
    await nav('API keys').click();
    expect(await page.content()).not.toContain(key);
    const row = page.locator('tr', { hasText: 'e2e-run' });
    await expect(row.textContent()).resolves.toContain('runtime');
    await row.getByRole('button', { name: 'Revoke e2e-run' }).click();
    await page.waitForLoadState();
    await expect(page.getByRole('status').textContent()).resolves.toBe(
      'API key e2e-run revoked: requests with it are refused, everywhere within 30 seconds.',
    );
    expect((await svc.call('GET', `/api/v1/environmentshub/${env}/runtime`, { key })).status).toBe(401);
    await expectNoSecretValue();
    await shot('24-api-key-revoked');
  }, 60_000);

  it('checks a field before sending it, asks for a refused secret value again, and reloads a refused form harmlessly', async () => {
    const { seed } = svc;
    const envId = seed.environments.personal.id;
    await svc.must(201, 'POST', `/api/v1/environmentshub/${envId}/variables`, { name: 'E2E_HELD', value: 'held' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const tab = await context.newPage();
    const posts: string[] = [];
    tab.on('request', (request) => {
      if (request.method() === 'POST') posts.push(new URL(request.url()).pathname);
    });
    try {
      await tab.goto(`${base}/console/signin`);
      await tab.getByLabel('API key').fill(seed.user.apiKey);
      await tab.getByLabel('API key').press('Enter');
      await tab.waitForURL(`${base}/console`);
      await tab.goto(`${base}/console/environments/${envId}`);
      const add = tab.locator('section', { has: tab.getByRole('heading', { name: 'Add Secret', exact: true }) });
      posts.length = 0;

      // The name's pattern, from EntryName: the browser refuses it before anything is sent.
      await add.getByLabel('Name').fill('lower_case');
      await add.getByLabel('Value').fill('sk-e2e-refused-1d');
      await add.getByRole('button', { name: 'Add Secret' }).click();
      await expect(tab.evaluate("document.getElementById('add-secret-name').validity.patternMismatch")).resolves.toBe(
        true,
      );
      expect(posts).toEqual([]);

      // Refused by the service (the name is a variable's): the value field is empty and says so.
      await add.getByLabel('Name').fill('E2E_HELD');
      await add.getByRole('button', { name: 'Add Secret' }).click();
      await tab.waitForLoadState();
      await expect(tab.locator('#add-secret-value-retype').textContent()).resolves.toBe(
        "Type the value again: it was not kept, as a secret's value is never sent back to the page.",
      );
      await expect(add.getByLabel('Value').inputValue()).resolves.toBe('');
      await tab.screenshot({ path: join(SHOTS, '25-retype-the-value.png'), fullPage: true });
      const before = await svc.must(200, 'GET', `/api/v1/environmentshub/${envId}/secrets`);

      // Reloading sends the refused form again: refused the same way, nothing written.
      await tab.reload();
      expect(posts).toEqual([`/console/environments/${envId}/secrets`, `/console/environments/${envId}/secrets`]);
      await expect(tab.locator('#add-secret-name-error').textContent()).resolves.toContain('E2E_HELD');
      await expect(svc.must(200, 'GET', `/api/v1/environmentshub/${envId}/secrets`)).resolves.toEqual(before);
      await expect(tab.content()).resolves.not.toContain('sk-e2e-refused-1d');
    } finally {
      await context.close();
    }
  }, 60_000);

  it('fits every page from 360 px up: no sideways scroll of the page, row actions in view', async () => {
    const { seed } = svc;
    const envId = seed.environments.personal.id;
    // The widest content the pages hold: long names, a long unbroken value, long descriptions.
    const long = `WIDE_${'NAME_'.repeat(10)}END`;
    const global = await svc.must(201, 'POST', '/api/v1/secrets', {
      name: long,
      value: 'sk-e2e-wide-5e1a',
      description: 'A global secret with a description long enough to wrap over several lines on a phone.',
    });
    await svc.must(201, 'POST', `/api/v1/environmentshub/${envId}/secrets/link/${global.data.id}`, {});
    const direct = await svc.must(201, 'POST', `/api/v1/environmentshub/${envId}/secrets`, {
      name: 'WIDE_DIRECT',
      value: 'sk-e2e-wide-direct-0c',
      description: 'A direct secret whose description runs on',
      expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    const variable = await svc.must(201, 'POST', `/api/v1/environmentshub/${envId}/variables`, {
      name: 'WIDE_VARIABLE',
      value: `https://example.com/${'x'.repeat(120)}`,
    });
    await svc.must(200, 'PATCH', `/api/v1/environmentshub/${envId}/variables/${variable.data.id}`, {
      value: `https://example.com/${'y'.repeat(120)}`,
    });
    const gone = await svc.must(201, 'POST', `/api/v1/environmentshub/${envId}/variables`, {
      name: 'WIDE_GONE',
      value: 'gone',
    });
    await svc.must(200, 'DELETE', `/api/v1/environmentshub/${envId}/variables/${gone.data.id}`);
    await svc.must(200, 'PUT', `/api/v1/environmentshub/${envId}/requirements/${long}`, { description: 'needed' });

    const env = `/console/environments/${envId}`;
    const pages: [string, string, number][] = [
      // a page, its name in the screenshots, and how many row actions it shows at least
      ['/console', 'keys-and-secrets', 1],
      [`/console/secrets/${global.data.id}`, 'global-secret', 0],
      ['/console/environments', 'environments', 0],
      ['/console/keys', 'api-keys', 1],
      [env, 'tab-secrets', 3],
      [`${env}/variables`, 'tab-variables', 1],
      [`${env}/requirements`, 'tab-requirements', 1],
      [`${env}/job-view`, 'tab-job-view', 0],
      [`${env}/deleted`, 'tab-deleted', 1],
      [`${env}/secrets/${direct.data.id}`, 'direct-secret', 0],
      // its versions with their values, and Roll back
      [`${env}/variables/${variable.data.id}`, 'variable', 1],
      ['/console/no-such-page', 'not-found', 0],
    ];
    const widths = [360, 390, 1280];
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const phone = await context.newPage();
    /** The page at each width: it fits, and (but at 360 px) its screenshot. */
    const check = async (path: string, name: string, actions: number) => {
      for (const width of widths) {
        await phone.setViewportSize({ width, height: 844 });
        await phone.goto(`${base}${path}`);
        const fit = (await phone.evaluate(FIT)) as { sideways: number; actions: number; outOfView: string[] };
        expect({ path, width, ...fit }).toMatchObject({ path, width, sideways: 0, outOfView: [] });
        expect(fit.actions, `${path} at ${width} px`).toBeGreaterThanOrEqual(actions);
        if (width !== 360) await phone.screenshot({ path: join(SHOTS, `layout-${width}-${name}.png`), fullPage: true });
      }
    };
    try {
      await check('/console/signin', 'sign-in', 0);
      await phone.getByLabel('API key').fill(seed.user.apiKey);
      await phone.getByLabel('API key').press('Enter');
      await phone.waitForURL(`${base}/console`);
      for (const [path, name, actions] of pages) await check(path, name, actions);
    } finally {
      await context.close();
    }
  }, 60_000);
});

if (!available) {
  it.skip(`the web console in headless Chromium: needs Debian's chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it)`, () => {});
}
