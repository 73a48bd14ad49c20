import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { readEntryById } from '../../shared/data/entries.js';
import { keys } from '../../shared/data/keys.js';
import { getItem } from '../../shared/storage/item.js';
import { meterReadUnits } from '../support/read-units.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * An update, delete or unlink addresses one entry by its id: the index gives its name, then one
 * GetItem reads it; a listing reads the entries without their values. Not the environment's whole
 * partition, values included, on the partition every job start reads.
 */

const V1 = '/api/v1';
let svc: TestService;
let envId: string;
const calls: { command: string; scanned?: number }[] = [];
let readUnits: ReturnType<typeof meterReadUnits>;

beforeAll(async () => {
  svc = await startTestService();
  svc.deps.db.raw.middlewareStack.add((next, context) => async (args) => {
    const out = await next(args);
    calls.push({
      command: (context.commandName ?? '').replace(/Command$/, ''),
      scanned: (out.output as { ScannedCount?: number }).ScannedCount,
    });
    return out;
  });
  readUnits = meterReadUnits(svc.deps.db);
  envId = (await svc.must(201, 'POST', `${V1}/environmentshub`, { name: 'by-id' })).data.id;
  for (let i = 0; i < 40; i++) {
    await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/secrets`, {
      name: `BIG_${i}`,
      value: 'v'.repeat(60_000),
    });
  }
});

describe('an entry by its id', () => {
  it('an update reads one entry, not the partition of 40 sealed values of 60 KB', async () => {
    const created = await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, {
      name: 'SMALL',
      value: 'one',
    });
    calls.length = 0;
    await svc.must(200, 'PATCH', `${V1}/environmentshub/${envId}/variables/${created.data.id}`, { value: 'two' });
    const partitionReads = calls.filter((c) => c.command === 'Query' && (c.scanned ?? 0) > 1);
    expect(partitionReads).toEqual([]);
    expect(calls.filter((c) => c.command === 'Query')).toHaveLength(1);
  });

  it('finds an entry the index has not got (written before it, or not yet propagated) by reading the entries', async () => {
    const item = await getItem(svc.deps.db, keys.entry(envId, 'BIG_3'));
    const { gsi1pk: _pk, gsi1sk: _sk, ...withoutIndex } = item!;
    await svc.deps.db.doc.send(new PutCommand({ TableName: svc.tableName, Item: withoutIndex }));
    expect((await readEntryById(svc.deps.db, envId, item!.id as string))?.name).toBe('BIG_3');
    expect(await readEntryById(svc.deps.db, envId, 'aaaaaaaaaaaaaaaaaaaaaaaa')).toBeUndefined();
  });

  it('follows a rename: the index names the entry under its new name', async () => {
    const created = await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, {
      name: 'BEFORE',
      value: 'x',
    });
    await svc.must(200, 'PATCH', `${V1}/environmentshub/${envId}/variables/${created.data.id}`, { name: 'AFTER' });
    calls.length = 0;
    expect((await readEntryById(svc.deps.db, envId, created.data.id))?.name).toBe('AFTER');
    // The name from the index beside the value item, then the entry under that name.
    expect(calls.map((c) => c.command).sort()).toEqual(['GetItem', 'GetItem', 'Query']);
  });
});

describe('values apart from their entries', () => {
  it("a listing reads the entries, not the 40 sealed values of 60 KB; the variables' listing only the variables' values", async () => {
    await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, { name: 'PLAIN', value: 'p'.repeat(9000) });
    let listed: any;
    const listUnits = await readUnits.of(async () => {
      listed = await svc.must(200, 'GET', `${V1}/environmentshub/${envId}/secrets`);
    });
    expect(listed.data.filter((s: { name: string }) => s.name.startsWith('BIG_'))).toHaveLength(40);
    // 40 values of 60 KB are 600 read units; the entries alone a handful.
    expect(listUnits).toBeGreaterThan(0);
    expect(listUnits).toBeLessThan(10);

    let variables: any;
    const variableUnits = await readUnits.of(async () => {
      variables = await svc.must(200, 'GET', `${V1}/environmentshub/${envId}/variables`);
    });
    expect(variables.data.find((v: { name: string }) => v.name === 'PLAIN').value).toBe('p'.repeat(9000));
    expect(variableUnits).toBeLessThan(15);
    // The runtime read does read every value.
    expect(await readUnits.of(() => svc.runtimeEnv(envId))).toBeGreaterThan(500);
  });

  it('a renamed secret keeps its value item; a new value replaces it', async () => {
    const secret = await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/secrets`, { name: 'RT', value: 'rt-1' });
    expect((await svc.runtimeEnv(envId)).RT).toBe('rt-1');
    await svc.must(200, 'PATCH', `${V1}/environmentshub/${envId}/secrets/${secret.data.id}`, { name: 'RT_RENAMED' });
    expect((await svc.runtimeEnv(envId)).RT_RENAMED).toBe('rt-1');
    await svc.must(200, 'PATCH', `${V1}/environmentshub/${envId}/secrets/${secret.data.id}`, { value: 'rt-2' });
    const env = await svc.runtimeEnv(envId);
    expect([env.RT, env.RT_RENAMED]).toEqual([undefined, 'rt-2']);
  });

  it('a delete takes the value item with the entry, and a restore puts it back', async () => {
    const variable = await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, {
      name: 'GONE',
      value: 'g',
    });
    const valueKey = keys.entryValue(envId, variable.data.id);
    expect((await getItem(svc.deps.db, valueKey))?.value).toBe('g');
    await svc.must(200, 'DELETE', `${V1}/environmentshub/${envId}/variables/${variable.data.id}`);
    expect(await getItem(svc.deps.db, valueKey)).toBeUndefined();
    await svc.must(200, 'POST', `${V1}/environmentshub/${envId}/variables/${variable.data.id}/restore`, {});
    expect((await getItem(svc.deps.db, valueKey))?.value).toBe('g');
    expect((await svc.runtimeEnv(envId)).GONE).toBe('g');
  });

  it('entries written with their value inline are read as they are and move it out on their next write', async () => {
    const inline = async (kind: 'secrets' | 'variables', name: string, value: string) => {
      const created = await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/${kind}`, { name, value });
      const valueKey = keys.entryValue(envId, created.data.id);
      const { pk: _pk, sk: _sk, id: _id, ...valueFields } = (await getItem(svc.deps.db, valueKey))!;
      const entry = await getItem(svc.deps.db, keys.entry(envId, name));
      await svc.deps.db.doc.send(new PutCommand({ TableName: svc.tableName, Item: { ...entry, ...valueFields } }));
      await svc.deps.db.doc.send(new DeleteCommand({ TableName: svc.tableName, Key: valueKey }));
      return { id: created.data.id as string, valueKey };
    };
    const secret = await inline('secrets', 'OLD_SECRET', 'old-secret');
    const variable = await inline('variables', 'OLD_VARIABLE', 'old-variable');

    const env = await svc.runtimeEnv(envId);
    expect([env.OLD_SECRET, env.OLD_VARIABLE]).toEqual(['old-secret', 'old-variable']);
    const variables = await svc.must(200, 'GET', `${V1}/environmentshub/${envId}/variables`);
    expect(variables.data.find((v: { name: string }) => v.name === 'OLD_VARIABLE').value).toBe('old-variable');

    // A change of the description alone, and a rename: the value moves to its own item.
    await svc.must(200, 'PATCH', `${V1}/environmentshub/${envId}/secrets/${secret.id}`, { description: 'moved' });
    await svc.must(200, 'PATCH', `${V1}/environmentshub/${envId}/variables/${variable.id}`, { name: 'NEW_VARIABLE' });
    expect((await getItem(svc.deps.db, keys.entry(envId, 'OLD_SECRET')))?.ct).toBeUndefined();
    expect((await getItem(svc.deps.db, secret.valueKey))?.ct).toBeInstanceOf(Uint8Array);
    expect((await getItem(svc.deps.db, keys.entry(envId, 'NEW_VARIABLE')))?.value).toBeUndefined();
    expect((await getItem(svc.deps.db, variable.valueKey))?.value).toBe('old-variable');
    const after = await svc.runtimeEnv(envId);
    expect([after.OLD_SECRET, after.NEW_VARIABLE]).toEqual(['old-secret', 'old-variable']);
  });
});
