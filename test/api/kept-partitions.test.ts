import { beforeAll, describe, expect, it } from 'vitest';
import { createDeps } from '../../shared/deps.js';
import { createLocalApp } from '../../infra/local/server.js';
import { meterReadUnits } from '../support/read-units.js';
import { caller, startTestService, type TestService } from '../support/service.js';

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
  other = caller(createLocalApp(createDeps(svc.deps.config)));
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
  it('is checked by its revision alone: one GetItem instead of the Query, a read unit instead of tens', async () => {
    svc.deps.partitions.clear();
    const queried = await readUnits.of(() => runtime());
    commands.length = 0;
    const kept = await readUnits.of(() => runtime());
    expect(commands.filter((c) => c === 'Query')).toEqual([]);
    expect(commands.filter((c) => c === 'GetItem')).toHaveLength(1);
    expect(kept).toBeLessThan(queried / 4);
    expect((await runtime()).body.data.env.V_7).toBe('v'.repeat(500));
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
    await elsewhere(200, 'DELETE', `${env}/secrets/link/${global.data.id}`);
    expect(Object.keys(await read())).not.toContain('SHARED_RENAMED');

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
});
