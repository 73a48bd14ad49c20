import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { mapLimit } from '../../shared/map-limit.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Deleting an environment destroys everything it held, whatever its size: after the 200 no item
 * of it is left in the table (entries, requirements, recently deleted entries, versions, the
 * reverse index of its links), and a delete stopped after its commit is finished later.
 */
let svc: TestService;
const V1 = '/api/v1';

beforeAll(async () => {
  svc = await startTestService();
});

let seq = 0;
const must = (status: number, method: string, path: string, body?: unknown) => svc.must(status, method, path, body);

/** A value of about 60 KB: 120 of them fill a partition well past one 1 MB page of a Query. */
const bigValue = (i: number) => `${String(i).padStart(4, '0')}${'v'.repeat(60_000)}`;

/** An environment with 120 big direct secrets (some with versions), variables, a requirement, deleted entries and links. */
async function bigEnvironment(): Promise<{ envId: string; ids: string[]; secretIds: string[] }> {
  const envId = (await must(201, 'POST', `${V1}/environmentshub`, { name: `big-env-${++seq}` })).data.id as string;
  const base = `${V1}/environmentshub/${envId}`;
  const secrets = await mapLimit([...Array(120).keys()], 8, async (i) => {
    return (await must(201, 'POST', `${base}/secrets`, { name: `BIG_${seq}_${i}`, value: bigValue(i) })).data
      .id as string;
  });
  // Versions (HIST#<id>) of a few of them, and two recently deleted entries (TRASH#<envId>).
  for (const id of secrets.slice(0, 3)) await must(200, 'PATCH', `${base}/secrets/${id}`, { value: bigValue(999) });
  const variables = await mapLimit([0, 1, 2], 3, async (i) => {
    return (await must(201, 'POST', `${base}/variables`, { name: `VAR_${seq}_${i}`, value: `plain-${i}` })).data
      .id as string;
  });
  await must(200, 'DELETE', `${base}/secrets/${secrets[119]}`);
  await must(200, 'DELETE', `${base}/variables/${variables[2]}`);
  await must(200, 'PUT', `${base}/requirements/NEEDED_${seq}`, {});
  const secretIds = await mapLimit([0, 1, 2], 3, async (i) => {
    const id = (await must(201, 'POST', `${V1}/secrets/`, { name: `GLOBAL_${seq}_${i}`, value: `g${i}` })).data
      .id as string;
    await must(201, 'POST', `${base}/secrets/link/${id}`, {});
    return id;
  });
  return { envId, ids: [...secrets, ...variables], secretIds };
}

/** Every item of the table whose key names the environment or one of its values (a Scan, every page). */
async function itemsOf(envId: string, ids: string[]): Promise<string[]> {
  const names = [envId, ...ids];
  const found: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await svc.deps.db.doc.send(
      new ScanCommand({ TableName: svc.deps.db.tableName, ProjectionExpression: 'pk, sk', ExclusiveStartKey: start }),
    );
    for (const item of out.Items ?? []) {
      const key = `${item.pk as string} ${item.sk as string}`;
      // Audit events name the environment in their attributes, not in their keys: they stay.
      if (names.some((name) => key.includes(name))) found.push(key);
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return found;
}

async function linkedEnvironmentIds(secretId: string): Promise<string[]> {
  return (await must(200, 'GET', `${V1}/secrets/${secretId}`)).data.linkedEnvironments.map((e: any) => e.id);
}

/**
 * BatchWriteItem leaves part of each batch unprocessed, as DynamoDB does under load: every other
 * delete of a batch is held back (not sent) and answered as unprocessed, each key once.
 */
function leaveHalfUnprocessed(): () => void {
  const heldBack = new Set<string>();
  svc.deps.db.raw.middlewareStack.add(
    (next, context) => async (args: any) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      const [table, requests] = Object.entries(args.input.RequestItems as Record<string, any[]>)[0]!;
      const hold = requests.filter((r, i) => {
        const id = `${r.DeleteRequest.Key.pk}|${r.DeleteRequest.Key.sk}`;
        if (i % 2 === 0 || heldBack.has(id)) return false;
        heldBack.add(id);
        return true;
      });
      const send = requests.filter((r) => !hold.includes(r));
      const out: any = send.length
        ? await next({ ...args, input: { ...args.input, RequestItems: { [table]: send } } })
        : { output: { $metadata: {} } };
      if (hold.length) out.output.UnprocessedItems = { [table]: hold };
      return out;
    },
    { step: 'initialize', name: 'leaveHalfUnprocessed' },
  );
  return () => svc.deps.db.raw.middlewareStack.remove('leaveHalfUnprocessed');
}

/** Lets the first transaction through and fails every later request, until the returned function is called. */
function stopAfterTheCommit(): () => void {
  let committed = false;
  svc.deps.db.raw.middlewareStack.add(
    (next, context) => async (args) => {
      if (committed) throw Object.assign(new Error('injected: the process stopped'), { name: 'InjectedStop' });
      if (context.commandName === 'TransactWriteItemsCommand') committed = true;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'stopAfterCommit', priority: 'low' },
  );
  return () => svc.deps.db.raw.middlewareStack.remove('stopAfterCommit');
}

describe('deleting an environment', () => {
  it(
    'over 1 MB of values, with writes left unprocessed: after the 200 no item of it is left, nor its links',
    { timeout: 120_000 },
    async () => {
      const { envId, ids, secretIds } = await bigEnvironment();
      expect((await itemsOf(envId, ids)).length).toBeGreaterThan(120);
      for (const id of secretIds) expect(await linkedEnvironmentIds(id)).toEqual([envId]);

      const resume = leaveHalfUnprocessed();
      await must(200, 'DELETE', `${V1}/environmentshub/${envId}`).finally(resume);

      expect(await itemsOf(envId, ids)).toEqual([]);
      for (const id of secretIds) expect(await linkedEnvironmentIds(id)).toEqual([]);
      const again = await svc.call('DELETE', `${V1}/environmentshub/${envId}`, { key: svc.seed.user.apiKey });
      expect([again.status, again.body.code]).toEqual([404, 'not_found']);
    },
  );

  it(
    'stopped right after its commit: gone for every reader, and the next write of the owner finishes it',
    { timeout: 120_000 },
    async () => {
      const { envId, ids, secretIds } = await bigEnvironment();

      const resume = stopAfterTheCommit();
      const stopped = await svc
        .call('DELETE', `${V1}/environmentshub/${envId}`, { key: svc.seed.user.apiKey })
        .finally(resume);
      // The process died after the commit (here: every later call failed).
      expect(stopped.status).toBeGreaterThanOrEqual(500);
      expect((await itemsOf(envId, ids)).length).toBeGreaterThan(120);
      const read = await svc.call('GET', `${V1}/environmentshub/${envId}/secrets`, { key: svc.seed.user.apiKey });
      expect([read.status, read.body.code]).toEqual([404, 'not_found']);
      // Its links are still stored, yet no secret lists it among its environments.
      for (const id of secretIds) expect(await linkedEnvironmentIds(id)).toEqual([]);

      // The owner's next write (here: another environment) finishes it before its own work.
      await must(201, 'POST', `${V1}/environmentshub`, { name: `after-stop-${++seq}` });
      expect(await itemsOf(envId, ids)).toEqual([]);
      for (const id of secretIds) expect(await linkedEnvironmentIds(id)).toEqual([]);
    },
  );
});
