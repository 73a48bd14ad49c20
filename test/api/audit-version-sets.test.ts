import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLocalApp } from '../../infra/local/server.js';
import { caller, startTestService, type TestService, testDeps } from '../support/service.js';
import { tableItems } from '../support/table.js';

/**
 * A runtime read's event names the version of every value it served. For a large set those
 * versions are written once, apart, and each event names them by digest: the event stays
 * under one write unit (1 KB) however many entries the environment holds, and the listing
 * still shows every version.
 */

const V1 = '/api/v1';
let svc: TestService;
let envId: string;
const expected: Record<string, number> = {};

beforeAll(async () => {
  svc = await startTestService();
  envId = (await svc.must(201, 'POST', `${V1}/environmentshub`, { name: 'many' })).data.id;
  const ids: string[] = [];
  for (let i = 0; i < 120; i++) {
    const name = `A_RATHER_LONG_VARIABLE_NAME_${i}`;
    ids.push(
      (await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, { name, value: `v${i}` })).data.id,
    );
    expected[name] = 1;
  }
  await svc.must(200, 'PATCH', `${V1}/environmentshub/${envId}/variables/${ids[7]}`, { value: 'changed' });
  expected.A_RATHER_LONG_VARIABLE_NAME_7 = 2;
});

const runtime = (call: TestService['call'], jobId: string) =>
  call('GET', `${V1}/environmentshub/${envId}/runtime`, { key: svc.seed.serviceKey, headers: { 'x-job-id': jobId } });

async function auditItems() {
  const items = await tableItems(svc.deps.db);
  return {
    events: items.filter((i) => String(i.pk).startsWith('AUDIT#') && i.action === 'runtime_read'),
    sets: items.filter((i) => String(i.pk).startsWith('AUDITVERSIONS#')),
  };
}

async function listedVersions(jobId: string) {
  const { data } = await svc.must(200, 'GET', `${V1}/audit?limit=100`);
  return data.find((e: { jobId: string }) => e.jobId === jobId)?.versions;
}

describe("a runtime read's versions", () => {
  it('are written once, apart, and the event that names them stays under one write unit', async () => {
    expect((await runtime(svc.call, 'job-1')).status).toBe(200);
    expect((await runtime(svc.call, 'job-2')).status).toBe(200);
    const { events, sets } = await auditItems();
    expect(sets).toHaveLength(1);
    expect(events).toHaveLength(2);
    for (const event of events) {
      expect(event.versions).toBe(String(sets[0]!.pk).split('#').at(-1));
      expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(1024);
    }
    expect(Buffer.byteLength(JSON.stringify(sets[0]!.versions))).toBeGreaterThan(4096);
    expect(sets[0]!.ttl).toBeGreaterThan(Math.max(...events.map((e) => e.ttl as number)));
    expect(await listedVersions('job-1')).toEqual(expected);
    expect(await listedVersions('job-2')).toEqual(expected);
  });

  it('are named without a write by a container that wrote or saw the set, and written again once it would expire first', async () => {
    const { sets } = await auditItems();
    const key = { pk: sets[0]!.pk, sk: sets[0]!.sk };
    // The set is gone: this container remembers it and names it without writing it again.
    await svc.deps.db.doc.send(new DeleteCommand({ TableName: svc.tableName, Key: key }));
    expect((await runtime(svc.call, 'job-3')).status).toBe(200);
    expect((await auditItems()).sets).toHaveLength(0);
    expect(await listedVersions('job-3')).toBeUndefined(); // a set gone leaves its events without versions, not failed

    // Another container does not know it: it looks, finds none, and writes it with its event.
    const other = caller(createLocalApp(testDeps(svc.deps.config)));
    expect((await runtime(other, 'job-4')).status).toBe(200);
    expect((await auditItems()).sets).toHaveLength(1);
    expect(await listedVersions('job-4')).toEqual(expected);

    // A third finds it, but expiring before its own event would: it writes it again, for longer.
    await svc.deps.db.doc.send(
      new UpdateCommand({
        TableName: svc.tableName,
        Key: key,
        UpdateExpression: 'SET #ttl = :soon',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':soon': Math.floor(Date.now() / 1000) + 60 },
      }),
    );
    const third = caller(createLocalApp(testDeps(svc.deps.config)));
    expect((await runtime(third, 'job-5')).status).toBe(200);
    const after = (await auditItems()).sets;
    expect(after).toHaveLength(1);
    expect(after[0]!.ttl).toBeGreaterThan(Math.floor(Date.now() / 1000) + 86_400);
  });

  it('stay in the event when they are few', async () => {
    const small = (await svc.must(201, 'POST', `${V1}/environmentshub`, { name: 'few' })).data.id;
    await svc.must(201, 'POST', `${V1}/environmentshub/${small}/variables`, { name: 'ONE', value: '1' });
    const before = (await auditItems()).sets.length;
    const res = await svc.call('GET', `${V1}/environmentshub/${small}/runtime`, {
      key: svc.seed.serviceKey,
      headers: { 'x-job-id': 'job-small' },
    });
    expect(res.status).toBe(200);
    const { events, sets } = await auditItems();
    expect(sets).toHaveLength(before);
    expect(events.find((e) => e.jobId === 'job-small')?.versions).toEqual({ ONE: 1 });
  });
});
