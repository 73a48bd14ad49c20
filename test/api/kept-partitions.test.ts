import { beforeAll, describe, expect, it } from 'vitest';
import { sealValue } from '../../shared/crypto/values.js';
import { readGlobalSecret, secretUpdate } from '../../shared/data/global-secrets.js';
import { ownerKeyOf } from '../../shared/owner-key.js';
import { EnvironmentPartitions } from '../../shared/services/environment-partitions.js';
import { transactWrite } from '../../shared/storage/transact.js';
import { createLocalApp } from '../../infra/local/server.js';
import { meterReadUnits } from '../support/read-units.js';
import { caller, startTestService, type TestService, testDeps } from '../support/service.js';

/**
 * A container keeps the partitions of the environments it read and checks the environment's
 * revision (one GetItem) instead of querying the partition again. Every write, from any
 * container, bumps the revision in its own transaction: the next read of a container that kept
 * the partition sees it, whatever the write was.
 */

const V1 = '/api/v1';
let svc: TestService;
/** Another container over the same table: its own caches, its own partitions kept. */
let other: ReturnType<typeof caller>;
let readUnits: ReturnType<typeof meterReadUnits>;
let envId: string;
const commands: string[] = [];

beforeAll(async () => {
  svc = await startTestService();
  other = caller(createLocalApp(testDeps(svc.deps.config)));
  readUnits = meterReadUnits(svc.deps.db);
  svc.deps.db.raw.middlewareStack.add((next, context) => async (args) => {
    commands.push((context.commandName ?? '').replace(/Command$/, ''));
    return next(args);
  });
  envId = (await svc.must(201, 'POST', `${V1}/environmentshub`, { name: 'kept' })).data.id;
  for (let i = 0; i < 60; i++) {
    await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, { name: `V_${i}`, value: 'v'.repeat(500) });
  }
});

/** Calls the other container as the seeded user, insisting on the status. */
async function elsewhere(status: number, method: string, path: string, body?: unknown) {
  const res = await other(method, path, { key: svc.seed.user.apiKey, body });
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
  return res.body;
}

const runtime = (key = svc.seed.serviceKey) => svc.call('GET', `${V1}/environmentshub/${envId}/runtime`, { key });

describe('a kept partition', () => {
  it('is checked by its revisions alone: two GetItems instead of the Query and the batch, read units instead of tens', async () => {
    const linked = await svc.must(201, 'POST', `${V1}/secrets`, { name: 'KEPT_LINK', value: 'kept-link' });
    await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/secrets/link/${linked.data.id}`, {});
    svc.deps.partitions.clear();
    const queried = await readUnits.of(() => runtime());
    await runtime(); // the linked secret is kept from this read on, at the owner's revision read before it
    commands.length = 0;
    const kept = await readUnits.of(() => runtime());
    expect(commands.filter((c) => c !== 'PutItem').sort()).toEqual(['GetItem', 'GetItem']);
    expect(kept).toBeLessThan(queried / 4);
    const env = (await runtime()).body.data.env;
    expect([env.V_7, env.KEPT_LINK]).toEqual(['v'.repeat(500), 'kept-link']);
  });

  it('are held to a byte budget: past it, the least recently read goes, and is queried again', async () => {
    const second = (await svc.must(201, 'POST', `${V1}/environmentshub`, { name: 'kept-second' })).data.id;
    for (let i = 0; i < 60; i++) {
      await svc.must(201, 'POST', `${V1}/environmentshub/${second}/variables`, {
        name: `W_${i}`,
        value: 'w'.repeat(500),
      });
    }
    // Each partition holds about 60 KB of values (JS strings, 2 bytes a character): two do not fit in 100 KB.
    const deps = testDeps(svc.deps.config);
    const small = caller(
      createLocalApp({ ...deps, partitions: new EnvironmentPartitions(deps.db, { totalBytes: 100_000 }) }),
    );
    const sent: string[] = [];
    deps.db.raw.middlewareStack.add((next, context) => async (args) => {
      sent.push((context.commandName ?? '').replace(/Command$/, ''));
      return next(args);
    });
    const queries = async (id: string) => {
      sent.length = 0;
      const res = await small('GET', `${V1}/environmentshub/${id}/runtime`, { key: svc.seed.serviceKey });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return sent.filter((c) => c === 'Query').length;
    };
    expect(await queries(envId)).toBe(1);
    expect(await queries(envId)).toBe(0); // kept
    expect(await queries(second)).toBe(1); // kept in its place: both would weigh more than the budget
    expect(await queries(second)).toBe(0);
    expect(await queries(envId)).toBe(1); // gone: queried again
  });

  it('shows every write another container makes, at the next read', async () => {
    const env = `${V1}/environmentshub/${envId}`;
    const read = async () => {
      const res = await runtime();
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.data.env as Record<string, string>;
    };
    await read();

    const direct = await elsewhere(201, 'POST', `${env}/secrets`, { name: 'DIRECT', value: 'one' });
    expect((await read()).DIRECT).toBe('one');
    await elsewhere(200, 'PATCH', `${env}/secrets/${direct.data.id}`, { value: 'two' });
    expect((await read()).DIRECT).toBe('two');
    await elsewhere(200, 'PATCH', `${env}/secrets/${direct.data.id}`, { name: 'RENAMED' });
    expect(Object.keys(await read())).toContain('RENAMED');
    await elsewhere(200, 'DELETE', `${env}/secrets/${direct.data.id}`);
    expect(Object.keys(await read())).not.toContain('RENAMED');
    await elsewhere(200, 'POST', `${env}/secrets/${direct.data.id}/restore`, {});
    expect((await read()).RENAMED).toBe('two');

    const global = await elsewhere(201, 'POST', `${V1}/secrets`, { name: 'SHARED', value: 'global-one' });
    await elsewhere(201, 'POST', `${env}/secrets/link/${global.data.id}`, {});
    expect((await read()).SHARED).toBe('global-one');
    await elsewhere(200, 'PATCH', `${V1}/secrets/${global.data.id}`, { name: 'SHARED_RENAMED', value: 'global-two' });
    const afterRename = await read();
    expect([afterRename.SHARED, afterRename.SHARED_RENAMED]).toEqual([undefined, 'global-two']);
    await elsewhere(200, 'PATCH', `${V1}/secrets/${global.data.id}`, { value: 'global-three' });
    expect((await read()).SHARED_RENAMED).toBe('global-three');
    await elsewhere(200, 'DELETE', `${env}/secrets/link/${global.data.id}`);
    expect(Object.keys(await read())).not.toContain('SHARED_RENAMED');
    const doomed = await elsewhere(201, 'POST', `${V1}/secrets`, { name: 'DOOMED', value: 'doomed' });
    await elsewhere(201, 'POST', `${env}/secrets/link/${doomed.data.id}`, {});
    expect((await read()).DOOMED).toBe('doomed');
    await elsewhere(200, 'DELETE', `${V1}/secrets/${doomed.data.id}`);
    expect(Object.keys(await read())).not.toContain('DOOMED');

    await elsewhere(200, 'PATCH', `${env}/variables/${(await elsewhere(200, 'GET', `${env}/variables`)).data[0].id}`, {
      value: 'changed',
    });
    expect((await read()).V_0).toBe('changed');

    await elsewhere(200, 'PUT', `${env}/requirements/NEEDED`, {});
    const refused = await runtime();
    expect([refused.status, refused.body.code]).toEqual([412, 'missing_required']);
    await elsewhere(200, 'DELETE', `${env}/requirements/NEEDED`);
    expect((await runtime()).status).toBe(200);

    // A rotation re-seals every value under a new key; the old key then goes.
    await elsewhere(202, 'POST', `${V1}/data-keys/rotate`, {});
    expect((await read()).RENAMED).toBe('two');

    await elsewhere(200, 'DELETE', env);
    const gone = await runtime();
    expect([gone.status, gone.body.code]).toEqual([404, 'not_found']);
  });

  it("sees a linked secret's new value before its links are told of it (the owner's revision)", async () => {
    const env = await svc.must(201, 'POST', `${V1}/environmentshub`, { name: 'kept-quiet' });
    const secret = await svc.must(201, 'POST', `${V1}/secrets`, { name: 'QUIET', value: 'before' });
    await svc.must(201, 'POST', `${V1}/environmentshub/${env.data.id}/secrets/link/${secret.data.id}`, {});
    const read = async () => (await svc.runtimeEnv(env.data.id)).QUIET;
    expect([await read(), await read()]).toEqual(['before', 'before']); // the partition, then the secret, kept
    // What a change commits before it tells the links: the secret item alone.
    const owner = ownerKeyOf({ userId: svc.seed.user.id });
    const stored = (await readGlobalSecret(svc.deps.db, owner, secret.data.id))!;
    const sealed = await sealValue(svc.deps.dataKeys, owner, { kind: 'global', secretId: stored.id }, 'after');
    await transactWrite(svc.deps.db, [
      secretUpdate(stored, { sealed, version: stored.version + 1, updatedAt: new Date().toISOString() }),
    ]);
    expect(await read()).toBe('after');
  });
});
