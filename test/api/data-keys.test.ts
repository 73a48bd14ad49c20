import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import { readConfig } from '../../shared/config.js';
import { openWithKey, type ValuePlace } from '../../shared/crypto/values.js';
import { keys } from '../../shared/data/keys.js';
import type { Deps } from '../../shared/deps.js';
import { newId } from '../../shared/ids.js';
import type { OwnerKey } from '../../shared/owner-key.js';
import { createGlobalSecret } from '../../shared/services/global-secrets.js';
import { settledDataKeys, skipGrace, useSkippableClock } from '../support/reseal.js';
import { startTestService, UNLIMITED, type TestService, testDeps } from '../support/service.js';

/**
 * Data key rotation (API.md, "Data keys"): a new version current at once, here and in another
 * process; a re-seal that moves every sealed value of the owner (global secrets, direct
 * secrets, recently deleted ones and kept versions), keeps each readable throughout, survives
 * a stop, and removes the old version once nothing is sealed under it.
 */

const V1 = '/api/v1';
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService();
  useSkippableClock();
});

afterAll(() => {
  vi.restoreAllMocks();
});

const dataKeys = (key: string, query = '') => svc.call('GET', `${V1}/data-keys${query}`, { key });
const rotate = (key: string, body: unknown = {}) => svc.call('POST', `${V1}/data-keys/rotate`, { key, body });

const settled = (key: string, query = '') => settledDataKeys(svc, key, query);

async function created(key: string, path: string, body: unknown): Promise<string> {
  const res = await svc.call('POST', `${V1}${path}`, { key, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data.id as string;
}

async function item(key: { pk: string; sk: string }): Promise<Record<string, any>> {
  const out = await svc.deps.db.doc.send(new GetCommand({ TableName: svc.tableName, Key: key, ConsistentRead: true }));
  expect(out.Item, `${key.pk} ${key.sk}`).toBeDefined();
  return out.Item!;
}

/** What an item opens to, with the key of the version it says it is under. */
async function opened(owner: OwnerKey, key: { pk: string; sk: string }, place: ValuePlace) {
  const stored = await item(key);
  const dataKey = await svc.deps.dataKeys.version(owner, stored.dekVersion);
  return { dekVersion: stored.dekVersion as number, value: openWithKey(dataKey, owner, place, stored as any) };
}

describe('a rotation', () => {
  it('makes a new version current at once, in this process and in another one with a warm cache', async () => {
    const user = await svc.newUser('rotating-user');
    const owner: OwnerKey = `U#${user.id}`;
    const envId = await created(user.key, '/environmentshub', { name: 'rotating' });
    const before = await created(user.key, '/secrets', { name: 'BEFORE', value: 'before-value' });
    await created(user.key, `/environmentshub/${envId}/secrets/link/${before}`, {});

    const first = await dataKeys(user.key);
    expect(first.status).toBe(200);
    // A secret is two sealed items: its value and its first kept version.
    expect(first.body.data).toEqual({
      current: 1,
      versions: [{ version: 1, createdAt: expect.any(String), values: 2 }],
      reseal: { state: 'idle', moved: 0, total: 2 },
    });

    // Another process (another Lambda container) holds version 1 as the newest, warm.
    const other: Deps = testDeps(
      readConfig({
        TABLE_NAME: svc.tableName,
        DYNAMODB_ENDPOINT: svc.deps.config.dynamoEndpoint,
        DATA_DIR: svc.dataDir,
        ...UNLIMITED,
      }),
    );
    expect((await other.dataKeys.current(owner)).version).toBe(1);

    const rotated = await rotate(user.key, {});
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(202);
    expect(rotated.body.data.current).toBe(2);
    expect(rotated.body.data.versions.map((v: any) => v.version)).toEqual([2, 1]);

    // Written after the rotation, here and there, under version 2 at once: the other process's
    // write of version 1 is refused at commit, and sealed again under the newest.
    const after = await created(user.key, '/secrets', { name: 'AFTER', value: 'after-value' });
    expect((await item(keys.globalSecret(owner, after))).dekVersion).toBe(2);
    const principal: Principal = { type: 'user', userId: user.id, keyId: 'other-process', scopes: ['manage'] };
    const elsewhere = await createGlobalSecret(other, principal, { name: 'ELSEWHERE', value: 'elsewhere-value' });
    expect((await item(keys.globalSecret(owner, elsewhere.id))).dekVersion).toBe(2);
    expect((await other.dataKeys.current(owner)).version).toBe(2);
    await created(user.key, `/environmentshub/${envId}/secrets/link/${after}`, {});
    await created(user.key, `/environmentshub/${envId}/secrets/link/${elsewhere.id}`, {});

    const done = await settled(user.key);
    expect(done).toEqual({
      current: 2,
      versions: [{ version: 2, createdAt: expect.any(String), values: 6 }],
      reseal: { state: 'idle', moved: 2, total: 6 },
    });
    for (const id of [before, after, elsewhere.id]) {
      expect((await item(keys.globalSecret(owner, id))).dekVersion).toBe(2);
    }
    svc.deps.dataKeys.clear();
    expect(await svc.runtimeEnv(envId)).toEqual({
      BEFORE: 'before-value',
      AFTER: 'after-value',
      ELSEWHERE: 'elsewhere-value',
    });
    other.db.raw.destroy();
  });
});

describe('the re-seal', () => {
  /** An owner with some of every kind of sealed value, and what each should open to. */
  type Sealed = { key: { pk: string; sk: string }; place: ValuePlace; value: string };

  /**
   * An owner with some of every kind of sealed value, written through the API: global secrets
   * (more than a page of the walk), direct secrets, values changed (kept versions), deleted ones
   * (recently deleted, with their versions). What each sealed item should open to, by label.
   */
  async function ownerWithValues(slug: string) {
    const user = await svc.newUser(slug);
    const owner: OwnerKey = `U#${user.id}`;
    const envId = await created(user.key, '/environmentshub', { name: `${slug}-env` });
    const expected = new Map<string, Sealed>();
    const runtime: Record<string, string> = {};
    /** A value's item under `key` holding the last of `values`, and its kept versions, one per value. */
    const track = (label: string, key: Sealed['key'], place: ValuePlace, id: string, values: string[]) => {
      expected.set(label, { key, place, value: values.at(-1)! });
      for (const [i, value] of values.entries()) {
        expected.set(`${label}@${i + 1}`, { key: keys.valueVersion(id, i + 1), place, value });
      }
    };
    const change = async (path: string, value: string) =>
      expect((await svc.call('PATCH', `${V1}${path}`, { key: user.key, body: { value } })).status).toBe(200);
    const remove = async (path: string) =>
      expect((await svc.call('DELETE', `${V1}${path}`, { key: user.key })).status).toBe(200);

    for (let i = 0; i < 30; i++) {
      const values = i === 0 ? ['global-0', 'global-0-b', 'global-0-c'] : [`global-${i}`];
      const id = await created(user.key, '/secrets', { name: `GLOBAL_${i}`, value: values[0] });
      for (const value of values.slice(1)) await change(`/secrets/${id}`, value);
      track(`GLOBAL_${i}`, keys.globalSecret(owner, id), { kind: 'global', secretId: id }, id, values);
      if (i % 10 === 0) {
        await created(user.key, `/environmentshub/${envId}/secrets/link/${id}`, {});
        runtime[`GLOBAL_${i}`] = values.at(-1)!;
      }
    }
    for (const [name, values] of [
      ['DIRECT_A', ['direct-a', 'direct-a-2']],
      ['DIRECT_B', ['direct-b']],
    ] as const) {
      const id = await created(user.key, `/environmentshub/${envId}/secrets`, { name, value: values[0] });
      for (const value of values.slice(1)) await change(`/environmentshub/${envId}/secrets/${id}`, value);
      track(name, keys.entryValue(envId, id), { kind: 'environment', envId, entryId: id }, id, [...values]);
      runtime[name] = values.at(-1)!;
    }
    const deletedSecret = await created(user.key, '/secrets', { name: 'DELETED_SECRET', value: 'deleted-secret' });
    await remove(`/secrets/${deletedSecret}`);
    track(
      'DELETED_SECRET',
      keys.deletedSecret(owner, deletedSecret),
      { kind: 'global', secretId: deletedSecret },
      deletedSecret,
      ['deleted-secret'],
    );
    const deletedEntry = await created(user.key, `/environmentshub/${envId}/secrets`, {
      name: 'DELETED_ENTRY',
      value: 'deleted-entry',
    });
    await remove(`/environmentshub/${envId}/secrets/${deletedEntry}`);
    track(
      'DELETED_ENTRY',
      keys.deletedEntry(envId, deletedEntry),
      { kind: 'environment', envId, entryId: deletedEntry },
      deletedEntry,
      ['deleted-entry'],
    );
    // Variables, live or deleted, and their kept versions are plain: nothing to re-seal, left as they are.
    const variableId = await created(user.key, `/environmentshub/${envId}/variables`, { name: 'MODE', value: 'fast' });
    runtime.MODE = 'fast';
    const variableVersion = await item(keys.valueVersion(variableId, 1));
    return { user, owner, envId, expected, runtime, variableVersion };
  }

  async function expectAllUnder(owner: OwnerKey, version: number, expected: Map<string, any>) {
    for (const [label, { key, place, value }] of expected) {
      expect({ label, ...(await opened(owner, key, place)) }).toEqual({ label, dekVersion: version, value });
    }
  }

  it('moves every sealed value of the owner, keeps them readable, and removes the old version', async () => {
    const { user, owner, envId, expected, runtime, variableVersion } = await ownerWithValues('resealed-user');
    const total = expected.size;
    expect((await settled(user.key)).versions).toEqual([{ version: 1, createdAt: expect.any(String), values: total }]);
    expect(await svc.runtimeEnv(envId)).toEqual(runtime);

    const rotated = await rotate(user.key);
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(202);
    // Everything moved within the request; version 1 stays until a later pass, a grace after, finds it empty.
    expect(rotated.body.data).toEqual({
      current: 2,
      versions: [
        { version: 2, createdAt: expect.any(String), values: total },
        { version: 1, createdAt: expect.any(String), values: 0 },
      ],
      reseal: { state: 'running', moved: total, total },
    });
    await expectAllUnder(owner, 2, expected);
    svc.deps.dataKeys.clear();
    expect(await svc.runtimeEnv(envId)).toEqual(runtime);
    // The link entries hint the version their secret moved to.
    for (const i of [0, 10, 20]) expect((await item(keys.entry(envId, `GLOBAL_${i}`))).dekVersion).toBe(2);

    // A hint gone wrong some other way (a write that did not keep it): the next pass mends it.
    await svc.deps.db.doc.send(
      new UpdateCommand({
        TableName: svc.tableName,
        Key: keys.entry(envId, 'GLOBAL_10'),
        UpdateExpression: 'SET dekVersion = :wrong',
        ExpressionAttributeValues: { ':wrong': 1 },
      }),
    );

    // Not yet: the grace has not passed.
    expect((await dataKeys(user.key)).body.data.reseal.state).toBe('running');
    const done = await settled(user.key);
    expect(done).toEqual({
      current: 2,
      versions: [{ version: 2, createdAt: expect.any(String), values: total }],
      reseal: { state: 'idle', moved: total, total },
    });
    const gone = await svc.deps.db.doc.send(
      new GetCommand({ TableName: svc.tableName, Key: keys.dataKey(owner, 1), ConsistentRead: true }),
    );
    expect(gone.Item).toBeUndefined();
    expect(await item({ pk: variableVersion.pk, sk: variableVersion.sk })).toEqual(variableVersion);
    expect(variableVersion.value).toBe('fast');
    expect((await item(keys.entry(envId, 'GLOBAL_10'))).dekVersion).toBe(2);
    svc.deps.dataKeys.clear();
    expect(await svc.runtimeEnv(envId)).toEqual(runtime);
    await expectAllUnder(owner, 2, expected);
  });

  it('goes on toward the newest version when rotations race, and removes every older one', async () => {
    const { user, owner, envId, expected, runtime } = await ownerWithValues('racing-user');
    await settled(user.key);
    const [a, b] = await Promise.all([rotate(user.key), rotate(user.key)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    // Each made a version of its own; the answers show the newest there is when each was written.
    expect(Math.max(a.body.data.current, b.body.data.current)).toBe(3);
    const done = await settled(user.key);
    expect(done.current).toBe(3);
    expect(done.versions).toEqual([{ version: 3, createdAt: expect.any(String), values: expected.size }]);
    await expectAllUnder(owner, 3, expected);
    svc.deps.dataKeys.clear();
    expect(await svc.runtimeEnv(envId)).toEqual(runtime);
  });

  it('is continued by the next request after a failure, every value readable in between', async () => {
    const { user, owner, envId, expected, runtime } = await ownerWithValues('interrupted-user');
    const total = expected.size;
    await settled(user.key);
    // DynamoDB refuses every transaction after the first two (two moves of the first page).
    let allowed = 2;
    svc.deps.db.raw.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && allowed-- <= 0) {
          throw Object.assign(new Error('injected'), { name: 'InternalServerError', $metadata: {} });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failTransactions' },
    );
    let stopped: any;
    try {
      stopped = await rotate(user.key);
    } finally {
      svc.deps.db.raw.middlewareStack.remove('failTransactions');
    }
    expect(stopped.status, JSON.stringify(stopped.body)).toBe(202);
    expect(stopped.body.data.current).toBe(2);
    expect(stopped.body.data.reseal.state).toBe('running');
    expect(stopped.body.data.reseal.moved).toBeLessThan(total);
    // Some values moved, the rest not: all of them read as before.
    const versions = await Promise.all([...expected.values()].map((e) => opened(owner, e.key, e.place)));
    expect(new Set(versions.map((v) => v.dekVersion))).toEqual(new Set([1, 2]));
    svc.deps.dataKeys.clear();
    expect(await svc.runtimeEnv(envId)).toEqual(runtime);

    const resumed = await dataKeys(user.key);
    expect(resumed.status).toBe(200);
    await expectAllUnder(owner, 2, expected);
    expect((await settled(user.key)).versions).toEqual([{ version: 2, createdAt: expect.any(String), values: total }]);
  });

  it('is taken over once the lease of a request that stopped has expired', async () => {
    const { user, owner, expected } = await ownerWithValues('stopped-user');
    await settled(user.key);
    // The process goes away in the middle of a page: after two transactions, nothing more reaches DynamoDB.
    let allowed = 2;
    let dead = false;
    svc.deps.db.raw.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && allowed-- <= 0) dead = true;
        if (dead) throw Object.assign(new Error('injected'), { name: 'InternalServerError', $metadata: {} });
        return next(args);
      },
      { step: 'initialize', name: 'stopProcess' },
    );
    try {
      expect((await rotate(user.key)).status).toBe(503);
    } finally {
      svc.deps.db.raw.middlewareStack.remove('stopProcess');
    }
    // Its lease still holds: the next request reports the re-seal without working on it.
    const held = await dataKeys(user.key);
    expect(held.body.data.reseal.state).toBe('running');
    const stuck = await Promise.all([...expected.values()].map((e) => opened(owner, e.key, e.place)));
    expect(stuck.some((v) => v.dekVersion === 1)).toBe(true);

    skipGrace(); // longer than a lease
    await dataKeys(user.key);
    await expectAllUnder(owner, 2, expected);
    expect((await settled(user.key)).versions.map((v: any) => v.version)).toEqual([2]);
  });
});

describe('who may see and rotate data keys', () => {
  it('names the owner by userId or teamId, never both, and only an owner that exists', async () => {
    const admin = svc.seed.adminKey;
    expect((await dataKeys(admin, `?userId=${svc.seed.user.id}`)).status).toBe(200);
    expect((await dataKeys(admin, `?teamId=${svc.seed.team.id}`)).status).toBe(200);
    expect((await rotate(admin, { userId: svc.seed.user.id })).status).toBe(202);
    expect((await rotate(admin, { teamId: svc.seed.team.id })).status).toBe(202);
    for (const res of [
      await dataKeys(admin),
      await dataKeys(admin, `?userId=${newId()}`),
      await rotate(admin, { teamId: newId() }),
      await rotate(admin),
    ]) {
      expect(res.body, JSON.stringify(res.body)).toEqual({ detail: expect.any(String), code: 'not_found' });
    }
    const both = await dataKeys(svc.seed.user.apiKey, `?userId=${svc.seed.user.id}&teamId=${svc.seed.team.id}`);
    expect(both.status).toBe(422);
    expect(both.body.detail[0].loc).toEqual(['query', 'teamId']);
  });
});
