import { beforeAll, describe, expect, it } from 'vitest';
import { useCliHarness } from './harness.js';

const h = useCliHarness();

const json = (stdout: string) => JSON.parse(stdout);

/** The seeded user's API, for what a test sets up and checks behind the CLI. */
async function api(method: string, path: string, body?: object) {
  return h.svc.call(method, `/api/v1${path}`, { key: h.svc.seed.user.apiKey, ...(body ? { body } : {}) });
}

let envId: string;
let slug: string;

beforeAll(async () => {
  const made = await api('POST', '/environmentshub', { name: 'by-name' });
  expect(made.status).toBe(201);
  envId = made.body.data.id;
  slug = `dev/by-name`;
});

describe('a name wherever the CLI takes an id', () => {
  it('global secrets: get, update, versions and delete by name, in the current scope', async () => {
    const personal = (await api('POST', '/secrets/', { name: 'JUDGE_KEY', value: 'personal-judge' })).body.data;
    const team = (
      await api('POST', '/secrets/', { name: 'JUDGE_KEY', value: 'team-judge', teamId: h.svc.seed.team.id })
    ).body.data;
    const inTeam = { env: { PRIME_TEAM_ID: 'dev-team' } };

    const [got, gotInTeam, updated, versions] = await Promise.all([
      h.run(['secret', 'get', 'JUDGE_KEY', '-o', 'json']),
      h.run(['secret', 'get', 'JUDGE_KEY', '-o', 'json'], inTeam),
      h.run(['secret', 'update', 'JUDGE_KEY', '-d', 'the judge', '-o', 'json'], inTeam),
      h.run(['secret', 'versions', 'JUDGE_KEY', '-o', 'json']),
    ]);
    expect(json(got.stdout)).toMatchObject({ id: personal.id, name: 'JUDGE_KEY' });
    expect(json(gotInTeam.stdout)).toMatchObject({ id: team.id, teamId: h.svc.seed.team.id });
    expect(json(updated.stdout)).toMatchObject({ id: team.id, description: 'the judge' });
    expect((await api('GET', `/secrets/${personal.id}`)).body.data.description).toBeNull();
    expect(json(versions.stdout).versions).toHaveLength(1);

    const [typo, byId] = await Promise.all([
      h.run(['secret', 'get', 'JUDGE_KYE']),
      h.run(['secret', 'get', personal.id, '-o', 'json']),
    ]);
    expect(typo).toMatchObject({
      code: 3,
      stdout: '',
      stderr: `Error: No secret named or with id 'JUDGE_KYE' in your personal scope. Near matches: JUDGE_KEY (${personal.id}).\n`,
    });
    expect(json(byId.stdout).id).toBe(personal.id);

    const deleted = await h.run(['secret', 'delete', 'JUDGE_KEY', '--yes'], inTeam);
    expect(deleted).toMatchObject({ code: 0, stdout: "✓ Deleted secret 'JUDGE_KEY'\n" });
    expect((await api('GET', `/secrets/${team.id}?teamId=${h.svc.seed.team.id}`)).status).toBe(404);
    expect((await api('GET', `/secrets/${personal.id}`)).status).toBe(200);
  });

  it('links and unlinks a global secret by name, in the environment’s scope', async () => {
    const secret = (await api('POST', '/secrets/', { name: 'WANDB_KEY', value: 'wandb-value' })).body.data;
    const linked = await h.run(['env', 'secret', 'link', 'WANDB_KEY', slug, '-o', 'json']);
    expect(json(linked.stdout)).toMatchObject({ secretId: secret.id, secretName: 'WANDB_KEY', environmentId: envId });

    const unknown = await h.run(['env', 'secret', 'unlink', 'WANDB', slug, '--yes']);
    expect(unknown).toMatchObject({ code: 3, stdout: '' });
    expect(unknown.stderr).toBe(
      `Error: No linked global secret named or with id 'WANDB' in ${slug}. Near matches: WANDB_KEY (${secret.id}).\n`,
    );
    const unlinked = await h.run(['env', 'secret', 'unlink', 'WANDB_KEY', slug, '--yes']);
    expect(unlinked).toMatchObject({ code: 0, stdout: `✓ Unlinked global secret 'WANDB_KEY' from ${slug}\n` });
    expect((await api('GET', `/environmentshub/${envId}/secrets`)).body.data).toEqual([]);
  });

  it('direct secrets and variables: update, versions, delete and restore by name', async () => {
    const direct = (await api('POST', `/environmentshub/${envId}/secrets`, { name: 'DB_PASS', value: 'pw-1' })).body
      .data;
    const variable = (await api('POST', `/environmentshub/${envId}/variables`, { name: 'MODE', value: 'fast' })).body
      .data;

    const [secretUpdated, varUpdated] = await Promise.all([
      h.run(['env', 'secret', 'update', slug, '--id', 'DB_PASS', '-v', '-', '-o', 'json'], { input: 'pw-2' }),
      h.run(['env', 'var', 'update', 'MODE', slug, '-v', 'slow', '-o', 'json']),
    ]);
    expect(json(secretUpdated.stdout)).toMatchObject({ id: direct.id, version: 2 });
    expect(json(varUpdated.stdout)).toMatchObject({ id: variable.id, value: 'slow' });
    const [secretVersions, varVersions] = await Promise.all([
      h.run(['env', 'secret', 'versions', slug, '--id', 'DB_PASS', '-o', 'json']),
      h.run(['env', 'var', 'versions', 'MODE', slug, '-o', 'json']),
    ]);
    expect(json(secretVersions.stdout).versions).toHaveLength(2);
    expect(json(varVersions.stdout).versions).toHaveLength(2);

    const [secretDeleted, varDeleted] = await Promise.all([
      h.run(['env', 'secret', 'delete', slug, '--id', 'DB_PASS', '--yes']),
      h.run(['env', 'var', 'delete', 'MODE', slug, '--yes']),
    ]);
    expect(secretDeleted.stdout).toBe(`✓ Deleted secret 'DB_PASS' from ${slug}\n`);
    expect(varDeleted.stdout).toBe(`✓ Deleted variable 'MODE' from ${slug}\n`);

    const [secretRestored, varRestored] = await Promise.all([
      h.run(['env', 'secret', 'restore', slug, '--id', 'DB_PASS', '-o', 'json']),
      h.run(['env', 'var', 'restore', 'MODE', slug, '-o', 'json']),
    ]);
    expect(json(secretRestored.stdout)).toMatchObject({ id: direct.id, name: 'DB_PASS' });
    expect(json(varRestored.stdout)).toMatchObject({ id: variable.id, name: 'MODE' });
  });

  it('refuses a name two deleted entries share, listing both; their ids still restore', async () => {
    const ids: string[] = [];
    for (const value of ['one', 'two']) {
      const made = (await api('POST', `/environmentshub/${envId}/variables`, { name: 'TWICE', value })).body.data;
      expect((await api('DELETE', `/environmentshub/${envId}/variables/${made.id}`)).status).toBe(200);
      ids.push(made.id);
    }
    const ambiguous = await h.run(['env', 'var', 'restore', 'TWICE', slug]);
    expect(ambiguous).toMatchObject({ code: 2, stdout: '' });
    expect(ambiguous.stderr).toMatch(
      new RegExp(
        `^Error: 'TWICE' names 2 deleted variables in ${slug}: TWICE \\(\\w+\\), TWICE \\(\\w+\\)\\. Pass the id`,
      ),
    );
    for (const id of ids) expect(ambiguous.stderr).toContain(`TWICE (${id})`);
    const restored = await h.run(['env', 'var', 'restore', ids[0]!, slug, '-o', 'json']);
    expect(json(restored.stdout)).toMatchObject({ id: ids[0], name: 'TWICE', value: 'one' });
  });

  it('a linked secret named where a direct secret is meant: the service says it is linked, naming it', async () => {
    const secret = (await api('POST', '/secrets/', { name: 'LINKED_ONE', value: 'v' })).body.data;
    expect((await api('POST', `/environmentshub/${envId}/secrets/link/${secret.id}`, {})).status).toBe(201);
    const refused = await h.run(['env', 'secret', 'delete', slug, '--id', 'LINKED_ONE', '--yes']);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toContain(`linked global secret LINKED_ONE (${secret.id})`);
    expect(refused.stderr).toContain(`prime env secret unlink LINKED_ONE`);
  });
});
