import { beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { noticeOf, textOf, signedInTo } from './browser.js';

/**
 * Linking from both sides: an environment's picker shows the global secrets whose name it uses
 * already as disabled, with the reason, and has no button when nothing can be linked; a global
 * secret's page links it to environments of its scope. A forged form still gets the service's
 * answer, as the API would give it.
 */

let svc: TestService;

beforeAll(async () => {
  svc = await startTestService();
});

const V1 = '/api/v1';

const signedIn = (apiKey?: string) => signedInTo(svc, apiKey);

/** The `<option>`s of the select named `name`, as [value, label, disabled]. */
function optionsOf(html: string, name: string): [string, string, boolean][] {
  const select = new RegExp(`<select[^>]*name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1] ?? '';
  return [...select.matchAll(/<option value="([^"]*)"([^>]*)>([^<]*)<\/option>/g)].map((m) => [
    m[1]!,
    m[3]!,
    / disabled=""/.test(m[2]!),
  ]);
}

const newEnvironment = async (name: string, teamId?: string) =>
  (await svc.must(201, 'POST', `${V1}/environmentshub`, { name, ...(teamId ? { teamId } : {}) })).data as {
    id: string;
    name: string;
  };
const newSecret = async (name: string, teamId?: string) =>
  (await svc.must(201, 'POST', `${V1}/secrets`, { name, value: `v-${name}`, ...(teamId ? { teamId } : {}) })).data as {
    id: string;
  };

describe("an environment's link picker", () => {
  it('shows secrets whose name is used here as disabled, with what uses it', async () => {
    const env = await newEnvironment('picker');
    const free = await newSecret('PICK_FREE');
    const byVariable = await newSecret('PICK_VAR');
    const byDirect = await newSecret('PICK_DIRECT');
    const linked = await newSecret('PICK_LINKED');
    await svc.must(201, 'POST', `${V1}/environmentshub/${env.id}/variables`, { name: 'PICK_VAR', value: 'x' });
    await svc.must(201, 'POST', `${V1}/environmentshub/${env.id}/secrets`, { name: 'PICK_DIRECT', value: 'x' });
    await svc.must(201, 'POST', `${V1}/environmentshub/${env.id}/secrets/link/${linked.id}`, {});
    const browser = await signedIn();
    const tab = await browser.get(`/console/environments/${env.id}`);
    const options = optionsOf(tab.html, 'secretId').filter(([, label]) => label.startsWith('PICK_'));
    expect(options).toEqual([
      [byDirect.id, 'PICK_DIRECT (name already used here by a direct secret)', true],
      [free.id, 'PICK_FREE', false],
      [byVariable.id, 'PICK_VAR (name already used here by a variable)', true],
    ]);
    expect(tab.html).toContain('>Link Global Secret</button>');

    // A forged submit of a disabled choice: the service's 409, beside the picker.
    const forged = await browser.submit(tab.html, `/console/environments/${env.id}/links`, { secretId: byVariable.id });
    expect(forged.status).toBe(409);
    expect(textOf(forged.html, 'link-secretId-error')).toMatch(
      /^The name PICK_VAR is already used in this environment/,
    );
  });

  it('has no button when nothing can be linked, and still answers a forged submit in words', async () => {
    const team = (await svc.must(201, 'POST', `${V1}/teams`, { name: 'Picker Team', slug: 'picker-team' })).data;
    const env = await newEnvironment('full', team.id);
    const browser = await signedIn();
    const empty = await browser.get(`/console/environments/${env.id}`);
    expect(empty.html).not.toContain('>Link Global Secret</button>');
    expect(empty.html).toContain('No global secret to link: this scope has none that is not linked here already.');

    const only = await newSecret('TEAM_ONLY', team.id);
    await svc.must(201, 'POST', `${V1}/environmentshub/${env.id}/variables`, { name: 'TEAM_ONLY', value: 'x' });
    const tab = await browser.get(`/console/environments/${env.id}`);
    expect(tab.html).not.toContain('>Link Global Secret</button>');
    expect(tab.html).not.toContain('<select');
    expect(tab.html).toContain('No global secret can be linked: the name of each one left is already used here.');
    expect(tab.html).toContain('<span class="mono">TEAM_ONLY</span>: name already used here by a variable');
    const forged = await browser.submit(tab.html, `/console/environments/${env.id}/links`, { secretId: only.id });
    expect(forged.status).toBe(409);
    expect(textOf(forged.html, 'link-error')).toBe(
      'The name TEAM_ONLY is already used in this environment by an environment variable. Rename or remove that environment variable before adding or linking the secret.',
    );
    expect((await svc.must(200, 'GET', `${V1}/environmentshub/${env.id}/secrets`)).data).toEqual([]);
  });
});

describe("a global secret's own page", () => {
  it('links it to environments of its scope and unlinks it, with the same rules', async () => {
    const secret = await newSecret('FROM_SECRET');
    const target = await newEnvironment('target');
    const holder = await newEnvironment('holder');
    await svc.must(201, 'POST', `${V1}/environmentshub/${holder.id}/secrets`, { name: 'FROM_SECRET', value: 'x' });
    const browser = await signedIn();
    const page = await browser.get(`/console/secrets/${secret.id}`);
    const options = optionsOf(page.html, 'envId');
    expect(options[0]).toEqual(['', 'Choose an environment…', false]);
    expect(options).toContainEqual([target.id, 'dev/target', false]);
    expect(options).toContainEqual([holder.id, 'dev/holder (name already used there by a direct secret)', true]);
    // Only the user's own environments: the team's are another scope.
    expect(options.some(([id]) => id === svc.seed.environments.team.id)).toBe(false);

    const linked = await browser.submit(page.html, `/console/secrets/${secret.id}/links`, { envId: target.id });
    expect(linked.status).toBe(303);
    expect(linked.location).toBe(`/console/secrets/${secret.id}`);
    const after = await browser.get(linked.location!);
    expect(noticeOf(after.html)).toBe('Global secret FROM_SECRET linked to dev/target.');
    expect(after.html).toContain(`<a href="/console/environments/${target.id}">dev/target</a>`);
    expect(optionsOf(after.html, 'envId').some(([id]) => id === target.id)).toBe(false);
    expect((await svc.runtimeEnv(target.id)).FROM_SECRET).toBe('v-FROM_SECRET');

    // Forged: a name taken there, an environment of another scope, none chosen, one already linked.
    const taken = await browser.submit(after.html, `/console/secrets/${secret.id}/links`, { envId: holder.id });
    expect(taken.status).toBe(409);
    expect(textOf(taken.html, 'link-environment-envId-error')).toMatch(
      /^The name FROM_SECRET is already used in this environment by a direct secret\./,
    );
    const otherScope = await browser.submit(after.html, `/console/secrets/${secret.id}/links`, {
      envId: svc.seed.environments.team.id,
    });
    expect(otherScope.status).toBe(409);
    expect(textOf(otherScope.html, 'link-environment-envId-error')).toBe(
      'This global secret belongs to another scope. Make sure the secret exists in the same scope (personal vs team) as the environment.',
    );
    const none = await browser.submit(after.html, `/console/secrets/${secret.id}/links`, { envId: '' });
    expect(none.status).toBe(422);
    expect(textOf(none.html, 'link-environment-envId-error')).toBe('Choose an environment to link to.');
    const twice = await browser.submit(after.html, `/console/secrets/${secret.id}/links`, { envId: target.id });
    expect(twice.status).toBe(409);

    const unlinked = await browser.submit(after.html, `/console/secrets/${secret.id}/links/${target.id}/delete`, {});
    expect(unlinked.status).toBe(303);
    expect(noticeOf((await browser.get(unlinked.location!)).html)).toBe(
      'Global secret FROM_SECRET unlinked from dev/target.',
    );
    expect((await svc.runtimeEnv(target.id)).FROM_SECRET).toBeUndefined();
    // Unlinking again: the service's not-found, said above the list.
    const again = await browser.submit(after.html, `/console/secrets/${secret.id}/links/${target.id}/delete`, {});
    expect(again.status).toBe(404);
    expect(again.html).toContain('Link not found');
  });

  it("keeps a team's secret to the team's environments, and gives a viewer the list only", async () => {
    const secret = await newSecret('TEAM_LINKABLE', svc.seed.team.id);
    const browser = await signedIn();
    const page = await browser.get(`/console/secrets/${secret.id}?teamId=${svc.seed.team.id}`);
    const ids = optionsOf(page.html, 'envId').map(([id]) => id);
    expect(ids).toContain(svc.seed.environments.team.id);
    expect(ids).not.toContain(svc.seed.environments.personal.id);
    const linked = await browser.submit(page.html, `/console/secrets/${secret.id}/links`, {
      envId: svc.seed.environments.team.id,
      teamId: svc.seed.team.id,
    });
    expect(linked.status).toBe(303);
    expect(linked.location).toBe(`/console/secrets/${secret.id}?teamId=${svc.seed.team.id}`);

    const viewer = await svc.teamMember('link-viewer', 'viewer');
    const reader = await signedIn(viewer.key);
    const seen = await reader.get(`/console/secrets/${secret.id}?teamId=${svc.seed.team.id}`);
    expect(seen.html).toContain('dev-team/team-environment');
    expect(seen.html).not.toContain('Link to Environment');
    expect(seen.html).not.toContain('>Unlink</button>');
    const forged = await reader.submit(
      seen.html,
      `/console/secrets/${secret.id}/links/${svc.seed.environments.team.id}/delete`,
      {
        teamId: svc.seed.team.id,
      },
    );
    expect(forged.status).toBe(403);
    expect((await svc.runtimeEnv(svc.seed.environments.team.id)).TEAM_LINKABLE).toBe('v-TEAM_LINKABLE');
  });
});
