import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';

/**
 * `npm run admin -- …` (tsx of infra/admin.ts, as npm runs it) on the test's table in the shared
 * DynamoDB Local: what an operator holding the table's credentials does, each step seen through
 * the API and the platform's audit log.
 */
const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const V1 = '/api/v1';
let svc: TestService;

async function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    DYNAMODB_ENDPOINT: svc.deps.config.dynamoEndpoint,
    TABLE_NAME: svc.tableName,
    DATA_DIR: svc.dataDir,
  };
  try {
    const { stdout, stderr } = await promisify(execFile)(TSX, ['infra/admin.ts', ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const KEY = /^prime_[A-Za-z0-9_-]{43}$/m;

beforeAll(async () => {
  // No key cache: what the command changes in the table shows at once through the API.
  svc = await startTestService({ env: { API_KEY_CACHE_MS: '0' } });
});

describe('npm run admin', () => {
  it('lists, disables and enables users, and issues a user a new account key', async () => {
    const user = await svc.newUser('cli-user');
    const listed = await admin('list-users');
    expect(listed.code, listed.stderr).toBe(0);
    const users = JSON.parse(listed.stdout);
    expect(users.map((u: { slug: string; disabled: boolean }) => [u.slug, u.disabled])).toEqual([
      ['dev', false],
      ['cli-user', false],
    ]);

    expect((await admin('disable-user', user.id)).code).toBe(0);
    expect((await svc.call('GET', `${V1}/user/whoami`, { key: user.key })).status).toBe(401);
    expect((await admin('enable-user', user.id)).code).toBe(0);
    expect((await svc.call('GET', `${V1}/user/whoami`, { key: user.key })).status).toBe(200);

    const issued = await admin('create-user-key', user.id, '--name', 'recovered');
    expect(issued.code, issued.stderr).toBe(0);
    const key = KEY.exec(issued.stdout)?.[0];
    expect(key).toBeDefined();
    const keys = await svc.call('GET', `${V1}/user/api-keys`, { key: key! });
    expect(keys.body.data.find((k: { name: string }) => k.name === 'recovered').scopes).toEqual(['manage', 'runtime']);
    const manage = await admin('create-user-key', user.id, '--scopes', 'manage');
    expect(JSON.parse(manage.stdout.slice(0, manage.stdout.indexOf('The key'))).scopes).toEqual(['manage']);

    const unknown = await admin('disable-user', 'a'.repeat(24));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('not_found');
    const bad = await admin('create-user-key', user.id, '--scopes', 'root');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Usage');

    const log = await svc.call('GET', `${V1}/admin/audit?limit=4`, { key: svc.seed.adminKey });
    expect(log.body.data.map((e: { action: string; target: { type: string } }) => [e.action, e.target.type])).toEqual([
      ['create', 'api_key'],
      ['create', 'api_key'],
      ['enable', 'user'],
      ['disable', 'user'],
    ]);
    expect(log.body.data[0].actor).toEqual({ type: 'admin', id: 'table-operator', keyId: 'table-operator' });
  }, 60_000);

  it('makes, lists and revokes admin keys, never the last one', async () => {
    const made = await admin('create-admin-key', '--name', 'ops');
    expect(made.code, made.stderr).toBe(0);
    const key = KEY.exec(made.stdout)![0];
    expect((await svc.call('GET', `${V1}/admin/api-keys`, { key })).status).toBe(200);

    const listed = JSON.parse((await admin('list-admin-keys')).stdout);
    expect(listed.map((k: { name: string }) => k.name)).toEqual(['development admin', 'ops']);
    expect(JSON.stringify(listed)).not.toContain(key);

    const seeded = listed[0].id;
    expect((await admin('revoke-admin-key', seeded)).code).toBe(0);
    expect((await svc.call('GET', `${V1}/admin/api-keys`, { key: svc.seed.adminKey })).status).toBe(401);
    const last = await admin('revoke-admin-key', listed[1].id);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('last_admin_key');
    expect((await svc.call('GET', `${V1}/admin/api-keys`, { key })).status).toBe(200);
  }, 60_000);
});
