import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { readEntryById } from '../../shared/data/entries.js';
import { keys } from '../../shared/data/keys.js';
import { getItem } from '../../shared/storage/item.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * An update, delete or unlink addresses one entry by its id: the index gives its name, then one
 * GetItem reads it. Not the environment's whole partition, values included, on the partition
 * every job start reads.
 */

const V1 = '/api/v1';
let svc: TestService;
let envId: string;
const calls: { command: string; scanned?: number }[] = [];

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
    expect(calls.map((c) => c.command)).toEqual(['Query', 'GetItem']);
  });
});
