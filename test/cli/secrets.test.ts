import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANSI, lines, tempDir, useCliHarness } from './harness.js';

const h = useCliHarness();

/** The values the service resolves for an environment the named global secrets are linked to. */
async function resolvedValues(secretIds: string[]) {
  const { call, seed } = h.svc;
  const env = await call('POST', '/api/v1/environmentshub', {
    key: seed.user.apiKey,
    body: { name: `probe-${Math.random().toString(36).slice(2, 10)}` },
  });
  for (const id of secretIds) {
    const link = await call('POST', `/api/v1/environmentshub/${env.body.data.id}/secrets/link/${id}`, {
      key: seed.user.apiKey,
      body: {},
    });
    expect(link.status).toBe(201);
  }
  const runtime = await call('GET', `/api/v1/environmentshub/${env.body.data.id}/runtime`, { key: seed.serviceKey });
  return runtime.body.data as { env: Record<string, string>; files: string[] };
}

describe('prime secret create and list', () => {
  it('creates from flags, standard input and files, and lists as an aligned table and as JSON', async () => {
    const dir = tempDir('prime-cli-secret-');
    const certPath = join(dir, 'cert.pem');
    writeFileSync(certPath, '-----BEGIN CERT-----\nabc\n-----END CERT-----\n');
    const raw = Buffer.from('raw bytes').toString('base64');

    const [flags, stdin, fromFile, b64] = await Promise.all([
      h.run(['secret', 'create', '-n', 'API_TOKEN', '-v', 'tok-value-1', '-d', 'for the judge']),
      h.run(['secret', 'create', '--name', 'FROM_STDIN', '--value', '-'], { input: 'stdin-value-2\n' }),
      h.run(['secret', 'create', '-n', 'CERT_FILE', '--from-file', certPath, '-o', 'json']),
      h.run(['secret', 'create', '-n', 'B64_FILE', '-f', '-v', raw, '-o', 'json']),
    ]);
    expect(flags).toMatchObject({ code: 0, stderr: '' });
    expect(flags.stdout).toMatch(/^✓ Created personal secret 'API_TOKEN'\nID: \S+\n$/);
    expect(flags.stdout).not.toContain('tok-value-1');
    expect(stdin.code).toBe(0);
    const cert = JSON.parse(fromFile.stdout);
    expect(cert).toMatchObject({ name: 'CERT_FILE', isFile: true, teamId: null });
    expect(JSON.parse(b64.stdout)).toMatchObject({ name: 'B64_FILE', isFile: true });

    const [table, json] = await Promise.all([h.run(['secret', 'list']), h.run(['secret', 'list', '-o', 'json'])]);
    expect(table.code).toBe(0);
    expect(table.stdout).not.toMatch(ANSI);
    const rows = lines(table.stdout);
    expect(rows[0]).toBe('Personal Secrets');
    expect(rows[1]).toMatch(/^ID +Name +Description +Created$/);
    const mine = rows.filter((r) => /\b(API_TOKEN|FROM_STDIN|CERT_FILE|B64_FILE)\b/.test(r));
    expect(mine).toHaveLength(4);
    const nameColumn = rows[1]!.indexOf('Name');
    const createdColumn = rows[1]!.indexOf('Created');
    for (const row of rows.slice(2)) {
      expect(row.slice(nameColumn)).toMatch(/^[A-Z][A-Z0-9_]* /);
      expect(row.slice(createdColumn)).toMatch(/^(just now|\d+ minutes? ago)$/);
    }
    expect(mine.find((r) => r.includes('API_TOKEN'))).toContain('for the judge');

    const listed = JSON.parse(json.stdout);
    expect(Object.keys(listed)).toEqual(['secrets']);
    const names = ['API_TOKEN', 'FROM_STDIN', 'CERT_FILE', 'B64_FILE'];
    expect(listed.secrets.filter((s: { name: string }) => names.includes(s.name))).toHaveLength(4);
    for (const s of listed.secrets) {
      expect(Object.keys(s).sort()).toEqual(['createdAt', 'description', 'expiresAt', 'id', 'name', 'updatedAt']);
    }
    const byName = Object.fromEntries(listed.secrets.map((s: { name: string; id: string }) => [s.name, s.id]));

    const resolved = await resolvedValues([byName.API_TOKEN, byName.FROM_STDIN, byName.CERT_FILE, byName.B64_FILE]);
    expect(resolved.env.API_TOKEN).toBe('tok-value-1');
    expect(resolved.env.FROM_STDIN).toBe('stdin-value-2');
    expect(Buffer.from(resolved.env.CERT_FILE!, 'base64').toString()).toBe(
      '-----BEGIN CERT-----\nabc\n-----END CERT-----\n',
    );
    expect(resolved.env.B64_FILE).toBe(raw);
    expect(resolved.files.sort()).toEqual(['B64_FILE', 'CERT_FILE']);
  });

  it('works in the team scope of PRIME_TEAM_ID, apart from the personal one', async () => {
    const team = { PRIME_TEAM_ID: h.svc.seed.team.id };
    const created = await h.run(['secret', 'create', '-n', 'TEAM_ONLY', '-v', 'team-value', '-o', 'json'], {
      env: team,
    });
    expect(created.code).toBe(0);
    const secret = JSON.parse(created.stdout);
    expect(secret).toMatchObject({ name: 'TEAM_ONLY', teamId: h.svc.seed.team.id, userId: null });

    const [teamTable, teamJson, personal, got] = await Promise.all([
      h.run(['secret', 'list'], { env: team }),
      h.run(['secret', 'list', '--output', 'json'], { env: team }),
      h.run(['secret', 'list', '-o', 'json']),
      h.run(['secret', 'get', secret.id], { env: team }),
    ]);
    expect(lines(teamTable.stdout)[0]).toBe('Team Secrets (dev-team)');
    expect(JSON.parse(teamJson.stdout).secrets.map((s: { name: string }) => s.name)).toEqual(['TEAM_ONLY']);
    expect(JSON.parse(personal.stdout).secrets.map((s: { name: string }) => s.name)).not.toContain('TEAM_ONLY');
    expect(got.stdout).toContain('TEAM_ONLY');
  });
});

describe('prime secret get, update and delete', () => {
  it('shows, renames, changes the value of and deletes a secret', async () => {
    const created = JSON.parse(
      (await h.run(['secret', 'create', '-n', 'TO_CHANGE', '-v', 'first', '-d', 'old', '-o', 'json'])).stdout,
    );
    const { call, seed } = h.svc;
    const envId = seed.environments.personal.id;
    expect(
      (
        await call('POST', `/api/v1/environmentshub/${envId}/secrets/link/${created.id}`, {
          key: seed.user.apiKey,
          body: {},
        })
      ).status,
    ).toBe(201);

    const [table, json] = await Promise.all([
      h.run(['secret', 'get', created.id]),
      h.run(['secret', 'get', created.id, '-o', 'json']),
    ]);
    expect(table.stdout).toMatch(/Secret Details\n {2}ID: +\S+\n {2}Name: +TO_CHANGE\n {2}Description: +old\n/);
    expect(table.stdout).toContain(`Linked to:    dev/my-environment`);
    expect(table.stdout).toMatch(/Created: +(just now|\d+ minutes? ago)\n/);
    expect(JSON.parse(json.stdout)).toMatchObject({
      id: created.id,
      name: 'TO_CHANGE',
      linkedEnvironments: [{ id: envId, owner: 'dev', name: 'my-environment' }],
    });

    const renamed = await h.run(['secret', 'update', created.id, '-n', 'CHANGED', '-d', 'new', '-o', 'json']);
    expect(JSON.parse(renamed.stdout)).toMatchObject({ name: 'CHANGED', description: 'new' });
    const revalued = await h.run(['secret', 'update', created.id, '--value', '-'], { input: 'second\n' });
    expect(revalued).toMatchObject({ code: 0, stdout: "✓ Updated secret 'CHANGED'\n" });
    const runtime = await call('GET', `/api/v1/environmentshub/${envId}/runtime`, { key: seed.serviceKey });
    expect(runtime.body.data.env.CHANGED).toBe('second');

    const refused = await h.run(['secret', 'delete', created.id]);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toBe('Error: Confirm with --yes (no terminal to ask on).\n');
    const deleted = await h.run(['secret', 'delete', created.id, '--yes']);
    expect(deleted).toMatchObject({ code: 0, stdout: "✓ Deleted secret 'CHANGED'\n" });
    const gone = await h.run(['secret', 'get', created.id]);
    expect(gone).toMatchObject({
      code: 3,
      stdout: '',
      stderr: `Error: No secret named or with id '${created.id}' in your personal scope.\n`,
    });
  });

  it('asks for what it lacks only on a terminal: off one, each is an error naming the flag', async () => {
    const [noChange, noId, noName, noValue] = await Promise.all([
      h.run(['secret', 'update', 'some-id']),
      h.run(['secret', 'update', '-v', 'x']),
      h.run(['secret', 'create', '-v', 'value-without-name']),
      h.run(['secret', 'create', '-n', 'NO_VALUE']),
    ]);
    expect(noChange.stderr).toBe(
      'Error: Nothing to update: pass --name, --value, --description or --expires-at (no terminal to ask on).\n',
    );
    expect(noId.stderr).toBe(
      'Error: SECRET is required: pass the name or id of the secret to update (no terminal to ask on).\n',
    );
    expect(noName.stderr).toBe('Error: A secret name is required: pass --name (no terminal to ask on).\n');
    expect(noValue.stderr).toMatch(/^Error: A secret value is required: pass --value .*\(no terminal to ask on\)\.\n$/);
    for (const r of [noChange, noId, noName, noValue]) expect(r.code).toBe(1);
    expect(noName.stderr).not.toContain('value-without-name');
  });
});

describe('prime secret errors', () => {
  it('checks names with the server schema, shows API details and never a value', async () => {
    await h.run(['secret', 'create', '-n', 'TAKEN', '-v', 'v1']);
    const [badName, taken, badFormat, emptyStdin] = await Promise.all([
      h.run(['secret', 'create', '-n', 'lower_case', '-v', 'sk-never-shown']),
      h.run(['secret', 'create', '-n', 'TAKEN', '-v', 'sk-never-shown-2']),
      h.run(['secret', 'list', '-o', 'yaml']),
      h.run(['secret', 'create', '-n', 'EMPTY', '-v', '-'], { input: '' }),
    ]);
    expect(badName).toMatchObject({ code: 2, stdout: '' });
    expect(badName.stderr).toBe(
      "Error: Invalid name 'lower_case': must start with an uppercase letter and contain only uppercase letters, digits and underscores.\n",
    );
    expect(taken.code).toBe(1);
    expect(lines(taken.stderr)).toHaveLength(1);
    expect(taken.stderr).toMatch(/^Error: .*TAKEN/);
    expect(taken.stderr).not.toContain('sk-never-shown-2');
    expect(badFormat).toMatchObject({ code: 2, stdout: '' });
    expect(badFormat.stderr).toBe("Error: Invalid output format 'yaml': use table or json.\n");
    expect(emptyStdin.stderr).toBe('Error: A secret value is required.\n');
  });
});
