import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { partitionItems } from '../support/table.js';

/**
 * Recovery: a delete of a global secret, a direct secret or a variable frees its name at once
 * and can be undone for RECOVERY_DAYS; a restore relinks where it can and says where not;
 * a purge destroys at once; after the window nothing shows, whether or not TTL has run.
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

const must = (status: number, method: string, path: string, body?: unknown) => svc.must(status, method, path, body);

async function newEnvironment(): Promise<string> {
  return (await must(201, 'POST', `${V1}/environmentshub`, { name: `rec-env-${++seq}` })).data.id;
}

const partition = (pk: string) => partitionItems(svc.deps.db, pk);

describe.each([
  { collection: 'secrets', what: 'direct secret' },
  { collection: 'variables', what: 'variable' },
])('a deleted $what', ({ collection }) => {
  it('frees its name at once, is listed as recently deleted, and comes back with its value and history', async () => {
    const envId = await newEnvironment();
    const base = `${V1}/environmentshub/${envId}/${collection}`;
    const name = unique('GONE');
    const made = (await must(201, 'POST', base, { name, value: 'precious-1' })).data;
    await must(200, 'PATCH', `${base}/${made.id}`, { value: 'precious-2' });
    const deleted = await must(200, 'DELETE', `${base}/${made.id}`);
    expect(deleted.data).toMatchObject({ id: made.id, name, version: 2 });
    expect(await svc.runtimeEnv(envId)).toEqual({});

    const listed = await must(200, 'GET', `${base}?deleted=true`);
    expect(listed.totalCount).toBe(1);
    const [gone] = listed.data;
    expect(gone).toMatchObject({ id: made.id, name, version: 2 });
    expect(Date.parse(gone.purgeAt) - Date.parse(gone.deletedAt)).toBe(7 * DAY);
    expect((await must(200, 'GET', base)).data.filter((e: any) => e.id === made.id)).toEqual([]);

    // The name is free: taken again, the restore under it is 409 with what holds it and what to do.
    const again = (await must(201, 'POST', base, { name, value: 'newcomer' })).data;
    const clash = await svc.call('POST', `${base}/${made.id}/restore`, { key, body: {} });
    expect([clash.status, clash.body.code]).toEqual([409, 'name_taken']);
    expect(clash.body.detail).toContain(`The name ${name} is already used in this environment`);
    expect(clash.body.detail).toContain('Restore it under another name');

    const restored = await must(200, 'POST', `${base}/${made.id}/restore`, { name: `${name}_BACK` });
    expect(restored.data).toMatchObject({ id: made.id, name: `${name}_BACK`, version: 2 });
    expect(await svc.runtimeEnv(envId)).toEqual({ [name]: 'newcomer', [`${name}_BACK`]: 'precious-2' });
    expect((await must(200, 'GET', `${base}/${made.id}/versions`)).data.map((v: any) => v.version)).toEqual([2, 1]);
    expect((await must(200, 'GET', `${base}?deleted=true`)).data).toEqual([]);
    const twice = await svc.call('POST', `${base}/${made.id}/restore`, { key, body: {} });
    expect([twice.status, twice.body.code]).toEqual([404, 'not_found']);
    await must(200, 'DELETE', `${base}/${again.id}`);
  });

  it('a purge destroys it at once, live or already deleted, with its versions', async () => {
    const envId = await newEnvironment();
    const base = `${V1}/environmentshub/${envId}/${collection}`;
    const live = (await must(201, 'POST', base, { name: unique('LIVE'), value: 'l' })).data;
    const binned = (await must(201, 'POST', base, { name: unique('BINNED'), value: 'b' })).data;
    await must(200, 'PATCH', `${base}/${binned.id}`, { value: 'b2' });
    await must(200, 'DELETE', `${base}/${binned.id}`);

    expect((await must(200, 'DELETE', `${base}/${live.id}?purge=true`)).data.id).toBe(live.id);
    expect((await must(200, 'DELETE', `${base}/${binned.id}?purge=true`)).data.id).toBe(binned.id);
    for (const id of [live.id, binned.id]) {
      const restore = await svc.call('POST', `${base}/${id}/restore`, { key, body: {} });
      expect([restore.status, restore.body.code]).toEqual([404, 'not_found']);
      expect(await partition(`HIST#${id}`)).toEqual([]);
    }
    expect(await partition(`TRASH#${envId}`)).toEqual([]);
    expect((await must(200, 'GET', `${base}?deleted=true`)).data).toEqual([]);
    const again = await svc.call('DELETE', `${base}/${live.id}?purge=true`, { key });
    expect([again.status, again.body.code]).toEqual([404, 'not_found']);
  });
});

describe('a deleted global secret', () => {
  it('leaves its environments at once, remembers them, and relinks where its name is still free', async () => {
    const [kept, taken, removed] = [await newEnvironment(), await newEnvironment(), await newEnvironment()];
    const name = unique('JUDGE_KEY');
    const secret = (await must(201, 'POST', `${V1}/secrets/`, { name, value: 'judge-secret' })).data;
    for (const envId of [kept, taken, removed]) {
      await must(201, 'POST', `${V1}/environmentshub/${envId}/secrets/link/${secret.id}`, {});
    }
    expect((await must(200, 'DELETE', `${V1}/secrets/${secret.id}`)).data).toMatchObject({ id: secret.id, name });
    for (const envId of [kept, taken, removed]) expect(await svc.runtimeEnv(envId)).toEqual({});

    const listed = (await must(200, 'GET', `${V1}/secrets/?deleted=true`)).data.find((s: any) => s.id === secret.id);
    expect(listed.linkedEnvironments.map((e: any) => e.id).sort()).toEqual([kept, taken, removed].sort());
    expect(JSON.stringify(listed)).not.toContain('judge-secret');
    expect((await must(200, 'GET', `${V1}/secrets/`)).data.map((s: any) => s.id)).not.toContain(secret.id);

    await must(201, 'POST', `${V1}/environmentshub/${taken}/variables`, { name, value: 'a variable now' });
    await must(200, 'DELETE', `${V1}/environmentshub/${removed}`);
    const restored = await must(200, 'POST', `${V1}/secrets/${secret.id}/restore`, {});
    expect(restored.data.secret).toMatchObject({ id: secret.id, name, version: 1 });
    expect(restored.data.relinked).toEqual([kept]);
    expect(restored.data.notRelinked).toEqual(
      expect.arrayContaining([
        { environmentId: taken, reason: 'name_taken' },
        { environmentId: removed, reason: 'environment_deleted' },
      ]),
    );
    expect(restored.data.notRelinked).toHaveLength(2);
    expect(await svc.runtimeEnv(kept)).toEqual({ [name]: 'judge-secret' });
    expect(await svc.runtimeEnv(taken)).toEqual({ [name]: 'a variable now' });
  });

  it('takes a new name when its own is used again in its scope', async () => {
    const envId = await newEnvironment();
    const name = unique('ROTATED');
    const old = (await must(201, 'POST', `${V1}/secrets/`, { name, value: 'old-value' })).data;
    await must(201, 'POST', `${V1}/environmentshub/${envId}/secrets/link/${old.id}`, {});
    await must(200, 'DELETE', `${V1}/secrets/${old.id}`);
    await must(201, 'POST', `${V1}/secrets/`, { name, value: 'its successor' });

    const clash = await svc.call('POST', `${V1}/secrets/${old.id}/restore`, { key, body: {} });
    expect([clash.status, clash.body.code]).toEqual([409, 'name_taken']);
    const restored = await must(200, 'POST', `${V1}/secrets/${old.id}/restore`, { name: `${name}_OLD` });
    expect(restored.data.secret.name).toBe(`${name}_OLD`);
    expect(restored.data.relinked).toEqual([envId]);
    expect(await svc.runtimeEnv(envId)).toEqual({ [`${name}_OLD`]: 'old-value' });
  });

  it('a purge destroys it at once, its versions with it; restore is then 404', async () => {
    const live = (await must(201, 'POST', `${V1}/secrets/`, { name: unique('PURGED'), value: 'p1' })).data;
    await must(200, 'PATCH', `${V1}/secrets/${live.id}`, { value: 'p2' });
    const binned = (await must(201, 'POST', `${V1}/secrets/`, { name: unique('BINNED'), value: 'b' })).data;
    await must(200, 'DELETE', `${V1}/secrets/${binned.id}`);
    for (const id of [live.id, binned.id]) {
      await must(200, 'DELETE', `${V1}/secrets/${id}?purge=true`);
      const restore = await svc.call('POST', `${V1}/secrets/${id}/restore`, { key, body: {} });
      expect([restore.status, restore.body.code]).toEqual([404, 'not_found']);
      expect(await partition(`HIST#${id}`)).toEqual([]);
    }
  });
});

describe('the recovery window', () => {
  it('after purgeAt nothing is listed or restorable, though TTL has not removed the item yet', async () => {
    const envId = await newEnvironment();
    const variable = (await must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, { name: 'OLD', value: 'o' }))
      .data;
    const secret = (await must(201, 'POST', `${V1}/secrets/`, { name: unique('EXPIRING'), value: 'e' })).data;
    await must(200, 'DELETE', `${V1}/environmentshub/${envId}/variables/${variable.id}`);
    await must(200, 'DELETE', `${V1}/secrets/${secret.id}`);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 7 * DAY - 60_000);
    expect((await must(200, 'GET', `${V1}/environmentshub/${envId}/variables?deleted=true`)).totalCount).toBe(1);
    vi.setSystemTime(Date.now() + 2 * 60_000);

    // Still in the table (DynamoDB's TTL runs late), but gone for every reader.
    expect(await partition(`TRASH#${envId}`)).toHaveLength(1);
    expect((await must(200, 'GET', `${V1}/environmentshub/${envId}/variables?deleted=true`)).data).toEqual([]);
    expect((await must(200, 'GET', `${V1}/secrets/?deleted=true`)).data.map((s: any) => s.id)).not.toContain(secret.id);
    for (const path of [`${V1}/environmentshub/${envId}/variables/${variable.id}`, `${V1}/secrets/${secret.id}`]) {
      const restore = await svc.call('POST', `${path}/restore`, { key, body: {} });
      expect([restore.status, restore.body.code]).toEqual([404, 'not_found']);
    }
  });

  it('is RECOVERY_DAYS long, and each kept copy carries its TTL', async () => {
    const short = await startTestService({ env: { RECOVERY_DAYS: '2' } });
    const call = (method: string, path: string, body?: unknown) =>
      short.call(method, path, { key: short.seed.user.apiKey, body });
    const envId = short.seed.environments.personal.id;
    const made = (await call('POST', `${V1}/environmentshub/${envId}/secrets`, { name: 'TWO_DAYS', value: 't' })).body
      .data;
    await call('DELETE', `${V1}/environmentshub/${envId}/secrets/${made.id}`);
    const [gone] = (await call('GET', `${V1}/environmentshub/${envId}/secrets?deleted=true`)).body.data;
    expect(Date.parse(gone.purgeAt) - Date.parse(gone.deletedAt)).toBe(2 * DAY);
    const items = await partitionItems(short.deps.db, `TRASH#${envId}`);
    expect(items[0]!.ttl).toBe(Math.ceil(Date.parse(gone.purgeAt) / 1000));
  });
});

describe('who may restore and purge', () => {
  it('another user gets 404; a team viewer sees the recently deleted but may neither restore nor purge', async () => {
    const stranger = await svc.newUser(`rec-stranger-${++seq}`);
    const viewer = await svc.teamMember(`rec-viewer-${++seq}`, 'viewer');

    const teamId = svc.seed.team.id;
    const teamEnv = svc.seed.environments.team.id;
    const secret = (await must(201, 'POST', `${V1}/secrets/`, { name: unique('TS'), value: 's', teamId })).data;
    const variable = (
      await must(201, 'POST', `${V1}/environmentshub/${teamEnv}/variables`, { name: unique('TV'), value: 'v' })
    ).data;
    await must(200, 'DELETE', `${V1}/secrets/${secret.id}?teamId=${teamId}`);
    await must(200, 'DELETE', `${V1}/environmentshub/${teamEnv}/variables/${variable.id}`);

    const attempts: [string, string, unknown?][] = [
      ['POST', `${V1}/secrets/${secret.id}/restore?teamId=${teamId}`, {}],
      ['DELETE', `${V1}/secrets/${secret.id}?teamId=${teamId}&purge=true`],
      ['POST', `${V1}/environmentshub/${teamEnv}/variables/${variable.id}/restore`, {}],
      ['DELETE', `${V1}/environmentshub/${teamEnv}/variables/${variable.id}?purge=true`],
    ];
    for (const [method, path, body] of attempts) {
      const hidden = await svc.call(method, path, { key: stranger.key, body });
      expect([hidden.status, hidden.body.code], `stranger ${method} ${path}`).toEqual([404, 'not_found']);
      const refused = await svc.call(method, path, { key: viewer.key, body });
      expect([refused.status, refused.body.code], `viewer ${method} ${path}`).toEqual([403, 'forbidden']);
    }
    const seen = await svc.call('GET', `${V1}/environmentshub/${teamEnv}/variables?deleted=true`, { key: viewer.key });
    expect(seen.body.data.map((v: any) => v.id)).toContain(variable.id);
    // Nothing was lost to the refused attempts.
    await must(200, 'POST', `${V1}/environmentshub/${teamEnv}/variables/${variable.id}/restore`, {});
    expect((await must(200, 'POST', `${V1}/secrets/${secret.id}/restore`, { teamId })).data.secret.id).toBe(secret.id);
  });
});

describe('deleting an environment', () => {
  it('destroys its deleted entries and the versions of every value it held', async () => {
    const envId = await newEnvironment();
    const base = `${V1}/environmentshub/${envId}`;
    const live = (await must(201, 'POST', `${base}/secrets`, { name: 'LIVE', value: 'l1' })).data;
    await must(200, 'PATCH', `${base}/secrets/${live.id}`, { value: 'l2' });
    const binned = (await must(201, 'POST', `${base}/variables`, { name: 'BINNED', value: 'b' })).data;
    await must(200, 'DELETE', `${base}/variables/${binned.id}`);
    expect(await partition(`HIST#${live.id}`)).toHaveLength(2);

    await must(200, 'DELETE', base);
    for (const pk of [`HIST#${live.id}`, `HIST#${binned.id}`, `TRASH#${envId}`])
      expect(await partition(pk)).toEqual([]);
  });
});
