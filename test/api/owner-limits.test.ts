import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../shared/config.js';
import { startTestService, type TestService } from '../support/service.js';
import { partitionItems } from '../support/table.js';

/**
 * An owner holds at most MAX_ENVIRONMENTS_PER_OWNER environments and a user creates at most
 * MAX_TEAMS_PER_USER teams: counted in the create's own transaction, so that concurrent creates
 * at the cap never pass it; a delete frees a place; the environment list is paged in the table.
 */
const V1 = '/api/v1';
const MAX_ENVIRONMENTS = 5;
const MAX_TEAMS = 3;
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({
    env: { MAX_ENVIRONMENTS_PER_OWNER: String(MAX_ENVIRONMENTS), MAX_TEAMS_PER_USER: String(MAX_TEAMS) },
  });
});

const createEnvironment = (key: string, name: string) =>
  svc.call('POST', `${V1}/environmentshub`, { key, body: { name } });

/** The owner's environments as stored: their name claims. */
async function storedEnvironments(userId: string): Promise<string[]> {
  const items = await partitionItems(svc.deps.db, `OWNER#U#${userId}`);
  return items.map((item) => item.sk as string).filter((sk) => sk.startsWith('ENVNAME#'));
}

const environmentLimit = {
  code: 'limit_reached',
  detail: `An owner holds at most ${MAX_ENVIRONMENTS} environments (the MAX_ENVIRONMENTS_PER_OWNER limit).`,
};

describe('environments per owner', () => {
  it('concurrent creates at the cap never pass it; a delete frees a place', async () => {
    const user = await svc.newUser('env-racer');
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => createEnvironment(user.key, `racing-${String(i).padStart(2, '0')}`)),
    );
    const created = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status !== 201);
    expect(created.length).toBe(MAX_ENVIRONMENTS);
    for (const answer of refused) expect([answer.status, answer.body]).toEqual([409, environmentLimit]);
    expect((await storedEnvironments(user.id)).length).toBe(MAX_ENVIRONMENTS);

    const listed = await svc.call('GET', `${V1}/environmentshub`, { key: user.key });
    expect(listed.body.totalCount).toBe(MAX_ENVIRONMENTS);
    const gone = created[0]!.body.data.id as string;
    expect((await svc.call('DELETE', `${V1}/environmentshub/${gone}`, { key: user.key })).status).toBe(200);
    expect((await svc.call('GET', `${V1}/environmentshub`, { key: user.key })).body.totalCount).toBe(
      MAX_ENVIRONMENTS - 1,
    );
    expect((await createEnvironment(user.key, 'in-its-place')).status).toBe(201);
    const over = await createEnvironment(user.key, 'one-too-many');
    expect([over.status, over.body]).toEqual([409, environmentLimit]);
  });

  it('an owner whose environments were made before the count is counted on first use', async () => {
    const user = await svc.newUser('env-elder');
    for (const name of ['old-a', 'old-b', 'old-c']) expect((await createEnvironment(user.key, name)).status).toBe(201);
    // As stored before the count existed: no environmentCount.
    await svc.deps.db.doc.send(
      new UpdateCommand({
        TableName: svc.deps.db.tableName,
        Key: { pk: `OWNER#U#${user.id}`, sk: 'COUNTS' },
        UpdateExpression: 'REMOVE environmentCount',
      }),
    );
    expect((await svc.call('GET', `${V1}/environmentshub`, { key: user.key })).body.totalCount).toBe(3);
    expect((await createEnvironment(user.key, 'new-a')).status).toBe(201);
    expect((await createEnvironment(user.key, 'new-b')).status).toBe(201);
    const over = await createEnvironment(user.key, 'new-c');
    expect([over.status, over.body]).toEqual([409, environmentLimit]);

    // Uncounted again, a delete counts first too: the count stays true.
    await svc.deps.db.doc.send(
      new UpdateCommand({
        TableName: svc.deps.db.tableName,
        Key: { pk: `OWNER#U#${user.id}`, sk: 'COUNTS' },
        UpdateExpression: 'REMOVE environmentCount',
      }),
    );
    const first = (await svc.call('GET', `${V1}/environmentshub`, { key: user.key })).body.data[0];
    expect((await svc.call('DELETE', `${V1}/environmentshub/${first.id}`, { key: user.key })).status).toBe(200);
    expect((await svc.call('GET', `${V1}/environmentshub`, { key: user.key })).body.totalCount).toBe(4);
  });

  it('are listed a page at a time, in name order, with the total', async () => {
    const user = await svc.newUser('env-pager');
    const names = ['delta', 'alpha', 'echo', 'charlie', 'bravo'];
    for (const name of names) expect((await createEnvironment(user.key, name)).status).toBe(201);
    const pageOf = async (query: string) => {
      const res = await svc.call('GET', `${V1}/environmentshub?${query}`, { key: user.key });
      expect(res.status).toBe(200);
      return { names: res.body.data.map((e: any) => e.name), totalCount: res.body.totalCount };
    };
    expect(await pageOf('')).toEqual({ names: [...names].sort(), totalCount: 5 });
    expect(await pageOf('offset=1&limit=2')).toEqual({ names: ['bravo', 'charlie'], totalCount: 5 });
    expect(await pageOf('offset=4&limit=2')).toEqual({ names: ['echo'], totalCount: 5 });
    expect(await pageOf('offset=7')).toEqual({ names: [], totalCount: 5 });
    expect(await pageOf('offset=4000000000&limit=500')).toEqual({ names: [], totalCount: 5 });
  });
});

describe('teams per user', () => {
  it('concurrent creates at the cap never pass it', async () => {
    const user = await svc.newUser('team-racer');
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        svc.call('POST', `${V1}/teams`, { key: user.key, body: { name: `Team ${i}`, slug: `racer-team-${i}` } }),
      ),
    );
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBe(MAX_TEAMS);
    for (const answer of answers.filter((a) => a.status !== 201)) {
      expect([answer.status, answer.body]).toEqual([
        409,
        { code: 'limit_reached', detail: `A user creates at most ${MAX_TEAMS} teams (the MAX_TEAMS_PER_USER limit).` },
      ]);
    }
    const teams = await svc.call('GET', `${V1}/user/teams`, { key: user.key });
    expect(teams.body.totalCount).toBe(MAX_TEAMS);
  });
});

describe('the settings', () => {
  it('default to 1,000 environments per owner and 100 teams per user', () => {
    const config = readConfig({});
    expect([config.maxEnvironmentsPerOwner, config.maxTeamsPerUser]).toEqual([1_000, 100]);
    const set = readConfig({ MAX_ENVIRONMENTS_PER_OWNER: '7', MAX_TEAMS_PER_USER: '2' });
    expect([set.maxEnvironmentsPerOwner, set.maxTeamsPerUser]).toEqual([7, 2]);
  });
});
