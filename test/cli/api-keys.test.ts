import { beforeAll, describe, expect, it } from 'vitest';
import { lines, useCliHarness } from './harness.js';

const h = useCliHarness();
const ENV = 'dev/my-environment';
const VALUE = 'api-key-test-value-31';

/** What the whoami route answers for `key`: its status (200 works, 401 revoked). */
const whoamiStatus = async (key: string) => (await h.svc.call('GET', '/api/v1/user/whoami', { key })).status;

beforeAll(async () => {
  const { call, seed } = h.svc;
  const res = await call('POST', `/api/v1/environmentshub/${seed.environments.personal.id}/secrets`, {
    key: seed.user.apiKey,
    body: { name: 'API_KEY_TEST', value: VALUE },
  });
  expect(res.status).toBe(201);
});

describe('prime api-key create, list and revoke', () => {
  it('makes a manage key by default, shows it once and says so; list never shows a key', async () => {
    const made = await h.run(['api-key', 'create', '--name', 'ci-manage']);
    expect(made.code).toBe(0);
    const [created, id, key] = lines(made.stdout);
    expect(created).toBe("✓ Created API key 'ci-manage' with scope manage");
    expect(id).toMatch(/^ID: [a-z2-7]{24}$/);
    expect(key).toMatch(/^Key: \S{40,}$/);
    expect(made.stderr).toBe(
      'This is the only time the key is shown: store it now (prime config set-api-key, or your CI secret store).\n',
    );
    const secret = key!.slice('Key: '.length);
    expect(await whoamiStatus(secret)).toBe(200);

    const [table, json] = await Promise.all([h.run(['api-key', 'list']), h.run(['api-key', 'list', '-o', 'json'])]);
    expect(table.code).toBe(0);
    expect(table.stdout).not.toContain(secret);
    expect(json.stdout).not.toContain(secret);
    const rows = lines(table.stdout);
    expect(rows[0]).toBe('API Keys');
    expect(rows[1]).toMatch(/^ID +Name +Scopes +Created$/);
    expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^${id!.slice(4)} +ci-manage +manage +just now$`)));
    const listed = JSON.parse(json.stdout).apiKeys as { id: string; name: string; scopes: string[] }[];
    expect(listed).toContainEqual(expect.objectContaining({ id: id!.slice(4), name: 'ci-manage', scopes: ['manage'] }));
    for (const k of listed) expect(Object.keys(k).sort()).toEqual(['createdAt', 'id', 'name', 'scopes']);
  });

  it('makes a runtime key only with a key that holds runtime; the refusal names the scope', async () => {
    const [refused, made] = await Promise.all([
      h.run(['api-key', 'create', '-n', 'ci-run', '--scope', 'manage', '--scope', 'runtime']),
      h.run(['api-key', 'create', '-n', 'ci-run', '--scope', 'manage', '--scope', 'runtime', '-o', 'json'], {
        key: h.svc.seed.user.accountKey,
      }),
    ]);
    expect(refused).toMatchObject({ code: 4, stdout: '' });
    expect(refused.stderr).toMatch(/^Error: This API key lacks the runtime scope: a key makes only keys with scopes/);
    expect(made.code).toBe(0);
    const key = JSON.parse(made.stdout) as { key: string; scopes: string[] };
    expect(key.scopes).toEqual(['manage', 'runtime']);

    const run = await h.run(
      ['env', 'run', ENV, '--', process.execPath, '-e', 'console.log(process.env.API_KEY_TEST)'],
      {
        key: key.key,
      },
    );
    expect(run).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
  });

  it('refuses an unknown scope before asking the service', async () => {
    const bad = await h.run(['api-key', 'create', '-n', 'x', '--scope', 'admin'], { key: 'not-a-key' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Invalid scope 'admin': use manage or runtime");
  });

  it('revokes by name or id; a name two keys share is refused, listing both', async () => {
    const make = async (name: string) => {
      const res = await h.run(['api-key', 'create', '-n', name, '-o', 'json']);
      return JSON.parse(res.stdout) as { id: string; key: string };
    };
    const [byName, twinA, twinB] = [await make('laptop'), await make('twin'), await make('twin')];

    const revoked = await h.run(['api-key', 'revoke', 'laptop', '--yes']);
    expect(revoked).toMatchObject({ code: 0, stdout: `✓ Revoked API key 'laptop' (${byName.id})\n` });
    expect(await whoamiStatus(byName.key)).toBe(401);

    const ambiguous = await h.run(['api-key', 'revoke', 'twin', '--yes']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain(`'twin' names 2 API keys in your account: twin (`);
    expect(ambiguous.stderr).toContain(twinA.id);
    expect(ambiguous.stderr).toContain(twinB.id);
    expect(await whoamiStatus(twinA.key)).toBe(200);

    const [unknown, byId] = await Promise.all([
      h.run(['api-key', 'revoke', 'twni', '--yes']),
      h.run(['api-key', 'revoke', twinB.id, '--yes']),
    ]);
    expect(unknown.stderr).toMatch(
      /^Error: No API key named or with id 'twni' in your account\. Near matches: twin \(/,
    );
    expect(byId.code).toBe(0);
    expect(await whoamiStatus(twinB.key)).toBe(401);
    expect(await whoamiStatus(twinA.key)).toBe(200);
  });
});

describe('a manage key reads no value, and says which key does', () => {
  it('refuses env run and env secret pull with the scope needed and the command that makes such a key', async () => {
    const [run, pull] = await Promise.all([
      h.run(['env', 'run', ENV, '--', process.execPath, '-e', 'console.log(process.env.API_KEY_TEST)']),
      h.run(['env', 'secret', 'pull', ENV]),
    ]);
    for (const refused of [run, pull]) {
      expect(refused).toMatchObject({ code: 4, stdout: '' });
      expect(refused.stderr).toContain('This API key lacks the runtime scope.');
      expect(refused.stderr).toContain('prime api-key create --name NAME --scope manage --scope runtime');
      expect(refused.stderr).not.toContain(VALUE);
    }
  });
});
