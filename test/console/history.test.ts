import { beforeAll, describe, expect, it } from 'vitest';
import { restoredNotice } from '../../functions/console/routes/restored-notice.js';
import { startTestService, type TestService } from '../support/service.js';
import { type Browser, noticeOf, textOf, signedInTo } from './browser.js';

/**
 * The console's versions, Roll back, Recently deleted and Restore, through the local app as a
 * browser without script uses them (test/console/browser.ts). Runs against DynamoDB Local.
 */

let svc: TestService;
const V1 = '/api/v1';

beforeAll(async () => {
  svc = await startTestService();
});

const signedIn = (apiKey?: string) => signedInTo(svc, apiKey);

/** Submits and follows the redirect: the page it lands on, with its notice. */
async function submitAndFollow(browser: Browser, html: string, action: string, fields: Record<string, string>) {
  const res = await browser.submit(html, action, fields);
  expect(res.status, res.html.slice(0, 2000)).toBe(303);
  return browser.get(res.location!);
}

/** The id of the item named `name` in an API list. */
async function idOf(path: string, name: string, key = svc.seed.user.apiKey): Promise<string> {
  const listed = await svc.call('GET', path, { key });
  const found = listed.body.data.find((e: { name: string }) => e.name === name);
  expect(found, `${name} in ${path}`).toBeDefined();
  return found.id;
}

/** The version numbers of a versions table, top to bottom, and which one is marked current. */
function versionRows(html: string): { versions: number[]; current: number[] } {
  const table = html.slice(html.indexOf('id="versions"'));
  const rows = [...table.matchAll(/<tr><td>(\d+)(<span class="badge badge-current">current<\/span>)?<\/td>/g)];
  return { versions: rows.map((r) => Number(r[1])), current: rows.filter((r) => r[2]).map((r) => Number(r[1])) };
}

describe('versions and Roll back', () => {
  it('lists a global secret\u2019s versions newest first, by whom, never a value; rolls back from the page', async () => {
    const { seed } = svc;
    const member = await svc.teamMember('history-member', 'member');
    const browser = await signedIn();
    const team = await browser.get(`/console?teamId=${seed.team.id}`);
    await browser.submit(team.html, '/console/secrets', {
      name: 'HISTORY_KEY',
      value: 'sk-history-v1-0f3e',
      teamId: seed.team.id,
    });
    const id = await idOf(`${V1}/secrets?teamId=${seed.team.id}`, 'HISTORY_KEY');
    const path = `/console/secrets/${id}?teamId=${seed.team.id}`;
    const edit = await browser.get(path);
    await browser.submit(edit.html, `/console/secrets/${id}`, {
      name: 'HISTORY_KEY',
      value: 'sk-history-v2-8a1c',
      description: '',
      teamId: seed.team.id,
    });
    // Version 3 by another member of the team, through the API.
    const byMember = await svc.call('PATCH', `${V1}/secrets/${id}?teamId=${seed.team.id}`, {
      key: member.key,
      body: { value: 'sk-history-v3-77d2' },
    });
    expect(byMember.status).toBe(200);

    const page = await browser.get(path);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<h2 id="versions-heading">Versions</h2>');
    expect(versionRows(page.html)).toEqual({ versions: [3, 2, 1], current: [3] });
    expect(page.html).toContain(`user <span class="mono">${member.id}</span>`);
    expect(page.html.match(/<td>you<\/td>/g)).toHaveLength(2);
    expect(page.html).toContain('aria-label="Roll back to version 2"');
    expect(page.html).toContain('aria-label="Roll back to version 1"');
    expect(page.html).not.toContain('aria-label="Roll back to version 3"');
    for (const value of ['sk-history-v1-0f3e', 'sk-history-v2-8a1c', 'sk-history-v3-77d2']) {
      expect(page.html).not.toContain(value);
    }

    const rolled = await browser.submit(page.html, `/console/secrets/${id}/rollback`, {
      version: '1',
      teamId: seed.team.id,
    });
    expect(rolled.status).toBe(303);
    expect(rolled.location).toBe(path);
    const after = await browser.get(rolled.location!);
    expect(noticeOf(after.html)).toBe('Secret HISTORY_KEY rolled back to version 1 (now version 4).');
    expect(versionRows(after.html)).toEqual({ versions: [4, 3, 2, 1], current: [4] });
    await svc.call('POST', `${V1}/environmentshub/${seed.environments.team.id}/secrets/link/${id}`, {
      key: seed.user.apiKey,
      body: {},
    });
    expect((await svc.runtimeEnv(seed.environments.team.id)).HISTORY_KEY).toBe('sk-history-v1-0f3e');

    // A version that was never kept: said in words on the page, with no value in it.
    const gone = await browser.submit(page.html, `/console/secrets/${id}/rollback`, {
      version: '99',
      teamId: seed.team.id,
    });
    expect(gone.status).toBe(404);
    expect(gone.html).toContain('Version not found.');
    expect(gone.html).not.toContain('sk-history-');
  });

  it('lists a direct secret\u2019s versions without values and a variable\u2019s with them; rolls each back', async () => {
    const envId = svc.seed.environments.personal.id;
    const tabPath = `/console/environments/${envId}`;
    const browser = await signedIn();
    const tab = await browser.get(tabPath);
    await browser.submit(tab.html, `${tabPath}/secrets`, { name: 'HIST_DIRECT', value: 'sk-hist-direct-1a' });
    await browser.submit(tab.html, `${tabPath}/variables`, { name: 'HIST_MODE', value: 'mode-fast' });
    const secretId = await idOf(`${V1}/environmentshub/${envId}/secrets`, 'HIST_DIRECT');
    const variableId = await idOf(`${V1}/environmentshub/${envId}/variables`, 'HIST_MODE');
    const secretPath = `${tabPath}/secrets/${secretId}`;
    const variablePath = `${tabPath}/variables/${variableId}`;
    await browser.submit(tab.html, secretPath, { name: 'HIST_DIRECT', value: 'sk-hist-direct-2b', description: '' });
    await browser.submit(tab.html, variablePath, { name: 'HIST_MODE', value: 'mode-slow', description: '' });

    const secretPage = await browser.get(secretPath);
    expect(versionRows(secretPage.html)).toEqual({ versions: [2, 1], current: [2] });
    expect(secretPage.html).not.toContain('sk-hist-direct-');
    expect(secretPage.html).toContain('Values are never shown.');
    const variablePage = await browser.get(variablePath);
    expect(versionRows(variablePage.html)).toEqual({ versions: [2, 1], current: [2] });
    const variableVersions = variablePage.html.slice(variablePage.html.indexOf('id="versions"'));
    expect(variableVersions).toContain('<td class="value">mode-slow</td>');
    expect(variableVersions).toContain('<td class="value">mode-fast</td>');

    const secretRolled = await submitAndFollow(browser, secretPage.html, `${secretPath}/rollback`, { version: '1' });
    expect(noticeOf(secretRolled.html)).toBe('Secret HIST_DIRECT rolled back to version 1 (now version 3).');
    expect(secretRolled.html).not.toContain('sk-hist-direct-');
    const variableRolled = await submitAndFollow(browser, variablePage.html, `${variablePath}/rollback`, {
      version: '1',
    });
    expect(noticeOf(variableRolled.html)).toBe('Variable HIST_MODE rolled back to version 1 (now version 3).');
    expect(versionRows(variableRolled.html)).toEqual({ versions: [3, 2, 1], current: [3] });
    expect(await svc.runtimeEnv(envId)).toMatchObject({ HIST_DIRECT: 'sk-hist-direct-1a', HIST_MODE: 'mode-fast' });

    // A crafted version field: in words beside the versions.
    const crafted = await browser.submit(secretPage.html, `${secretPath}/rollback`, { version: 'latest' });
    expect(crafted.status).toBe(422);
    expect(crafted.html).toContain('Choose a version to roll back to.');
  });
});

describe('Recently deleted and Restore', () => {
  it('lists a deleted global secret with where it was linked, and restores it, saying where it is not linked again and why', async () => {
    const { seed } = svc;
    const browser = await signedIn();
    const envs: Record<string, string> = {};
    for (const name of ['relink-a', 'relink-b', 'relink-c']) {
      const created = await svc.call('POST', `${V1}/environmentshub`, { key: seed.user.apiKey, body: { name } });
      envs[name] = created.body.data.id;
    }
    const home = await browser.get('/console');
    await browser.submit(home.html, '/console/secrets', { name: 'RELINKED', value: 'sk-relinked-5e5e' });
    const id = await idOf(`${V1}/secrets`, 'RELINKED');
    for (const envId of Object.values(envs)) {
      await svc.call('POST', `${V1}/environmentshub/${envId}/secrets/link/${id}`, { key: seed.user.apiKey, body: {} });
    }

    const secretPage = await browser.get(`/console/secrets/${id}`);
    expect(secretPage.html).toContain(
      'The secret is deleted and unlinked from 3 environments: jobs there will no longer get RELINKED. You can restore it from Recently deleted for 7 days.',
    );
    const deleted = await submitAndFollow(browser, secretPage.html, `/console/secrets/${id}/delete`, {
      confirm: 'yes',
    });
    expect(noticeOf(deleted.html)).toBe(
      'Secret RELINKED deleted. You can restore it from Recently deleted for 7 days.',
    );
    const section = deleted.html.slice(deleted.html.indexOf('id="recently-deleted"'));
    expect(section).toContain('<td class="name">RELINKED</td>');
    for (const name of ['relink-a', 'relink-b', 'relink-c']) {
      expect(section).toContain(`href="/console/environments/${envs[name]}">${seed.user.slug}/${name}</a>`);
    }
    expect(section.match(/<time datetime=/g)).toHaveLength(2);
    expect(section).toContain(`action="/console/secrets/${id}/restore"`);
    expect(section).toContain(`<label for="restore-${id}-name">New name<span class="optional"> (optional)</span>`);

    // Meanwhile, relink-b uses the name for a variable and relink-c is deleted.
    await svc.call('POST', `${V1}/environmentshub/${envs['relink-b']}/variables`, {
      key: seed.user.apiKey,
      body: { name: 'RELINKED', value: 'plain' },
    });
    await svc.call('DELETE', `${V1}/environmentshub/${envs['relink-c']}`, { key: seed.user.apiKey });

    const restored = await submitAndFollow(browser, deleted.html, `/console/secrets/${id}/restore`, { name: '' });
    const u = seed.user.slug;
    expect(noticeOf(restored.html)).toBe(
      `Secret RELINKED restored. Linked again in ${u}/relink-a. Not linked again in 2 environments. ` +
        `${u}/relink-b: the name RELINKED is used there by an environment variable; rename or remove it, then link the secret again. ` +
        `${u}/relink-c: the environment was deleted.`,
    );
    expect(restored.html).not.toContain(`action="/console/secrets/${id}/restore"`);
    expect((await svc.runtimeEnv(envs['relink-a']!)).RELINKED).toBe('sk-relinked-5e5e');
  });

  it('shows a restore onto a taken name beside the form\u2019s name field, and restores under a new name', async () => {
    const browser = await signedIn();
    const home = await browser.get('/console');
    await browser.submit(home.html, '/console/secrets', { name: 'TAKEN_AGAIN', value: 'sk-taken-old-3c' });
    const oldId = await idOf(`${V1}/secrets`, 'TAKEN_AGAIN');
    const edit = await browser.get(`/console/secrets/${oldId}`);
    await browser.submit(edit.html, `/console/secrets/${oldId}/delete`, { confirm: 'yes' });
    await browser.submit(home.html, '/console/secrets', { name: 'TAKEN_AGAIN', value: 'sk-taken-new-4d' });

    const page = await browser.get('/console');
    const taken = await browser.submit(page.html, `/console/secrets/${oldId}/restore`, { name: '' });
    expect(taken.status).toBe(409);
    expect(textOf(taken.html, `restore-${oldId}-name-error`)).toBe(
      'A global secret named TAKEN_AGAIN already exists in this scope. Choose another name or update that secret.',
    );
    expect(taken.html).toMatch(new RegExp(`id="restore-${oldId}-name"[^>]*aria-invalid="true"`));
    const invalid = await browser.submit(page.html, `/console/secrets/${oldId}/restore`, { name: 'not-a-name' });
    expect(invalid.status).toBe(422);
    expect(textOf(invalid.html, `restore-${oldId}-name-error`)).toMatch(/^Must start with an uppercase letter/);
    expect(invalid.html).toContain('value="not-a-name"');

    const renamed = await submitAndFollow(browser, page.html, `/console/secrets/${oldId}/restore`, {
      name: 'TAKEN_BEFORE',
    });
    expect(noticeOf(renamed.html)).toBe('Secret TAKEN_AGAIN restored as TAKEN_BEFORE.');
    expect(renamed.html).toContain(`href="/console/secrets/${oldId}" aria-label="Edit TAKEN_BEFORE"`);
    for (const value of ['sk-taken-old-3c', 'sk-taken-new-4d']) expect(renamed.html).not.toContain(value);
  });

  it('lists an environment\u2019s deleted direct secrets and variables, and restores each; a taken name in the form', async () => {
    const envId = svc.seed.environments.team.id;
    const tabPath = `/console/environments/${envId}`;
    const browser = await signedIn();
    const tab = await browser.get(tabPath);
    await browser.submit(tab.html, `${tabPath}/secrets`, { name: 'GONE_DIRECT', value: 'sk-gone-direct-9b' });
    await browser.submit(tab.html, `${tabPath}/variables`, { name: 'GONE_VAR', value: 'gone-var-value' });
    const secretId = await idOf(`${V1}/environmentshub/${envId}/secrets`, 'GONE_DIRECT');
    const variableId = await idOf(`${V1}/environmentshub/${envId}/variables`, 'GONE_VAR');

    const secretPage = await browser.get(`${tabPath}/secrets/${secretId}`);
    expect(secretPage.html).toMatch(
      /Jobs in [a-z0-9-]+\/[a-z0-9-]+ will no longer get GONE_DIRECT\. You can restore it from Recently deleted for 7 days\./,
    );
    const gone = await submitAndFollow(browser, secretPage.html, `${tabPath}/secrets/${secretId}/delete`, {
      confirm: 'yes',
    });
    expect(noticeOf(gone.html)).toBe(
      'Secret GONE_DIRECT deleted. You can restore it from Recently deleted for 7 days.',
    );
    const afterBoth = await submitAndFollow(browser, gone.html, `${tabPath}/variables/${variableId}/delete`, {
      confirm: 'yes',
    });
    // Deleted, the variable's tab is shown again; the two are listed on the Recently deleted tab.
    expect(afterBoth.html).toContain(`<a href="${tabPath}/variables" aria-current="page">Variables</a>`);
    const deleted = await browser.get(`${tabPath}/deleted`);
    expect(deleted.html).toContain(`<a href="${tabPath}/deleted" aria-current="page">Recently deleted</a>`);
    const section = deleted.html.slice(deleted.html.indexOf('id="recently-deleted"'));
    const rows = [...section.matchAll(/<td class="name">([A-Z_]+)<\/td><td><span class="badge badge-([a-z-]+)">/g)];
    expect(rows.map((m) => [m[1], m[2]])).toEqual([
      ['GONE_VAR', 'variable'],
      ['GONE_DIRECT', 'environment'],
    ]);
    expect(deleted.html).not.toContain('sk-gone-direct-9b');

    const restored = await submitAndFollow(browser, deleted.html, `${tabPath}/secrets/${secretId}/restore`, {
      name: '',
    });
    expect(noticeOf(restored.html)).toBe('Secret GONE_DIRECT restored.');
    expect((await svc.runtimeEnv(envId)).GONE_DIRECT).toBe('sk-gone-direct-9b');

    // The variable's name is used again: the 409 beside the name field of its Restore form.
    await browser.submit(restored.html, `${tabPath}/variables`, { name: 'GONE_VAR', value: 'newer' });
    const taken = await browser.submit(restored.html, `${tabPath}/variables/${variableId}/restore`, { name: '' });
    expect(taken.status).toBe(409);
    expect(textOf(taken.html, `restore-${variableId}-name-error`)).toBe(
      'The name GONE_VAR is already used in this environment by an environment variable. Restore it under another name (pass "name"), or rename or remove that environment variable first.',
    );
    const renamed = await submitAndFollow(browser, taken.html, `${tabPath}/variables/${variableId}/restore`, {
      name: 'GONE_VAR_OLD',
    });
    expect(noticeOf(renamed.html)).toBe('Variable GONE_VAR_OLD restored.');
    expect(await svc.runtimeEnv(envId)).toMatchObject({ GONE_VAR: 'newer', GONE_VAR_OLD: 'gone-var-value' });
  });
});

describe('the notice after a restore', () => {
  it('says an environment at its entry limit is full, and names an environment it no longer knows by id', async () => {
    const principal = { type: 'user' as const, userId: svc.seed.user.id, keyId: 'k', scopes: ['manage' as const] };
    const secret = { id: 's1', name: 'FULL_UP' } as never;
    const deleted = {
      name: 'FULL_UP',
      linkedEnvironments: [{ id: 'e1', owner: 'dev', name: 'crowded' }],
    } as never;
    const notice = await restoredNotice(svc.deps, principal, deleted, {
      secret,
      relinked: [],
      notRelinked: [
        { environmentId: 'e1', reason: 'environment_full' },
        { environmentId: 'e2', reason: 'environment_deleted' },
      ],
    });
    expect(notice).toBe(
      'Secret FULL_UP restored. Not linked again in 2 environments. ' +
        'dev/crowded: the environment is full; remove an entry there, then link the secret again. ' +
        'environment e2: the environment was deleted.',
    );
  });
});

describe('a team viewer', () => {
  it('sees versions and recently deleted without Roll back or Restore, and a crafted post is refused in words', async () => {
    const { seed } = svc;
    const envId = seed.environments.team.id;
    const owner = await signedIn();
    const team = await owner.get(`/console?teamId=${seed.team.id}`);
    await owner.submit(team.html, '/console/secrets', { name: 'VIEWED', value: 'sk-viewed-1', teamId: seed.team.id });
    const id = await idOf(`${V1}/secrets?teamId=${seed.team.id}`, 'VIEWED');
    await svc.call('PATCH', `${V1}/secrets/${id}?teamId=${seed.team.id}`, {
      key: seed.user.apiKey,
      body: { value: 'sk-viewed-2' },
    });
    await owner.submit(team.html, '/console/secrets', { name: 'VIEWED_GONE', value: 'sk-gone', teamId: seed.team.id });
    const goneId = await idOf(`${V1}/secrets?teamId=${seed.team.id}`, 'VIEWED_GONE');
    await svc.call('DELETE', `${V1}/secrets/${goneId}?teamId=${seed.team.id}`, { key: seed.user.apiKey });
    const tab = await owner.get(`/console/environments/${envId}`);
    await owner.submit(tab.html, `/console/environments/${envId}/variables`, { name: 'VIEWED_VAR', value: 'v' });
    const variableId = await idOf(`${V1}/environmentshub/${envId}/variables`, 'VIEWED_VAR');
    await svc.call('DELETE', `${V1}/environmentshub/${envId}/variables/${variableId}`, { key: seed.user.apiKey });

    const viewerUser = await svc.teamMember('history-viewer', 'viewer');
    const viewer = await signedIn(viewerUser.key);
    const secretPage = await viewer.get(`/console/secrets/${id}?teamId=${seed.team.id}`);
    expect(secretPage.status).toBe(200);
    expect(versionRows(secretPage.html)).toEqual({ versions: [2, 1], current: [2] });
    expect(secretPage.html).toContain(`user <span class="mono">${seed.user.id}</span>`);
    expect(secretPage.html).not.toContain('Roll back to version');
    const home = await viewer.get(`/console?teamId=${seed.team.id}`);
    expect(home.html).toContain('<td class="name">VIEWED_GONE</td>');
    expect(home.html).not.toContain(`/console/secrets/${goneId}/restore`);
    const envTab = await viewer.get(`/console/environments/${envId}/deleted`);
    expect(envTab.html).toContain('<td class="name">VIEWED_VAR</td>');
    expect(envTab.html).not.toContain(`/variables/${variableId}/restore`);

    const refusals = [
      [secretPage.html, `/console/secrets/${id}/rollback`, { version: '1', teamId: seed.team.id }],
      [home.html, `/console/secrets/${goneId}/restore`, { name: '', teamId: seed.team.id }],
      [envTab.html, `/console/environments/${envId}/variables/${variableId}/restore`, { name: '' }],
    ] as const;
    for (const [html, action, fields] of refusals) {
      const refused = await viewer.submit(html, action, fields);
      expect({ action, status: refused.status }).toEqual({ action, status: 403 });
      expect(refused.html).toContain('Your role in this team does not allow this.');
      expect(refused.html.match(/role="alert"/g)).toHaveLength(1);
    }
    expect((await svc.runtimeEnv(envId)).VIEWED_VAR).toBeUndefined();
  });
});
