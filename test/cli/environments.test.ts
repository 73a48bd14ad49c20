import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANSI, lines, tempDir, useCliHarness } from './harness.js';

const h = useCliHarness();

const json = (stdout: string) => JSON.parse(stdout);

describe('prime env create and list, teams list, whoami', () => {
  it('creates personal and team environments and lists them in both formats', async () => {
    const team = h.svc.seed.team;
    const [personal, viaConfigTeam, viaFlagTeam, noTeam, badName] = await Promise.all([
      h.run(['env', 'create', 'cli-personal']),
      h.run(['env', 'create', 'cli-team', '--team', '-o', 'json'], { env: { PRIME_TEAM_ID: team.id } }),
      h.run(['env', 'create', 'cli-team-2', '--team', team.id, '-o', 'json']),
      h.run(['env', 'create', 'cli-nowhere', '--team']),
      h.run(['env', 'create', 'Not Valid']),
    ]);
    expect(personal).toMatchObject({ code: 0, stderr: '' });
    expect(personal.stdout).toMatch(/^✓ Created environment dev\/cli-personal\nID: \S+\n$/);
    expect(json(viaConfigTeam.stdout)).toMatchObject({ owner: 'dev-team', name: 'cli-team', teamId: team.id });
    expect(json(viaFlagTeam.stdout)).toMatchObject({ owner: 'dev-team', name: 'cli-team-2', teamId: team.id });
    expect(noTeam.code).toBe(1);
    expect(noTeam.stderr).toMatch(/^Error: No team configured: pass --team TEAM,/);
    expect(badName.stderr).toMatch(/^Error: Invalid environment name 'Not Valid': must be 1–100 lowercase letters/);

    const [table, list, teamList] = await Promise.all([
      h.run(['env', 'list']),
      h.run(['env', 'list', '-o', 'json']),
      h.run(['env', 'list', '-o', 'json'], { env: { PRIME_TEAM_ID: team.id } }),
    ]);
    const rows = lines(table.stdout);
    expect(rows[0]).toBe('Environments');
    expect(rows[1]).toMatch(/^ID +Environment +Scope +Created$/);
    expect(rows.some((r) => /\S+ +dev\/cli-personal +personal +(just now|\d+ minutes? ago)$/.test(r))).toBe(true);
    const names = (out: string) =>
      json(out)
        .environments.map((e: { name: string }) => e.name)
        .sort();
    expect(names(list.stdout)).toEqual(['cli-personal', 'my-environment']);
    expect(names(teamList.stdout)).toEqual(['cli-team', 'cli-team-2', 'team-environment']);
  });

  it('takes a team by its slug as well as its id (PRIME_TEAM_ID, --team), and names it in tables', async () => {
    const team = h.svc.seed.team;
    const [created, listByFlag, listBySlugEnv, listById, secrets, unknown, members, who] = await Promise.all([
      h.run(['env', 'create', 'cli-by-slug', '--team', 'dev-team', '-o', 'json']),
      h.run(['env', 'list', '--team', 'dev-team']),
      h.run(['env', 'list', '-o', 'json'], { env: { PRIME_TEAM_ID: 'dev-team' } }),
      h.run(['env', 'list', '--team', team.id, '-o', 'json']),
      h.run(['secret', 'list'], { env: { PRIME_TEAM_ID: 'dev-team' } }),
      h.run(['env', 'list'], { env: { PRIME_TEAM_ID: 'no-such-team' } }),
      h.run(['teams', 'members', '--team-id', 'dev-team']),
      h.run(['whoami'], { env: { PRIME_TEAM_ID: 'dev-team' } }),
    ]);
    expect(json(created.stdout)).toMatchObject({ owner: 'dev-team', name: 'cli-by-slug', teamId: team.id });
    const rows = lines(listByFlag.stdout);
    expect(rows[0]).toBe('Team Environments (dev-team)');
    expect(rows).toContainEqual(expect.stringMatching(/ dev-team\/team-environment +team dev-team +\S/));
    const names = (out: string) => json(out).environments.map((e: { name: string }) => e.name);
    expect(names(listBySlugEnv.stdout)).toContain('team-environment');
    expect(names(listById.stdout)).toEqual(names(listBySlugEnv.stdout));
    expect(lines(secrets.stdout)[0]).toMatch(/^(Team Secrets \(dev-team\)|No secrets found in team dev-team\.)$/);
    expect(unknown).toMatchObject({ code: 3, stdout: '' });
    expect(unknown.stderr).toBe(
      `Error: 'no-such-team' (PRIME_TEAM_ID) is not the id or slug of one of your teams. Your teams: dev-team (${team.id}).\n`,
    );
    expect(lines(members.stdout)[0]).toBe('Team Members (dev-team)');
    expect(who.stdout).toMatch(new RegExp(`Team scope: +dev-team \\(${team.id}\\)`));
  });

  it('shows the user and their teams in both formats', async () => {
    const [who, whoJson, teams, teamsJson] = await Promise.all([
      h.run(['whoami']),
      h.run(['whoami', '-o', 'json']),
      h.run(['teams', 'list']),
      h.run(['teams', 'list', '-o', 'json']),
    ]);
    expect(who.stdout).toMatch(/User: +Development User \(dev\)\n {2}Email: +dev@example.com\n/);
    expect(who.stdout).toMatch(/Teams: +dev-team \(admin\)/);
    expect(json(whoJson.stdout)).toMatchObject({
      id: h.svc.seed.user.id,
      slug: 'dev',
      scope: { teams: [{ teamId: h.svc.seed.team.id, slug: 'dev-team', role: 'admin' }] },
    });
    expect(lines(teams.stdout)).toEqual([
      'Teams',
      expect.stringMatching(/^Team ID +Slug +Name +Role$/),
      expect.stringMatching(new RegExp(`^${h.svc.seed.team.id} +dev-team +Development Team +admin$`)),
    ]);
    expect(json(teamsJson.stdout)).toEqual({
      teams: [{ teamId: h.svc.seed.team.id, name: 'Development Team', slug: 'dev-team', role: 'admin' }],
    });
  });
});

describe('prime teams members', () => {
  it('lists the members of the configured team or of --team-id, in both formats', async () => {
    const team = h.svc.seed.team;
    const viewer = await h.svc.teamMember('cli-members-viewer', 'viewer');
    const outsider = await h.svc.newUser('cli-members-outsider');
    const [table, viaFlag, noTeam, asViewer, notMine] = await Promise.all([
      h.run(['teams', 'members'], { env: { PRIME_TEAM_ID: team.id } }),
      h.run(['teams', 'members', '--team-id', team.id, '-o', 'json']),
      h.run(['teams', 'members']),
      h.run(['teams', 'members', '-o', 'json'], { key: viewer.key, env: { PRIME_TEAM_ID: team.id } }),
      h.run(['teams', 'members', '--team-id', team.id], { key: outsider.key }),
    ]);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    const rows = lines(table.stdout);
    expect(rows[0]).toBe('Team Members (dev-team)');
    expect(rows[1]).toMatch(/^User ID +Slug +Name +Email +Role$/);
    expect(
      rows.some(
        (r) => r.startsWith(`${h.svc.seed.user.id} `) && / dev +Development User +dev@example\.com +admin$/.test(r),
      ),
    ).toBe(true);
    expect(rows.some((r) => r.startsWith(`${viewer.id} `) && r.endsWith(' viewer'))).toBe(true);
    const members = json(viaFlag.stdout).members as { userId: string; slug: string; role: string }[];
    expect(members).toContainEqual(expect.objectContaining({ userId: h.svc.seed.user.id, slug: 'dev', role: 'admin' }));
    expect(members).toContainEqual(expect.objectContaining({ userId: viewer.id, role: 'viewer' }));
    expect(noTeam).toMatchObject({
      code: 1,
      stderr: 'Error: No team selected: pass --team-id, set PRIME_TEAM_ID or run prime config set-team-id.\n',
    });
    expect(json(asViewer.stdout).members).toHaveLength(members.length);
    expect(notMine).toMatchObject({ code: 3, stdout: '' });
    expect(notMine.stderr).toMatch(/^Error: /);
  });
});

describe('prime env secret', () => {
  it('creates, lists, updates, links, unlinks and deletes, in both formats', async () => {
    const ENV = 'dev/my-environment';
    const { call, seed } = h.svc;
    const globalSecret = (
      await call('POST', '/api/v1/secrets/', {
        key: seed.user.apiKey,
        body: { name: 'SHARED_KEY', value: 'shared-value' },
      })
    ).body.data;
    const [direct, linked] = await Promise.all([
      h.run(['env', 'secret', 'create', ENV, '-n', 'DB_PASSWORD', '-v', 'hunter2', '-d', 'db', '-o', 'json']),
      h.run(['env', 'secret', 'link', globalSecret.id, ENV, '-o', 'json']),
    ]);
    const directSecret = json(direct.stdout);
    expect(directSecret).toMatchObject({ name: 'DB_PASSWORD', source: 'environment' });
    const link = json(linked.stdout);
    expect(Object.keys(link).sort()).toEqual(['createdAt', 'environmentId', 'id', 'secretId', 'secretName']);
    expect(link).toMatchObject({
      secretId: globalSecret.id,
      secretName: 'SHARED_KEY',
      environmentId: h.svc.seed.environments.personal.id,
    });

    const [table, listed] = await Promise.all([
      h.run(['env', 'secret', 'list', ENV]),
      h.run(['env', 'secret', 'list', ENV, '-o', 'json']),
    ]);
    const rows = lines(table.stdout);
    expect(rows[0]).toBe(`Secrets for ${ENV}`);
    expect(rows[1]).toMatch(/^ID +Name +Source +Description +Created$/);
    expect(rows.some((r) => /DB_PASSWORD +Direct secret +db +(just now|\d+ minutes? ago)$/.test(r))).toBe(true);
    expect(rows.some((r) => /SHARED_KEY +Linked global secret +(just now|\d+ minutes? ago)$/.test(r))).toBe(true);
    const secrets = json(listed.stdout).secrets;
    for (const s of secrets) {
      expect(Object.keys(s).sort()).toEqual([
        'createdAt',
        'description',
        'expiresAt',
        'id',
        'name',
        'source',
        'updatedAt',
      ]);
    }
    expect(secrets.map((s: { name: string; source: string }) => [s.name, s.source]).sort()).toEqual([
      ['DB_PASSWORD', 'environment'],
      ['SHARED_KEY', 'global-linked'],
    ]);

    const [renamed, clash] = await Promise.all([
      h.run(['env', 'secret', 'update', ENV, '--id', directSecret.id, '-n', 'DB_PASS', '-o', 'json']),
      h.run(['env', 'secret', 'create', ENV, '-n', 'SHARED_KEY', '-v', 'never-printed']),
    ]);
    expect(json(renamed.stdout)).toMatchObject({ id: directSecret.id, name: 'DB_PASS' });
    expect(clash.code).toBe(1);
    expect(clash.stderr).toBe(`Error: ${await apiDetail('SHARED_KEY')}\n`);
    expect(clash.stderr).toContain(
      `unlink global secret SHARED_KEY (${globalSecret.id}) first, then add the direct secret.`,
    );
    expect(clash.stderr).not.toContain('never-printed');

    const revalued = await h.run(['env', 'secret', 'update', ENV, '--id', directSecret.id, '-v', '-'], {
      input: 'new-password',
    });
    expect(revalued.stdout).toBe(`✓ Updated secret 'DB_PASS' for ${ENV}\n`);
    const [unlinked, deleted] = await Promise.all([
      h.run(['env', 'secret', 'unlink', globalSecret.id, ENV, '-y']),
      h.run(['env', 'secret', 'delete', ENV, '--id', directSecret.id, '-y']),
    ]);
    expect(unlinked.stdout).toBe(`✓ Unlinked global secret 'SHARED_KEY' from ${ENV}\n`);
    expect(deleted.stdout).toBe(`✓ Deleted secret 'DB_PASS' from ${ENV}\n`);
    const empty = await h.run(['env', 'secret', 'list', ENV]);
    expect(empty.stdout).toBe(`No secrets found for ${ENV}.\n`);
  });

  it('reads ENVIRONMENT from the older ./.env-metadata.json when there is no ./.prime/.env-metadata.json', async () => {
    const project = tempDir('prime-cli-legacy-');
    writeFileSync(join(project, '.env-metadata.json'), JSON.stringify({ owner: 'dev', name: 'my-environment' }));
    const listed = await h.run(['env', 'var', 'list', '-o', 'json'], { cwd: project });
    expect(listed).toMatchObject({ code: 0, stderr: 'Using environment: dev/my-environment\n' });
    expect(json(listed.stdout)).toHaveProperty('variables');
  });

  it('reads ENVIRONMENT from ./.prime/.env-metadata.json when it is omitted', async () => {
    const project = tempDir('prime-cli-project-');
    mkdirSync(join(project, '.prime'));
    writeFileSync(
      join(project, '.prime', '.env-metadata.json'),
      JSON.stringify({ owner: 'dev-team', name: 'team-environment' }),
    );
    const created = await h.run(['env', 'var', 'create', '-n', 'FROM_METADATA', '-v', 'yes'], { cwd: project });
    expect(created.stderr).toBe('Using environment: dev-team/team-environment\n');
    expect(created.stdout).toMatch(/^✓ Created variable 'FROM_METADATA' for dev-team\/team-environment\n/);
    const listed = await h.run(['env', 'var', 'list', '-o', 'json'], { cwd: project });
    expect(listed.stderr).toBe('Using environment: dev-team/team-environment\n');
    expect(json(listed.stdout).variables.map((v: { name: string }) => v.name)).toEqual(['FROM_METADATA']);

    const [nowhere, malformed, missing] = await Promise.all([
      h.run(['env', 'var', 'list'], { cwd: tempDir('prime-cli-empty-') }),
      h.run(['env', 'var', 'list', 'no-slash']),
      h.run(['env', 'var', 'list', 'dev/no-such-environment']),
    ]);
    expect(nowhere.stderr).toBe(
      'Error: No environment given: pass ENVIRONMENT as owner/name, or run where .prime/.env-metadata.json or ' +
        '.env-metadata.json exists.\n',
    );
    expect(malformed.stderr).toBe("Error: Invalid environment 'no-slash': use owner/name.\n");
    expect(missing.stderr).toBe('Error: Environment not found.\n');
  });
});

describe('prime env var', () => {
  it('creates, lists, updates and deletes variables, in both formats', async () => {
    const ENV = 'dev/my-environment';
    const long = 'x'.repeat(40);
    const [plain, asJson] = await Promise.all([
      h.run(['env', 'var', 'create', ENV, '-n', 'LOG_LEVEL', '-v', 'debug', '-d', 'verbosity']),
      h.run(['env', 'var', 'create', ENV, '--name', 'LONG_ONE', '--value', long, '-o', 'json']),
    ]);
    expect(plain.stdout).toMatch(/^✓ Created variable 'LOG_LEVEL' for dev\/my-environment\nID: \S+\n$/);
    const variable = json(asJson.stdout);
    expect(variable).toMatchObject({ name: 'LONG_ONE', value: long, description: null });

    const [table, listed] = await Promise.all([
      h.run(['env', 'var', 'list', ENV]),
      h.run(['env', 'var', 'list', ENV, '-o', 'json']),
    ]);
    expect(table.stdout).not.toMatch(ANSI);
    const rows = lines(table.stdout);
    expect(rows[1]).toMatch(/^ID +Name +Value +Description +Created$/);
    expect(rows.some((r) => /LOG_LEVEL +debug +verbosity +(just now|\d+ minutes? ago)$/.test(r))).toBe(true);
    expect(rows.some((r) => r.includes(`${'x'.repeat(27)}...`) && !r.includes(long))).toBe(true);
    const vars = json(listed.stdout).variables;
    expect(vars.find((v: { name: string }) => v.name === 'LONG_ONE')).toEqual(variable);

    const [nothing, updated, invalid] = await Promise.all([
      h.run(['env', 'var', 'update', variable.id, ENV]),
      h.run(['env', 'var', 'update', variable.id, ENV, '-v', 'short', '-d', 'now short', '-o', 'json']),
      h.run(['env', 'var', 'update', variable.id, ENV, '-v', '', '-d', 'd'.repeat(501)]),
    ]);
    expect(nothing.stderr).toBe('Error: Give at least one of --name, --value, --description.\n');
    expect(json(updated.stdout)).toMatchObject({
      id: variable.id,
      name: 'LONG_ONE',
      value: 'short',
      description: 'now short',
    });
    expect(invalid.code).toBe(1);
    expect(lines(invalid.stderr)).toHaveLength(1);
    expect(invalid.stderr).toMatch(/^Error: Invalid request: /);
    expect(invalid.stderr).toContain('value: must not be empty');
    expect(invalid.stderr).toContain('description: must be at most 500 characters');

    const renamed = await h.run(['env', 'var', 'update', variable.id, ENV, '-n', 'SHORT_ONE']);
    expect(renamed.stdout).toBe(`✓ Updated variable 'SHORT_ONE' for ${ENV}\n`);
    const deleted = await h.run(['env', 'var', 'delete', variable.id, ENV, '--yes']);
    expect(deleted.stdout).toBe(`✓ Deleted variable 'SHORT_ONE' from ${ENV}\n`);
    const after = json((await h.run(['env', 'var', 'list', ENV, '-o', 'json'])).stdout);
    expect(after.variables.map((v: { name: string }) => v.name)).toEqual(['LOG_LEVEL']);
  });
});

/** The detail the API itself gives for a name clash, to compare with what the CLI prints. */
async function apiDetail(name: string): Promise<string> {
  const { call, seed } = h.svc;
  const res = await call('POST', `/api/v1/environmentshub/${seed.environments.personal.id}/secrets`, {
    key: seed.user.apiKey,
    body: { name, value: 'x' },
  });
  expect(res.status).toBe(409);
  return res.body.detail;
}
