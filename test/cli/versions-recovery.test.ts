import { describe, expect, it } from 'vitest';
import { lines, useCliHarness } from './harness.js';

const h = useCliHarness();

const json = (stdout: string) => JSON.parse(stdout);
const TIME = '(just now|\\d+ minutes? ago)';
const PURGE_AT = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC';

/** A call to the service as the seeded user, to set things up and to read what the API itself says. */
async function api(method: string, path: string, body?: unknown) {
  return h.svc.call(method, `/api/v1${path}`, { key: h.svc.seed.user.apiKey, body });
}

/** A new personal environment of the seeded user (`dev/NAME`). */
async function newEnvironment(name: string): Promise<{ id: string; slug: string }> {
  const res = await api('POST', '/environmentshub', { name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.data.id, slug: `dev/${name}` };
}

async function linkTo(envId: string, secretId: string): Promise<void> {
  const res = await api('POST', `/environmentshub/${envId}/secrets/link/${secretId}`, {});
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

/** The Version, Created, By and Current columns of a versions table, newest first. */
const versionRows = (stdout: string) => lines(stdout).slice(2);

describe('prime secret versions, rollback and --if-match', () => {
  it('lists versions without values, updates only at the expected version, rolls back', async () => {
    const created = json(
      (await h.run(['secret', 'create', '-n', 'VERSIONED', '-v', 'value-one', '-o', 'json'])).stdout,
    );
    expect(created.version).toBe(1);
    const second = await h.run(['secret', 'update', created.id, '-v', 'value-two', '--if-match', '1']);
    expect(second).toMatchObject({ code: 0, stdout: "✓ Updated secret 'VERSIONED'\n", stderr: '' });

    const stale = await h.run(['secret', 'update', created.id, '-v', 'value-never', '--if-match', '1']);
    expect(stale).toMatchObject({ code: 1, stdout: '' });
    expect(stale.stderr).not.toContain('value-never');
    // The CLI's line is the API's own detail for the same refusal.
    const refused = await h.svc.call('PATCH', `/api/v1/secrets/${created.id}`, {
      key: h.svc.seed.user.apiKey,
      body: { value: 'value-never' },
      headers: { 'if-match': '1' },
    });
    expect(refused.body.code).toBe('precondition_failed');
    expect(stale.stderr).toBe(`Error: ${refused.body.detail}\n`);
    const third = await api('PATCH', `/secrets/${created.id}`, { value: 'value-three' });
    expect(third.body.data.version).toBe(3);

    const [table, listed, badVersion] = await Promise.all([
      h.run(['secret', 'versions', created.id]),
      h.run(['secret', 'versions', created.id, '-o', 'json']),
      h.run(['secret', 'update', created.id, '-v', 'x', '--if-match', 'two']),
    ]);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(lines(table.stdout)[0]).toBe(`Versions of secret ${created.name}`);
    expect(lines(table.stdout)[1]).toMatch(/^Version +Created +By +Current$/);
    const user = h.svc.seed.user.id;
    expect(versionRows(table.stdout)).toEqual([
      expect.stringMatching(new RegExp(`^3 +${TIME} +user ${user} +current$`)),
      expect.stringMatching(new RegExp(`^2 +${TIME} +user ${user}$`)),
      expect.stringMatching(new RegExp(`^1 +${TIME} +user ${user}$`)),
    ]);
    expect(table.stdout).not.toMatch(/value-/);
    const versions = json(listed.stdout).versions;
    expect(versions.map((v: { version: number; current: boolean }) => [v.version, v.current])).toEqual([
      [3, true],
      [2, false],
      [1, false],
    ]);
    for (const v of versions) expect(Object.keys(v).sort()).toEqual(['createdAt', 'createdBy', 'current', 'version']);
    expect(badVersion.stderr).toBe("Error: Invalid version 'two': use a whole number from 1.\n");

    const rolled = await h.run(['secret', 'rollback', created.id, '--version', '1']);
    expect(rolled).toMatchObject({ code: 0, stderr: '' });
    expect(rolled.stdout).toBe("✓ Rolled back secret 'VERSIONED' to version 1 (now version 4)\n");
    const env = await newEnvironment('versions-global');
    await linkTo(env.id, created.id);
    expect((await h.svc.runtimeEnv(env.id)).VERSIONED).toBe('value-one');
  });

  it('works in the team scope of PRIME_TEAM_ID', async () => {
    const team = { PRIME_TEAM_ID: h.svc.seed.team.id };
    const created = json(
      (await h.run(['secret', 'create', '-n', 'TEAM_VERSIONED', '-v', 'team-one', '-o', 'json'], { env: team })).stdout,
    );
    await h.run(['secret', 'update', created.id, '-v', 'team-two'], { env: team });
    const [versions, personal] = await Promise.all([
      h.run(['secret', 'versions', created.id, '-o', 'json'], { env: team }),
      h.run(['secret', 'versions', created.id]),
    ]);
    expect(json(versions.stdout).versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(personal.code).toBe(3);
    const rolled = await h.run(['secret', 'rollback', created.id, '--version', '1', '-o', 'json'], { env: team });
    expect(json(rolled.stdout)).toMatchObject({ id: created.id, teamId: h.svc.seed.team.id, version: 3 });

    const deleted = await h.run(['secret', 'delete', created.id, '-y'], { env: team });
    expect(deleted.stdout).toBe("✓ Deleted secret 'TEAM_VERSIONED'\n");
    const listed = await h.run(['secret', 'list', '--deleted', '-o', 'json'], { env: team });
    expect(json(listed.stdout).secrets.map((s: { id: string }) => s.id)).toEqual([created.id]);
    const restored = await h.run(['secret', 'restore', created.id, '-o', 'json'], { env: team });
    expect(json(restored.stdout)).toMatchObject({ secret: { id: created.id, teamId: h.svc.seed.team.id } });
  });
});

describe('prime env secret and env var versions, rollback and --if-match', () => {
  it("shows a variable's values and never a direct secret's; rolls both back", async () => {
    const env = await newEnvironment('versions-entries');
    const [secretOut, variableOut] = await Promise.all([
      h.run(['env', 'secret', 'create', env.slug, '-n', 'DIRECT', '-v', 'direct-one', '-o', 'json']),
      h.run(['env', 'var', 'create', env.slug, '-n', 'LEVEL', '-v', 'level-one', '-o', 'json']),
    ]);
    const secret = json(secretOut.stdout);
    const variable = json(variableOut.stdout);
    const [secretTwo, variableTwo] = await Promise.all([
      h.run(['env', 'secret', 'update', env.slug, '--id', secret.id, '-v', 'direct-two', '--if-match', '1']),
      h.run(['env', 'var', 'update', variable.id, env.slug, '-v', 'level-two', '--if-match', '1', '-o', 'json']),
    ]);
    expect(secretTwo.stdout).toBe(`✓ Updated secret 'DIRECT' for ${env.slug}\n`);
    expect(json(variableTwo.stdout)).toMatchObject({ value: 'level-two', version: 2 });

    const [staleSecret, staleVariable] = await Promise.all([
      h.run(['env', 'secret', 'update', env.slug, '--id', secret.id, '-v', 'direct-never', '--if-match', '1']),
      h.run(['env', 'var', 'update', variable.id, env.slug, '-v', 'level-never', '--if-match', '1']),
    ]);
    for (const stale of [staleSecret, staleVariable]) {
      expect(stale).toMatchObject({ code: 1, stdout: '' });
      expect(lines(stale.stderr)).toHaveLength(1);
      expect(stale.stderr).toMatch(/^Error: .*\b2\b/);
      expect(stale.stderr).not.toContain('-never');
    }

    const [secretTable, secretJson, variableTable, variableJson] = await Promise.all([
      h.run(['env', 'secret', 'versions', env.slug, '--id', secret.id]),
      h.run(['env', 'secret', 'versions', env.slug, '--id', secret.id, '-o', 'json']),
      h.run(['env', 'var', 'versions', variable.id, env.slug]),
      h.run(['env', 'var', 'versions', variable.id, env.slug, '-o', 'json']),
    ]);
    expect(lines(secretTable.stdout)[0]).toBe(`Versions of secret ${secret.name} in ${env.slug}`);
    expect(lines(secretTable.stdout)[1]).toMatch(/^Version +Created +By +Current$/);
    expect(versionRows(secretTable.stdout)).toHaveLength(2);
    expect(secretTable.stdout).not.toContain('direct-');
    for (const v of json(secretJson.stdout).versions) expect(v).not.toHaveProperty('value');

    expect(lines(variableTable.stdout)[0]).toBe(`Versions of variable ${variable.name} in ${env.slug}`);
    expect(lines(variableTable.stdout)[1]).toMatch(/^Version +Value +Created +By +Current$/);
    expect(versionRows(variableTable.stdout)).toEqual([
      expect.stringMatching(new RegExp(`^2 +level-two +${TIME} +user \\S+ +current$`)),
      expect.stringMatching(new RegExp(`^1 +level-one +${TIME} +user \\S+$`)),
    ]);
    expect(json(variableJson.stdout).versions.map((v: { value: string }) => v.value)).toEqual([
      'level-two',
      'level-one',
    ]);

    const [secretBack, variableBack, noVersion] = await Promise.all([
      h.run(['env', 'secret', 'rollback', env.slug, '--id', secret.id, '--version', '1']),
      h.run(['env', 'var', 'rollback', variable.id, env.slug, '--version', '1']),
      h.run(['env', 'var', 'rollback', variable.id, env.slug]),
    ]);
    expect(secretBack.stdout).toBe(`✓ Rolled back secret 'DIRECT' in ${env.slug} to version 1 (now version 3)\n`);
    expect(variableBack.stdout).toBe(`✓ Rolled back variable 'LEVEL' in ${env.slug} to version 1 (now version 3)\n`);
    expect(noVersion.code).toBe(2);
    expect(noVersion.stderr).toContain("required option '--version <VERSION>' not specified");
    expect(await h.svc.runtimeEnv(env.id)).toMatchObject({ DIRECT: 'direct-one', LEVEL: 'level-one' });
  });
});

describe('prime secret list --deleted and restore', () => {
  it('restores a global secret, relinking where it can and saying why not elsewhere', async () => {
    const [kept, taken, gone] = await Promise.all([
      newEnvironment('restore-kept'),
      newEnvironment('restore-taken'),
      newEnvironment('restore-gone'),
    ]);
    const created = await api('POST', '/secrets/', { name: 'COMEBACK', value: 'comeback-value' });
    const id = created.body.data.id;
    for (const env of [kept, taken, gone]) await linkTo(env.id, id);

    const deleted = await h.run(['secret', 'delete', id, '--yes']);
    expect(deleted).toMatchObject({ code: 0, stdout: "✓ Deleted secret 'COMEBACK'\n" });
    expect(deleted.stderr).toBe(`Restore it within the recovery window with: prime secret restore ${id}\n`);

    const [table, listed] = await Promise.all([
      h.run(['secret', 'list', '--deleted']),
      h.run(['secret', 'list', '--deleted', '-o', 'json']),
    ]);
    const rows = lines(table.stdout);
    expect(rows[0]).toBe('Deleted Personal Secrets');
    expect(rows[1]).toMatch(/^ID +Name +Deleted +Purge at +Linked to$/);
    expect(rows.slice(2)).toEqual([
      expect.stringMatching(new RegExp(`^${id} +COMEBACK +${TIME} +${PURGE_AT} +dev/restore-`)),
    ]);
    for (const env of [kept, taken, gone]) expect(rows[2]).toContain(env.slug);
    const [entry] = json(listed.stdout).secrets;
    expect(entry).toMatchObject({ id, name: 'COMEBACK', deletedAt: expect.any(String), purgeAt: expect.any(String) });
    expect(entry.linkedEnvironments.map((e: { id: string }) => e.id).sort()).toEqual(
      [kept.id, taken.id, gone.id].sort(),
    );

    // While it is deleted, its name is free: a variable takes it in one environment, another is deleted.
    expect((await api('POST', `/environmentshub/${taken.id}/variables`, { name: 'COMEBACK', value: 'x' })).status).toBe(
      201,
    );
    expect((await api('DELETE', `/environmentshub/${gone.id}`)).status).toBe(200);

    const restored = await h.run(['secret', 'restore', id]);
    expect(restored).toMatchObject({ code: 0, stderr: '' });
    const report = lines(restored.stdout);
    expect(report.slice(0, 2)).toEqual(["✓ Restored secret 'COMEBACK'", `  Relinked to ${kept.slug}`]);
    // The deleted secret still names the environment deleted since: the CLI names it so.
    expect(report.slice(2).sort()).toEqual([
      `  Not relinked to ${gone.slug}: the environment was deleted.`,
      `  Not relinked to ${taken.slug}: COMEBACK is taken there. Rename or remove what holds that name in ` +
        `${taken.slug}, then run: prime env secret link COMEBACK ${taken.slug}`,
    ]);
    expect((await h.svc.runtimeEnv(kept.id)).COMEBACK).toBe('comeback-value');
    const after = await h.run(['secret', 'list', '--deleted']);
    expect(after.stdout).toBe('No deleted secrets in your personal scope.\n');
  });

  it('restores an environment entry, under a new name when its own is taken', async () => {
    const env = await newEnvironment('restore-entries');
    const variable = (await api('POST', `/environmentshub/${env.id}/variables`, { name: 'MODE', value: 'fast' })).body
      .data;
    const secret = (await api('POST', `/environmentshub/${env.id}/secrets`, { name: 'TOKEN', value: 'tok-1' })).body
      .data;
    const [varDeleted, secretDeleted] = await Promise.all([
      h.run(['env', 'var', 'delete', variable.id, env.slug, '-y']),
      h.run(['env', 'secret', 'delete', env.slug, '--id', secret.id, '-y']),
    ]);
    expect(varDeleted.stdout).toBe(`✓ Deleted variable 'MODE' from ${env.slug}\n`);
    expect(varDeleted.stderr).toBe(
      `Restore it within the recovery window with: prime env var restore ${variable.id} ${env.slug}\n`,
    );
    expect(secretDeleted.stdout).toBe(`✓ Deleted secret 'TOKEN' from ${env.slug}\n`);
    expect(secretDeleted.stderr).toBe(
      `Restore it within the recovery window with: prime env secret restore ${env.slug} --id ${secret.id}\n`,
    );

    const [varTable, secretTable, secretJson] = await Promise.all([
      h.run(['env', 'var', 'list', env.slug, '--deleted']),
      h.run(['env', 'secret', 'list', env.slug, '--deleted']),
      h.run(['env', 'secret', 'list', env.slug, '--deleted', '-o', 'json']),
    ]);
    expect(lines(varTable.stdout)).toEqual([
      `Deleted variables for ${env.slug}`,
      expect.stringMatching(/^ID +Name +Deleted +Purge at +Value$/),
      expect.stringMatching(new RegExp(`^${variable.id} +MODE +${TIME} +${PURGE_AT} +fast$`)),
    ]);
    expect(lines(secretTable.stdout)).toEqual([
      `Deleted secrets for ${env.slug}`,
      expect.stringMatching(/^ID +Name +Deleted +Purge at$/),
      expect.stringMatching(new RegExp(`^${secret.id} +TOKEN +${TIME} +${PURGE_AT}$`)),
    ]);
    expect(secretTable.stdout).not.toContain('tok-1');
    expect(json(secretJson.stdout).secrets).toEqual([expect.objectContaining({ id: secret.id, name: 'TOKEN' })]);
    expect(secretJson.stdout).not.toContain('tok-1');

    expect((await api('POST', `/environmentshub/${env.id}/variables`, { name: 'MODE', value: 'slow' })).status).toBe(
      201,
    );
    const taken = await h.run(['env', 'var', 'restore', variable.id, env.slug]);
    const apiTaken = await api('POST', `/environmentshub/${env.id}/variables/${variable.id}/restore`, {});
    expect(apiTaken.status).toBe(409);
    expect(taken).toMatchObject({ code: 1, stdout: '', stderr: `Error: ${apiTaken.body.detail}\n` });

    const [renamed, secretBack, badName] = await Promise.all([
      h.run(['env', 'var', 'restore', variable.id, env.slug, '--name', 'OLD_MODE']),
      h.run(['env', 'secret', 'restore', env.slug, '--id', secret.id, '-o', 'json']),
      h.run(['env', 'var', 'restore', variable.id, env.slug, '--name', 'old-mode']),
    ]);
    expect(renamed).toMatchObject({ code: 0, stdout: `✓ Restored variable 'OLD_MODE' to ${env.slug}\n` });
    expect(json(secretBack.stdout)).toMatchObject({ id: secret.id, name: 'TOKEN', source: 'environment' });
    expect(badName.stderr).toMatch(/^Error: Invalid name 'old-mode': must start with an uppercase letter/);
    expect(await h.svc.runtimeEnv(env.id)).toMatchObject({ MODE: 'slow', OLD_MODE: 'fast', TOKEN: 'tok-1' });
  });
});

describe('delete --purge', () => {
  it('destroys at once, also what is already deleted; a restore then finds nothing to restore', async () => {
    const env = await newEnvironment('purge');
    const secret = (await api('POST', '/secrets/', { name: 'PURGED', value: 'purged-value' })).body.data;
    const variable = (await api('POST', `/environmentshub/${env.id}/variables`, { name: 'GONE', value: 'v' })).body
      .data;
    const direct = (await api('POST', `/environmentshub/${env.id}/secrets`, { name: 'ALSO_GONE', value: 's' })).body
      .data;
    // Already deleted: a purge still names it and destroys it.
    expect((await api('DELETE', `/environmentshub/${env.id}/secrets/${direct.id}`)).status).toBe(200);

    const [purged, varPurged, directPurged] = await Promise.all([
      h.run(['secret', 'delete', secret.id, '--purge', '--yes']),
      h.run(['env', 'var', 'delete', variable.id, env.slug, '--purge', '-y']),
      h.run(['env', 'secret', 'delete', env.slug, '--id', direct.id, '--purge', '-y']),
    ]);
    expect(purged).toMatchObject({ code: 0, stdout: "✓ Permanently deleted secret 'PURGED'\n", stderr: '' });
    expect(varPurged).toMatchObject({
      code: 0,
      stdout: `✓ Permanently deleted variable 'GONE' from ${env.slug}\n`,
      stderr: '',
    });
    expect(directPurged).toMatchObject({
      code: 0,
      stdout: `✓ Permanently deleted secret 'ALSO_GONE' from ${env.slug}\n`,
    });

    const [restore, listed, varListed] = await Promise.all([
      h.run(['secret', 'restore', secret.id]),
      h.run(['secret', 'list', '--deleted', '-o', 'json']),
      h.run(['env', 'var', 'list', env.slug, '--deleted']),
    ]);
    const apiRestore = await api('POST', `/secrets/${secret.id}/restore`, {});
    expect(apiRestore.status).toBe(404);
    expect(restore).toMatchObject({
      code: 3,
      stdout: '',
      stderr: `Error: No deleted secret named or with id '${secret.id}' in your personal scope.\n`,
    });
    expect(json(listed.stdout).secrets.map((s: { id: string }) => s.id)).not.toContain(secret.id);
    expect(varListed.stdout).toBe(`No deleted variables for ${env.slug}.\n`);
  });

  it('asks on a terminal, saying it cannot be undone', async () => {
    const secret = (await api('POST', '/secrets/', { name: 'ASKED_PURGE', value: 'v' })).body.data;
    const { code, transcript } = await h.runInPty(
      ['secret', 'delete', secret.id, '--purge'],
      [{ expect: '[y/N]: ', send: 'n\r' }],
    );
    expect(code).toBe(0);
    expect(transcript).toContain("Permanently delete secret 'ASKED_PURGE'? This cannot be undone. [y/N]: ");
    expect(transcript).toContain('Cancelled.');
    expect((await api('GET', `/secrets/${secret.id}`)).status).toBe(200);
  });
});
