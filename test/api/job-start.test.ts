import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Job start: the names an environment's code reads (requirements), the pre-flight check,
 * the runtime read's refusal of a set that lacks a required name, and secrets' expiry.
 */
let svc: TestService;
let key: string;
const V1 = '/api/v1';
const DAY = 86_400_000;

beforeAll(async () => {
  svc = await startTestService();
  key = svc.seed.user.apiKey;
});

afterEach(() => {
  vi.useRealTimers();
});

let seq = 0;
const unique = (prefix: string) => `${prefix}_${++seq}`;

const must = (status: number, method: string, path: string, body?: unknown, callKey = key) =>
  svc.must(status, method, path, body, { key: callKey });

async function newEnvironment(): Promise<string> {
  return (await must(201, 'POST', `${V1}/environmentshub`, { name: `job-env-${++seq}` })).data.id;
}

const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();
const check = async (envId: string, callKey = key) =>
  (await must(200, 'GET', `${V1}/environmentshub/${envId}/runtime/check`, undefined, callKey)).data;
const runtime = (envId: string, query = '') =>
  svc.call('GET', `${V1}/environmentshub/${envId}/runtime${query}`, { key: svc.seed.serviceKey });

describe('requirements', () => {
  it('are declared idempotently, listed, changed and removed; the name rule applies', async () => {
    const envId = await newEnvironment();
    const base = `${V1}/environmentshub/${envId}/requirements`;
    const first = await must(200, 'PUT', `${base}/JUDGE_KEY`, { description: 'the judge model' });
    expect(first.data).toMatchObject({ name: 'JUDGE_KEY', description: 'the judge model', optional: false });
    const again = await must(200, 'PUT', `${base}/JUDGE_KEY`, { optional: true });
    expect(again.data).toMatchObject({ name: 'JUDGE_KEY', description: null, optional: true });
    expect(again.data.createdAt).toBe(first.data.createdAt);
    await must(200, 'PUT', `${base}/WANDB_KEY`, {});
    const listed = await must(200, 'GET', base);
    expect(listed.data.map((r: any) => r.name)).toEqual(['JUDGE_KEY', 'WANDB_KEY']);
    expect(listed.totalCount).toBe(2);

    const bad = await svc.call('PUT', `${base}/lower_case`, { key, body: {} });
    expect([bad.status, bad.body.code, bad.body.detail[0].loc]).toEqual([422, 'validation_error', ['path', 'name']]);
    await must(200, 'DELETE', `${base}/WANDB_KEY`);
    expect((await svc.call('DELETE', `${base}/WANDB_KEY`, { key })).status).toBe(404);
    expect((await must(200, 'GET', base)).data.map((r: any) => r.name)).toEqual(['JUDGE_KEY']);
  });

  it('concurrent declarations of one name all succeed and leave one requirement', async () => {
    const envId = await newEnvironment();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        svc.call('PUT', `${V1}/environmentshub/${envId}/requirements/RACED`, { key, body: {} }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect((await must(200, 'GET', `${V1}/environmentshub/${envId}/requirements`)).data).toHaveLength(1);
  });

  it('a team viewer reads them but may not change them; another user does not see them', async () => {
    const viewer = await svc.teamMember(`job-viewer-${++seq}`, 'viewer');
    const stranger = await svc.newUser(`job-stranger-${++seq}`);

    const base = `${V1}/environmentshub/${svc.seed.environments.team.id}/requirements`;
    await must(200, 'PUT', `${base}/TEAM_NEED`, {});
    await must(200, 'GET', base, undefined, viewer.key);
    expect((await svc.call('PUT', `${base}/OTHER`, { key: viewer.key, body: {} })).status).toBe(403);
    expect((await svc.call('GET', base, { key: stranger.key })).status).toBe(404);
    expect(
      (
        await svc.call('GET', `${V1}/environmentshub/${svc.seed.environments.team.id}/runtime/check`, {
          key: stranger.key,
        })
      ).status,
    ).toBe(404);
    // The viewer may check whether a job can start: names and sources only.
    expect((await check(svc.seed.environments.team.id, viewer.key)).missing).toContain('TEAM_NEED');
    await must(200, 'DELETE', `${base}/TEAM_NEED`);
  });
});

describe('the check and the runtime read', () => {
  it('every source satisfies a requirement; what is missing is named, and the read refuses without a value', async () => {
    const envId = await newEnvironment();
    const env = `${V1}/environmentshub/${envId}`;
    for (const name of ['DIRECT', 'LINKED', 'VARIABLE', 'GONE', 'ABSENT'])
      await must(200, 'PUT', `${env}/requirements/${name}`, {});
    await must(200, 'PUT', `${env}/requirements/NICE_TO_HAVE`, { optional: true });
    await must(201, 'POST', `${env}/secrets`, { name: 'DIRECT', value: 'direct-value' });
    await must(201, 'POST', `${env}/variables`, { name: 'VARIABLE', value: 'variable-value' });
    const linked = (await must(201, 'POST', `${V1}/secrets/`, { name: unique('LINKED_SRC'), value: 'x' })).data;
    await must(200, 'PATCH', `${V1}/secrets/${linked.id}`, { name: 'LINKED' });
    await must(201, 'POST', `${env}/secrets/link/${linked.id}`, {});
    const gone = (await must(201, 'POST', `${V1}/secrets/`, { name: 'GONE', value: 'gone-value' })).data;
    await must(201, 'POST', `${env}/secrets/link/${gone.id}`, {});
    await must(200, 'DELETE', `${V1}/secrets/${gone.id}`);

    const result = await check(envId);
    expect(result).toEqual({
      ready: false,
      missing: ['ABSENT', 'GONE'],
      optionalMissing: ['NICE_TO_HAVE'],
      expired: [],
      expiringSoon: [],
      names: [
        { name: 'DIRECT', source: 'environment' },
        { name: 'LINKED', source: 'global-linked' },
        { name: 'VARIABLE', source: 'variable' },
      ],
    });
    const refused = await runtime(envId);
    expect([refused.status, refused.body.code]).toEqual([412, 'missing_required']);
    expect(refused.body.detail).toBe(
      "Missing required secrets: ABSENT, GONE. Add them on the environment's Secrets tab.",
    );
    expect(JSON.stringify(refused.body)).not.toMatch(/direct-value|variable-value/);
    const anyway = await runtime(envId, '?allowMissing=true');
    expect(anyway.status).toBe(200);
    expect(Object.keys(anyway.body.data.env)).toEqual(['DIRECT', 'LINKED', 'VARIABLE']);

    await must(201, 'POST', `${env}/variables`, { name: 'ABSENT', value: 'here now' });
    await must(201, 'POST', `${env}/secrets`, { name: 'GONE', value: 'direct now' });
    expect((await check(envId)).ready).toBe(true);
    expect((await runtime(envId)).status).toBe(200);
  });

  it('a link whose secret is gone but whose entry is still there (a delete half-way) leaves its name missing', async () => {
    const envId = await newEnvironment();
    const env = `${V1}/environmentshub/${envId}`;
    const secret = (await must(201, 'POST', `${V1}/secrets/`, { name: unique('RACY'), value: 'r' })).data;
    await must(201, 'POST', `${env}/secrets/link/${secret.id}`, {});
    await must(200, 'PUT', `${env}/requirements/${secret.name}`, {});
    expect((await runtime(envId)).status).toBe(200);
    await svc.deps.db.doc.send(
      new DeleteCommand({
        TableName: svc.deps.db.tableName,
        Key: { pk: `OWNER#U#${svc.seed.user.id}`, sk: `SECRET#${secret.id}` },
      }),
    );
    const refused = await runtime(envId);
    expect([refused.status, refused.body.code]).toEqual([412, 'missing_required']);
    expect((await check(envId)).missing).toEqual([secret.name]);
  });
});

describe('expiry', () => {
  it('is set on create and update, cleared with null, and must be in the future', async () => {
    const envId = await newEnvironment();
    const at = inDays(30);
    const global = (await must(201, 'POST', `${V1}/secrets/`, { name: unique('EXPIRING'), value: 'g', expiresAt: at }))
      .data;
    expect(global.expiresAt).toBe(at);
    const direct = (
      await must(201, 'POST', `${V1}/environmentshub/${envId}/secrets`, {
        name: 'DIRECT',
        value: 'd',
        expiresAt: '2099-01-31T12:00:00+02:00',
      })
    ).data;
    expect(direct.expiresAt).toBe('2099-01-31T10:00:00.000Z');
    const cleared = await must(200, 'PATCH', `${V1}/secrets/${global.id}`, { expiresAt: null });
    expect(cleared.data.expiresAt).toBeNull();
    expect(cleared.data.version).toBe(1); // not a change of value
    for (const expiresAt of [inDays(-1), 'tomorrow', '2099-13-01T00:00:00Z']) {
      const bad = await svc.call('PATCH', `${V1}/secrets/${global.id}`, { key, body: { expiresAt } });
      expect([bad.status, bad.body.code, bad.body.detail[0].loc], expiresAt).toEqual([
        422,
        'validation_error',
        ['body', 'expiresAt'],
      ]);
    }
    const listed = (await must(200, 'GET', `${V1}/environmentshub/${envId}/secrets`)).data;
    expect(listed.find((s: any) => s.id === direct.id).expiresAt).toBe('2099-01-31T10:00:00.000Z');
  });

  it('the check tells expired and expiring soon apart, at the edges; a required expired secret is not ready', async () => {
    const envId = await newEnvironment();
    const env = `${V1}/environmentshub/${envId}`;
    const soon = inDays(3);
    const later = inDays(8);
    await must(201, 'POST', `${env}/secrets`, { name: 'SOON', value: 's', expiresAt: soon });
    await must(201, 'POST', `${env}/secrets`, { name: 'LATER', value: 'l', expiresAt: later });
    const linked = (await must(201, 'POST', `${V1}/secrets/`, { name: 'LINKED_SOON', value: 'x', expiresAt: soon }))
      .data;
    await must(201, 'POST', `${env}/secrets/link/${linked.id}`, {});
    await must(200, 'PUT', `${env}/requirements/SOON`, {});

    const now = await check(envId);
    expect(now).toMatchObject({
      ready: true,
      expired: [],
      expiringSoon: [
        { name: 'LINKED_SOON', expiresAt: soon },
        { name: 'SOON', expiresAt: soon },
      ],
    });

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse(soon)); // the instant it expires
    const atExpiry = await check(envId);
    expect(atExpiry.expired).toEqual(['LINKED_SOON', 'SOON']);
    expect(atExpiry.expiringSoon).toEqual([{ name: 'LATER', expiresAt: later }]);
    expect(atExpiry.ready).toBe(false);
    // The service keeps injecting it: expiry records when it stops working elsewhere.
    const read = await runtime(envId);
    expect(read.status).toBe(200);
    expect(read.body.data.env.SOON).toBe('s');
  });
});
