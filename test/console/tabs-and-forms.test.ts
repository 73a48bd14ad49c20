import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { asBrowserPattern, inputRules } from '../../functions/console/input-rules.js';
import { CONSOLE_RESOURCES, ROUTES } from '../../functions/routes.js';
import { Description, EntryName, EnvironmentName } from '../../shared/schemas.js';
import { LIMITS } from '../../shared/rules.js';
import { startTestService, type TestService } from '../support/service.js';
import { Browser, noticeOf, textOf, type Page, signedInTo } from './browser.js';

/**
 * An environment's tabs, what the browser checks of a form before sending it, and what a
 * submit leaves behind (a redirect after success; after a refusal, a page that is safe to
 * reload), through the local app as a browser without script uses it. DynamoDB Local.
 */

let svc: TestService;
const V1 = '/api/v1';

beforeAll(async () => {
  svc = await startTestService();
});

const signedIn = (apiKey?: string) => signedInTo(svc, apiKey);

let seq = 0;

/** A new personal environment of the seed user, and its path in the console. */
async function newEnvironment(): Promise<{ envId: string; env: string }> {
  const created = await svc.must(201, 'POST', `${V1}/environmentshub`, { name: `console-forms-${++seq}` });
  return { envId: created.data.id, env: `/console/environments/${created.data.id}` };
}

async function idOf(path: string, name: string): Promise<string> {
  const found = (await svc.must(200, 'GET', path)).data.find((e: { name: string }) => e.name === name);
  expect(found, `${name} in ${path}`).toBeDefined();
  return found.id;
}

/** The tab links of a page: each label, and whether it is marked current. */
function tabsOf(html: string): [string, boolean][] {
  const nav = /<nav class="tabs" aria-label="Environment">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
  return [...nav.matchAll(/<a href="[^"]*"( aria-current="page")?>([^<]*)<\/a>/g)].map((m) => [m[2]!, !!m[1]]);
}

const currentTab = (html: string) => tabsOf(html).filter(([, current]) => current);

/** The opening tag of the control with this id, and its attributes. */
function control(html: string, id: string): Record<string, string> {
  const tag = new RegExp(`<(?:input|textarea|select)[^>]* id="${id}"[^>]*>`).exec(html)?.[0];
  expect(tag, `control #${id}`).toBeDefined();
  return Object.fromEntries([...tag!.matchAll(/ ([a-z-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

describe("an environment's tabs", () => {
  it('are pages of their own, the current one marked, each with its own part only', async () => {
    const { envId, env } = await newEnvironment();
    await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, { name: 'TAB_VAR', value: 'plain-tab' });
    const browser = await signedIn();
    const tabs: [string, string, string, string[]][] = [
      // path, the tab marked current, what it shows, what it leaves to the other tabs
      [env, 'Secrets', 'id="add-secret-heading"', ['id="variables"', 'id="requirements"', 'id="job-view"']],
      [`${env}/secrets`, 'Secrets', 'id="link-heading"', ['id="variables"']],
      [`${env}/variables`, 'Variables', '<td class="name">TAB_VAR</td>', ['id="secrets"', 'id="job-view"']],
      [`${env}/requirements`, 'Requirements', 'id="add-requirement-heading"', ['id="secrets"', 'id="variables"']],
      [`${env}/job-view`, 'What the job will see', 'id="job-view"', ['id="variables"', 'id="add-secret-heading"']],
      [`${env}/deleted`, 'Recently deleted', 'id="recently-deleted"', ['id="secrets"', 'id="variables"']],
    ];
    for (const [path, current, shows, leaves] of tabs) {
      const page = await browser.get(path);
      expect({ path, status: page.status }).toEqual({ path, status: 200 });
      expect(tabsOf(page.html).map(([label]) => label)).toEqual([
        'Secrets',
        'Variables',
        'Requirements',
        'What the job will see',
        'Recently deleted',
      ]);
      expect(currentTab(page.html), path).toEqual([[current, true]]);
      expect(page.html, path).toContain(`<title>${current} · dev/console-forms-${seq}`);
      expect(page.html, path).toContain(shows);
      for (const other of leaves) expect(page.html, `${path} without ${other}`).not.toContain(other);
    }
    expect(tabsOf((await browser.get(env)).html)).toHaveLength(5);
    const links = [...(await browser.get(env)).html.matchAll(/<nav class="tabs"[\s\S]*?<\/nav>/g)][0]![0];
    for (const path of ['', '/variables', '/requirements', '/job-view', '/deleted']) {
      expect(links).toContain(`href="${env}${path}"`);
    }
  });

  it('lead back to the tab of the form that succeeded, and show a refused form on its tab', async () => {
    const { envId, env } = await newEnvironment();
    const browser = await signedIn();
    const page = await browser.get(env);
    const cases: [string, Record<string, string>, string][] = [
      [`${env}/secrets`, { name: 'BACK_SECRET', value: 'sk-back-1' }, env],
      [`${env}/variables`, { name: 'BACK_VAR', value: 'v' }, `${env}/variables`],
      [`${env}/requirements`, { name: 'BACK_NEED' }, `${env}/requirements`],
    ];
    for (const [action, fields, back] of cases) {
      const done = await browser.submit(page.html, action, fields);
      expect({ action, status: done.status, location: done.location }).toEqual({ action, status: 303, location: back });
    }
    const variableId = await idOf(`${V1}/environmentshub/${envId}/variables`, 'BACK_VAR');
    const deleted = await browser.submit(page.html, `${env}/variables/${variableId}/delete`, { confirm: 'yes' });
    expect(deleted.location).toBe(`${env}/variables`);
    const restored = await browser.submit(page.html, `${env}/variables/${variableId}/restore`, { name: '' });
    expect(restored.location).toBe(`${env}/deleted`);
    expect(noticeOf((await browser.get(restored.location!)).html)).toBe('Variable BACK_VAR restored.');

    const refused: [string, Record<string, string>, string][] = [
      [`${env}/secrets`, { name: 'bad', value: 'sk-refused' }, 'Secrets'],
      [`${env}/links`, { secretId: '' }, 'Secrets'],
      [`${env}/variables`, { name: 'bad', value: 'v' }, 'Variables'],
      [`${env}/requirements`, { name: 'bad' }, 'Requirements'],
      [`${env}/variables/${variableId}/restore`, { name: 'bad' }, 'Recently deleted'],
    ];
    for (const [action, fields, tab] of refused) {
      const res = await browser.submit(page.html, action, fields);
      expect({ action, status: res.status, tab: currentTab(res.html) }).toEqual({
        action,
        status: 422,
        tab: [[tab, true]],
      });
    }
  });
});

describe('what the browser checks before sending', () => {
  it('is read from the shared schemas: the pattern a browser compiles agrees with EntryName and EnvironmentName', () => {
    const name = inputRules(EntryName);
    expect(name).toMatchObject({ required: true, maxLength: LIMITS.nameLength });
    const browser = asBrowserPattern(name.pattern!);
    for (const sample of ['A', 'MY_API_KEY', 'K9', 'my_key', '9KEY', 'A-B', 'A B', 'Ä', '_A', 'A_', 'KEY\n']) {
      expect({ sample, browser: browser.test(sample) }).toEqual({
        sample,
        browser: EntryName.safeParse(sample).success,
      });
    }
    expect(inputRules(Description)).toEqual({
      required: undefined,
      pattern: undefined,
      maxLength: LIMITS.descriptionLength,
    });
    // No minimum length but the pattern's: New Environment's field is marked required itself.
    const environment = inputRules(EnvironmentName);
    const environmentPattern = asBrowserPattern(environment.pattern!);
    // The refinement (a reserved name) is the server's alone: `secrets` passes the browser.
    for (const sample of ['a', 'my-env', 'prod.eu_1', '9', 'My-Env', '-a', '.a', 'a b', 'a/b', 'a'.repeat(101)]) {
      expect({ sample, browser: environmentPattern.test(sample) }).toEqual({
        sample,
        browser: EnvironmentName.safeParse(sample).success,
      });
    }
    // A pattern no browser compiles (a "-" unescaped in a class, under the `v` flag) is refused, not shipped dead.
    expect(() => inputRules(z.string().regex(/^[a-z-]+$/))).toThrow(/cannot compile the pattern/);
  });

  it('marks every name, value and description field of the forms with required, pattern and maxlength', async () => {
    const { envId, env } = await newEnvironment();
    const browser = await signedIn();
    const gone = await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, { name: 'GONE', value: 'g' });
    await svc.must(200, 'DELETE', `${V1}/environmentshub/${envId}/variables/${gone.data.id}`);
    const direct = await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/secrets`, { name: 'D', value: 'd' });
    const global = await svc.must(201, 'POST', `${V1}/secrets`, { name: 'FORMS_GLOBAL', value: 'g' });
    const pattern = inputRules(EntryName).pattern;
    const name = { required: '', pattern, maxlength: String(LIMITS.nameLength) };
    const description = { maxlength: String(LIMITS.descriptionLength) };
    const forms: [string, string, Record<string, string | undefined>][] = [
      ['/console', 'add-secret-name', name],
      ['/console', 'add-secret-value', { required: '' }],
      ['/console', 'add-secret-description', description],
      [env, 'add-secret-name', name],
      [env, 'add-secret-value', { required: '' }],
      [env, 'add-secret-description', description],
      [env, 'link-secretId', { required: '' }],
      [`${env}/variables`, 'add-variable-name', name],
      [`${env}/variables`, 'add-variable-value', { required: '' }],
      [`${env}/requirements`, 'add-requirement-name', name],
      [`${env}/requirements`, 'add-requirement-description', description],
      [`${env}/deleted`, `restore-${gone.data.id}-name`, { pattern, maxlength: name.maxlength, required: undefined }],
      [`${env}/secrets/${direct.data.id}`, 'edit-name', name],
      // Left empty, a secret's value field keeps the value: not required.
      [`${env}/secrets/${direct.data.id}`, 'edit-value', { required: undefined }],
      [`${env}/secrets/${direct.data.id}`, 'edit-description', description],
      ['/console', 'add-file-secret-name', name],
      ['/console', 'add-file-secret-file', { required: '' }],
      ['/console', 'add-file-secret-description', description],
      [env, 'add-file-secret-name', name],
      [env, 'add-file-secret-file', { required: '' }],
      [env, 'add-file-secret-description', description],
      [env, 'delete-environment-confirm', { required: '' }],
      [`/console/secrets/${global.data.id}`, 'link-environment-envId', { required: '' }],
      ['/console/environments', 'new-environment-name', { required: '', pattern: inputRules(EnvironmentName).pattern }],
      // CreateApiKeyBody's name: trimmed, 1 to 100 characters, no pattern.
      ['/console/keys', 'create-key-name', { required: '', maxlength: '100', pattern: undefined }],
    ];
    for (const [path, id, expected] of forms) {
      const attributes = control((await browser.get(path)).html, id);
      for (const [attribute, value] of Object.entries(expected)) {
        expect({ path, id, attribute, value: attributes[attribute] }).toEqual({ path, id, attribute, value });
      }
    }
  });
});

describe('a refused secret form', () => {
  it('says plainly, beside the empty value field, that the value must be typed again', async () => {
    const { envId, env } = await newEnvironment();
    const browser = await signedIn();
    const page = await browser.get(env);
    expect(page.html).not.toContain('-retype');
    await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, { name: 'HELD', value: 'v' });
    const again = "Type the value again: it was not kept, as a secret's value is never sent back to the page.";

    const taken = await browser.submit(page.html, `${env}/secrets`, { name: 'HELD', value: 'sk-retype-7f' });
    expect(taken.status).toBe(409);
    expect(textOf(taken.html, 'add-secret-value-retype')).toBe(again);
    expect(control(taken.html, 'add-secret-value')['aria-describedby']).toContain('add-secret-value-retype');
    expect(taken.html).not.toContain('sk-retype-7f');

    const home = await browser.get('/console');
    const global = await browser.submit(home.html, '/console/secrets', { name: 'lower', value: 'sk-retype-8a' });
    expect(global.status).toBe(422);
    expect(textOf(global.html, 'add-secret-value-retype')).toBe(again);

    const direct = await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/secrets`, { name: 'KEPT', value: 'k' });
    const edit = `${env}/secrets/${direct.data.id}`;
    const refusedEdit = await browser.submit(page.html, edit, { name: 'HELD', value: 'sk-retype-9b', description: '' });
    expect(refusedEdit.status).toBe(409);
    expect(textOf(refusedEdit.html, 'edit-value-retype')).toBe(
      "If you typed a new value, type it again: a secret's value is never sent back to the page.",
    );

    // A variable's value is plain text: shown again as typed, with nothing to retype.
    const variable = await browser.submit(page.html, `${env}/variables`, { name: 'bad', value: 'plain-kept' });
    expect(variable.status).toBe(422);
    expect(variable.html).toContain('plain-kept</textarea>');
    expect(variable.html).not.toContain('-retype');
  });
});

describe('after a submit', () => {
  it('every console POST that succeeds redirects (303) to a page, but Create API key', async () => {
    const { envId, env } = await newEnvironment();
    const browser = new Browser(svc.app);
    const signinPage = await browser.get('/console/signin');
    const steps: [string, () => Promise<Page>][] = [];
    let html = signinPage.html;
    const post = (route: string, path: () => string, fields: Record<string, string> = {}) =>
      steps.push([route, () => browser.submit(html, path(), fields)]);
    const upload = (route: string, path: string, name: string) =>
      steps.push([
        route,
        () => browser.upload(html, path, { name }, { field: 'file', name: 'post.pem', bytes: Buffer.from('pem') }),
      ]);
    const ids: Record<string, string> = {};
    const list = (path: string, name: string, key: string) => async () => {
      ids[key] = await idOf(path, name);
    };
    const globals = `${V1}/secrets`;
    const entries = `${V1}/environmentshub/${envId}`;

    post('/console/signin', () => '/console/signin', { apiKey: svc.seed.user.apiKey });
    post('/console/secrets', () => '/console/secrets', { name: 'POST_GLOBAL', value: 'sk-post-1' });
    post('/console/secrets/{id}', () => `/console/secrets/${ids.global}`, { name: 'POST_GLOBAL', value: 'sk-post-2' });
    post('/console/secrets/{id}/rollback', () => `/console/secrets/${ids.global}/rollback`, { version: '1' });
    post('/console/secrets/{id}/delete', () => `/console/secrets/${ids.global}/delete`, { confirm: 'yes' });
    post('/console/secrets/{id}/restore', () => `/console/secrets/${ids.global}/restore`, { name: '' });
    for (const kind of ['secrets', 'variables'] as const) {
      const route = `/console/environments/{envId}/${kind}`;
      post(route, () => `${env}/${kind}`, { name: `POST_${kind.toUpperCase()}`, value: 'one' });
      post(`${route}/{id}`, () => `${env}/${kind}/${ids[kind]}`, { name: `POST_${kind.toUpperCase()}`, value: 'two' });
      post(`${route}/{id}/rollback`, () => `${env}/${kind}/${ids[kind]}/rollback`, { version: '1' });
      post(`${route}/{id}/delete`, () => `${env}/${kind}/${ids[kind]}/delete`, { confirm: 'yes' });
      post(`${route}/{id}/restore`, () => `${env}/${kind}/${ids[kind]}/restore`, { name: '' });
    }
    // The secret to link is known once the steps above have run.
    steps.push([
      '/console/environments/{envId}/links',
      () => browser.submit(html, `${env}/links`, { secretId: ids.global! }),
    ]);
    post('/console/environments/{envId}/links/{secretId}/delete', () => `${env}/links/${ids.global}/delete`);
    post('/console/environments/{envId}/requirements', () => `${env}/requirements`, { name: 'POST_NEED' });
    post('/console/environments/{envId}/requirements/{name}/delete', () => `${env}/requirements/POST_NEED/delete`);
    upload('/console/file-secrets', '/console/file-secrets', 'POST_GLOBAL_FILE');
    upload('/console/environments/{envId}/file-secrets', `${env}/file-secrets`, 'POST_DIRECT_FILE');
    post('/console/environments', () => '/console/environments', { name: 'console-post-made' });
    steps.push([
      '/console/secrets/{id}/links',
      () => browser.submit(html, `/console/secrets/${ids.global}/links`, { envId: ids.made! }),
    ]);
    post('/console/secrets/{id}/links/{envId}/delete', () => `/console/secrets/${ids.global}/links/${ids.made}/delete`);
    post('/console/environments/{envId}/delete', () => `/console/environments/${ids.made}/delete`, {
      confirm: 'console-post-made',
    });
    // Create API key's form is on the keys page, with the id that rendering of the form is sent once under.
    steps.push([
      '/console/keys',
      async () => {
        const keys = await browser.get('/console/keys');
        const formId = /name="formId" value="([^"]+)"/.exec(keys.html)?.[1] ?? '';
        return browser.submit(keys.html, '/console/keys', { formId, name: 'console-post-key', scope: 'manage' });
      },
    ]);
    post('/console/keys/{id}/revoke', () => `/console/keys/${ids.key}/revoke`);
    post('/console/signout', () => '/console/signout');

    // Every POST route of the console's functions has its step, so a new one cannot go without.
    const consolePosts = ROUTES.filter((r) => CONSOLE_RESOURCES.includes(r.resource) && r.method === 'POST').map(
      (r) => r.path,
    );
    expect([...new Set(steps.map(([route]) => route))].sort()).toEqual([...consolePosts].sort());

    // The ids each step needs, read when the step before made them.
    const before: Record<string, () => Promise<void>> = {
      '/console/secrets/{id}': list(globals, 'POST_GLOBAL', 'global'),
      '/console/environments/{envId}/secrets/{id}': list(`${entries}/secrets`, 'POST_SECRETS', 'secrets'),
      '/console/environments/{envId}/variables/{id}': list(`${entries}/variables`, 'POST_VARIABLES', 'variables'),
      '/console/secrets/{id}/links': list(`${V1}/environmentshub`, 'console-post-made', 'made'),
      '/console/keys/{id}/revoke': list(`${V1}/user/api-keys`, 'console-post-key', 'key'),
    };
    for (const [route, step] of steps) {
      await before[route]?.();
      const res = await step();
      // The one exception: the answer to Create API key is the page that shows the new key, once
      // (functions/console/routes/api-keys.tsx); a redirect would have to carry the key.
      if (route === '/console/keys') {
        expect({ route, status: res.status, location: res.location }).toEqual({ route, status: 201, location: null });
        expect(textOf(res.html, 'new-key-heading')).toBe('New API key console-post-key (manage)');
        html = res.html;
        continue;
      }
      expect({ route, status: res.status }).toEqual({ route, status: 303 });
      const landed = await browser.get(res.location!);
      expect({ route, location: res.location, status: landed.status }).toMatchObject({ route, status: 200 });
      html = landed.html;
    }
  });

  it('refused, is safe to reload: the same form sent again is refused the same way and writes nothing', async () => {
    // A refused submit writes nothing and its page is shown at the form's own address. Reloading
    // sends the same form again, which is refused again for the same reason: still nothing
    // written, however often. Opening that address again (a GET) shows the form's tab. A
    // submit that succeeds redirects (303), so reloading after it only loads a page again.
    const { envId, env } = await newEnvironment();
    await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, { name: 'HELD', value: 'v' });
    const kept = await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/secrets`, { name: 'KEPT', value: 'k' });
    const browser = await signedIn();
    const page = await browser.get(env);
    const state = async () => ({
      secrets: (await svc.must(200, 'GET', `${V1}/environmentshub/${envId}/secrets`)).data,
      variables: (await svc.must(200, 'GET', `${V1}/environmentshub/${envId}/variables`)).data,
      requirements: (await svc.must(200, 'GET', `${V1}/environmentshub/${envId}/requirements`)).data,
      versions: (await svc.must(200, 'GET', `${V1}/environmentshub/${envId}/secrets/${kept.data.id}/versions`)).data,
    });
    const refusals: [string, Record<string, string>, number, string, string | undefined][] = [
      // the form's address, its fields, the refusal, where its error is, the tab its address opens
      [`${env}/secrets`, { name: 'HELD', value: 'sk-reload-1' }, 409, 'add-secret-name-error', 'Secrets'],
      [`${env}/variables`, { name: 'lower', value: 'v' }, 422, 'add-variable-name-error', 'Variables'],
      [`${env}/requirements`, { name: 'lower' }, 422, 'add-requirement-name-error', 'Requirements'],
      [
        `${env}/secrets/${kept.data.id}`,
        { name: 'HELD', value: 'sk-reload-2', description: '' },
        409,
        'edit-name-error',
        undefined,
      ],
      [`${env}/secrets/${kept.data.id}/delete`, {}, 422, 'delete-confirm-error', undefined],
    ];
    const before = await state();
    for (const [action, fields, status, errorId, tab] of refusals) {
      const first = await browser.submit(page.html, action, fields);
      const reload = await browser.submit(page.html, action, fields);
      expect({ action, first: first.status, reload: reload.status }).toEqual({ action, first: status, reload: status });
      expect(textOf(reload.html, errorId), action).toBe(textOf(first.html, errorId));
      expect(textOf(first.html, errorId), action).toBeTruthy();
      if (tab) expect(currentTab((await browser.get(action)).html), action).toEqual([[tab, true]]);
    }
    expect(await state()).toEqual(before);
  });
});
