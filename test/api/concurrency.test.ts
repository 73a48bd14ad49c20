import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { readEntries } from '../../shared/data/entries.js';
import { linksOf } from '../../shared/data/links.js';
import { ownerKeyOf } from '../../shared/owner-key.js';
import { startTestService, type CallResult, type TestService } from '../support/service.js';

/**
 * The conflict rules under concurrency: one name per environment and one global secret name
 * per owner hold however many requests race, and the environment's entry count always equals
 * the number of its entries.
 */
let svc: TestService;
let key: string;

beforeAll(async () => {
  svc = await startTestService();
  key = svc.seed.user.apiKey;
});

let envSeq = 0;
async function newEnvironment(teamId?: string): Promise<string> {
  const res = await svc.call('POST', '/api/v1/environmentshub', {
    key,
    body: { name: `race-${++envSeq}`, ...(teamId ? { teamId } : {}) },
  });
  expect(res.status).toBe(201);
  return res.body.data.id as string;
}

async function newGlobalSecret(name: string, value: string, teamId?: string): Promise<string> {
  const res = await svc.call('POST', '/api/v1/secrets/', { key, body: { name, value, ...(teamId ? { teamId } : {}) } });
  expect(res.status).toBe(201);
  return res.body.data.id as string;
}

async function entryCount(envId: string): Promise<number> {
  const out = await svc.deps.db.doc.send(
    new GetCommand({ TableName: svc.deps.db.tableName, Key: { pk: `ENV#${envId}`, sk: 'META' }, ConsistentRead: true }),
  );
  expect(out.Item).toBeDefined();
  return out.Item!.entryCount as number;
}

/**
 * Every view of an environment agrees: META's entryCount, the entry items, the list routes
 * and the runtime read. Returns the runtime set.
 */
async function expectConsistent(envId: string, expectedEntries: number) {
  const items = await readEntries(svc.deps.db, envId);
  expect(items).toHaveLength(expectedEntries);
  expect(await entryCount(envId)).toBe(expectedEntries);
  const secrets = await svc.call('GET', `/api/v1/environmentshub/${envId}/secrets`, { key });
  const variables = await svc.call('GET', `/api/v1/environmentshub/${envId}/variables`, { key });
  expect(secrets.status).toBe(200);
  expect(variables.status).toBe(200);
  expect(secrets.body.totalCount + variables.body.totalCount).toBe(expectedEntries);
  const runtime = await svc.call('GET', `/api/v1/environmentshub/${envId}/runtime`, { key: svc.seed.serviceKey });
  expect(runtime.status).toBe(200);
  expect(Object.keys(runtime.body.data.env)).toHaveLength(expectedEntries);
  return { secrets: secrets.body.data as any[], variables: variables.body.data as any[], runtime: runtime.body.data };
}

/**
 * A deterministic interleaving: `held` runs until its first TransactWriteItems whose input
 * mentions `marker`, which waits there while `meanwhile` runs to the end; then it writes on
 * what it read before. Later transactions (its retries too) go through.
 */
let gateSeq = 0;
async function interleave<A, B>(marker: string, held: () => Promise<A>, meanwhile: () => Promise<B>): Promise<[A, B]> {
  const name = `hold-${++gateSeq}`;
  let reached!: () => void;
  const reachedGate = new Promise<void>((resolve) => (reached = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let used = false;
  svc.deps.db.raw.middlewareStack.add(
    (next, context) => async (args) => {
      if (!used && context.commandName === 'TransactWriteItemsCommand' && JSON.stringify(args.input).includes(marker)) {
        used = true;
        reached();
        await released;
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    const heldResult = held().finally(reached);
    const other = reachedGate.then(meanwhile).finally(release);
    const results = await Promise.all([heldResult, other]);
    expect(used, `no transaction mentioned ${marker}`).toBe(true);
    return results;
  } finally {
    svc.deps.db.raw.middlewareStack.remove(name);
  }
}

const count = (results: CallResult[], status: number, code?: string) =>
  results.filter((r) => r.status === status && (code === undefined || r.body?.code === code)).length;

type Attempt = { kind: 'secret' | 'variable' | 'link'; value: string; run: () => Promise<CallResult> };

describe('one name per environment under concurrency', () => {
  it('20 simultaneous direct secrets, variables and links of one name: one wins, the rest are 409', async () => {
    // A few rounds, so different kinds get to win.
    for (let round = 0; round < 3; round++) {
      const envId = await newEnvironment();
      const name = `CONTESTED_${round}`;
      const globalValue = `global-${round}`;
      const secretId = await newGlobalSecret(name, globalValue);
      const attempts: Attempt[] = [];
      for (let i = 0; i < 20; i++) {
        const value = `value-${round}-${i}`;
        if (i % 3 === 0)
          attempts.push({
            kind: 'secret',
            value,
            run: () => svc.call('POST', `/api/v1/environmentshub/${envId}/secrets`, { key, body: { name, value } }),
          });
        else if (i % 3 === 1)
          attempts.push({
            kind: 'variable',
            value,
            run: () => svc.call('POST', `/api/v1/environmentshub/${envId}/variables`, { key, body: { name, value } }),
          });
        else
          attempts.push({
            kind: 'link',
            value: globalValue,
            run: () => svc.call('POST', `/api/v1/environmentshub/${envId}/secrets/link/${secretId}`, { key, body: {} }),
          });
      }
      // Links take one more read before their write: in later rounds the others start a
      // little later, so that every kind gets a chance to win.
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const results = await Promise.all(
        attempts.map(async (a) => {
          if (a.kind !== 'link') await pause(round * 6);
          return a.run();
        }),
      );

      expect(count(results, 201)).toBe(1);
      expect(count(results, 409)).toBe(19);
      const winnerIndex = results.findIndex((r) => r.status === 201);
      const winner = attempts[winnerIndex]!;
      results.forEach((res, i) => {
        if (i === winnerIndex) return;
        const loser = attempts[i]!;
        // A second link of the linked secret is already_linked; everything else is name_taken.
        const expected = winner.kind === 'link' && loser.kind === 'link' ? 'already_linked' : 'name_taken';
        expect(res.body.code, `attempt ${i} (${loser.kind}) after a ${winner.kind} won`).toBe(expected);
        expect(typeof res.body.detail).toBe('string');
        if (expected === 'name_taken') {
          // The remedy fits what the loser was doing (shared/conflicts.ts).
          const free = {
            secret: 'rename or remove the existing direct secret',
            variable: 'rename or remove that environment variable',
            link: `unlink global secret ${name} (${secretId})`,
          }[winner.kind];
          const what = { secret: 'direct secret', variable: 'variable', link: '' }[loser.kind];
          const remedy =
            loser.kind === 'link'
              ? {
                  secret: 'Rename or remove the existing direct secret first, then link the global secret.',
                  variable: 'Rename or remove that environment variable before adding or linking the secret.',
                  link: '',
                }[winner.kind]
              : loser.kind === winner.kind
                ? `Update that ${what} instead, or choose another name.`
                : `Choose another name, or ${free} first, then add the ${what}.`;
          expect(res.body.detail).toContain(remedy);
        }
      });

      const { secrets, variables, runtime } = await expectConsistent(envId, 1);
      const listed = [...secrets, ...variables];
      expect(listed.map((e) => e.name)).toEqual([name]);
      const source = { secret: 'environment', variable: 'variable', link: 'global-linked' }[winner.kind];
      expect(runtime.env).toEqual({ [name]: winner.value });
      expect(runtime.sources).toEqual({ [name]: source });
      if (winner.kind === 'link') expect(secrets[0]).toMatchObject({ source: 'global-linked', secretId });
      if (winner.kind === 'secret') expect(secrets[0]).toMatchObject({ source: 'environment' });
      if (winner.kind === 'variable') expect(variables[0]).toMatchObject({ value: winner.value });
      // The reverse index holds this environment only when the link won.
      const links = await linksOf(svc.deps.db, ownerKeyOf({ userId: svc.seed.user.id }), secretId);
      expect(links.map((l) => l.envId)).toEqual(winner.kind === 'link' ? [envId] : []);
    }
  });

  it('20 simultaneous renames of different variables into one name: one wins, the rest are 409 name_taken', async () => {
    const envId = await newEnvironment();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await svc.call('POST', `/api/v1/environmentshub/${envId}/variables`, {
        key,
        body: { name: `VAR_${i}`, value: `v${i}` },
      });
      expect(res.status).toBe(201);
      ids.push(res.body.data.id);
    }
    const results = await Promise.all(
      ids.map((id) =>
        svc.call('PATCH', `/api/v1/environmentshub/${envId}/variables/${id}`, { key, body: { name: 'TARGET' } }),
      ),
    );
    expect(count(results, 200)).toBe(1);
    expect(count(results, 409, 'name_taken')).toBe(19);
    const winner = results.findIndex((r) => r.status === 200);
    const { variables, runtime } = await expectConsistent(envId, 20);
    expect(variables.filter((v) => v.name === 'TARGET')).toEqual([expect.objectContaining({ id: ids[winner] })]);
    expect(runtime.env.TARGET).toBe(`v${winner}`);
    expect(runtime.env[`VAR_${winner}`]).toBeUndefined();
  });

  it('10 simultaneous deletes of one direct secret: one 200, the rest 404', async () => {
    const envId = await newEnvironment();
    const created = await svc.call('POST', `/api/v1/environmentshub/${envId}/secrets`, {
      key,
      body: { name: 'DOOMED', value: 'x' },
    });
    expect(created.status).toBe(201);
    await svc.call('POST', `/api/v1/environmentshub/${envId}/variables`, { key, body: { name: 'KEEP', value: 'k' } });
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        svc.call('DELETE', `/api/v1/environmentshub/${envId}/secrets/${created.body.data.id}`, { key }),
      ),
    );
    expect(count(results, 200)).toBe(1);
    expect(count(results, 404, 'not_found')).toBe(9);
    const { runtime } = await expectConsistent(envId, 1);
    expect(runtime.env).toEqual({ KEEP: 'k' });
  });
});

describe('one global secret name per owner under concurrency', () => {
  it('20 simultaneous creates of one name: one 201, 19 × 409 name_taken, one listed', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        svc.call('POST', '/api/v1/secrets/', { key, body: { name: 'RACED_GLOBAL', value: `raced-${i}` } }),
      ),
    );
    expect(count(results, 201)).toBe(1);
    expect(count(results, 409, 'name_taken')).toBe(19);
    const winner = results.findIndex((r) => r.status === 201);
    const list = await svc.call('GET', '/api/v1/secrets/', { key });
    expect(list.status).toBe(200);
    const listed = list.body.data.filter((s: any) => s.name === 'RACED_GLOBAL');
    expect(listed).toEqual([results[winner]!.body.data]);
  });

  it('in a new team scope, the racing first writes create one data key and the winner opens', async () => {
    const team = await svc.call('POST', '/api/v1/teams', { key, body: { name: 'Race team', slug: 'race-team' } });
    expect(team.status).toBe(201);
    const teamId = team.body.data.id as string;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        svc.call('POST', '/api/v1/secrets/', { key, body: { name: 'TEAM_RACED', value: `team-${i}`, teamId } }),
      ),
    );
    expect(count(results, 201)).toBe(1);
    expect(count(results, 409, 'name_taken')).toBe(19);
    const winner = results.findIndex((r) => r.status === 201);
    const list = await svc.call('GET', `/api/v1/secrets/?teamId=${teamId}`, { key });
    expect(list.body.totalCount).toBe(1);
    expect(list.body.data[0]).toMatchObject({ name: 'TEAM_RACED', teamId, userId: null });

    // One data key version exists for the team, and the winner's value opens under it.
    const deks = await svc.deps.db.doc.send(
      new QueryCommand({
        TableName: svc.deps.db.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
        ExpressionAttributeValues: { ':pk': `OWNER#T#${teamId}`, ':d': 'DEK#' },
        ConsistentRead: true,
      }),
    );
    expect(deks.Items).toHaveLength(1);
    const envId = await newEnvironment(teamId);
    const link = await svc.call('POST', `/api/v1/environmentshub/${envId}/secrets/link/${list.body.data[0].id}`, {
      key,
      body: {},
    });
    expect(link.status).toBe(201);
    svc.deps.dataKeys.clear();
    const { runtime } = await expectConsistent(envId, 1);
    expect(runtime.env).toEqual({ TEAM_RACED: `team-${winner}` });
  });
});

describe('links under concurrency', () => {
  it('a link racing a rename of the same secret ends linked under the new name everywhere', async () => {
    const owner = ownerKeyOf({ userId: svc.seed.user.id });
    for (let round = 0; round < 5; round++) {
      const oldName = `LR_OLD_${round}`;
      const newName = `LR_NEW_${round}`;
      const secretId = await newGlobalSecret(oldName, `lr-${round}`);
      const linkedBefore = await newEnvironment();
      const linkedDuring = await newEnvironment();
      expect(
        (await svc.call('POST', `/api/v1/environmentshub/${linkedBefore}/secrets/link/${secretId}`, { key, body: {} }))
          .status,
      ).toBe(201);

      // Staggered a little differently each round, so that either may commit first.
      const [link, rename] = await Promise.all([
        new Promise((resolve) => setTimeout(resolve, round * 5)).then(() =>
          svc.call('POST', `/api/v1/environmentshub/${linkedDuring}/secrets/link/${secretId}`, { key, body: {} }),
        ),
        svc.call('PATCH', `/api/v1/secrets/${secretId}`, { key, body: { name: newName } }),
      ]);
      expect(link.status).toBe(201);
      expect(rename.status).toBe(200);
      expect(rename.body.data.name).toBe(newName);
      expect([oldName, newName]).toContain(link.body.data.secretName);

      for (const envId of [linkedBefore, linkedDuring]) {
        const { secrets, runtime } = await expectConsistent(envId, 1);
        expect(secrets.map((s) => [s.name, s.source, s.secretId])).toEqual([[newName, 'global-linked', secretId]]);
        expect(runtime.env).toEqual({ [newName]: `lr-${round}` });
        const items = await readEntries(svc.deps.db, envId);
        expect(items.map((i) => i.name)).toEqual([newName]);
      }
      const detail = await svc.call('GET', `/api/v1/secrets/${secretId}`, { key });
      expect(detail.body.data.name).toBe(newName);
      expect(detail.body.data.linkedEnvironments.map((e: any) => e.id).sort()).toEqual(
        [linkedBefore, linkedDuring].sort(),
      );
      expect((await linksOf(svc.deps.db, owner, secretId)).length).toBe(2);
      // The old name is free again in the owner's scope, the new one is taken.
      expect((await svc.call('POST', '/api/v1/secrets/', { key, body: { name: newName, value: 'x' } })).body.code).toBe(
        'name_taken',
      );
      expect((await svc.call('POST', '/api/v1/secrets/', { key, body: { name: oldName, value: 'x' } })).status).toBe(
        201,
      );
    }
  });

  it('10 simultaneous unlinks of one link: one 200, the rest 404, counts consistent', async () => {
    const owner = ownerKeyOf({ userId: svc.seed.user.id });
    const envId = await newEnvironment();
    const secretId = await newGlobalSecret('UNLINK_RACE', 'u');
    const other = await newGlobalSecret('UNLINK_KEEP', 'k');
    for (const id of [secretId, other]) {
      expect(
        (await svc.call('POST', `/api/v1/environmentshub/${envId}/secrets/link/${id}`, { key, body: {} })).status,
      ).toBe(201);
    }
    await expectConsistent(envId, 2);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        svc.call('DELETE', `/api/v1/environmentshub/${envId}/secrets/link/${secretId}`, { key }),
      ),
    );
    expect(count(results, 200)).toBe(1);
    expect(count(results, 404, 'not_found')).toBe(9);
    expect(results.find((r) => r.status === 200)!.body.data).toMatchObject({
      secretId,
      secretName: 'UNLINK_RACE',
      environmentId: envId,
    });
    const { runtime } = await expectConsistent(envId, 1);
    expect(runtime.env).toEqual({ UNLINK_KEEP: 'k' });
    expect(await linksOf(svc.deps.db, owner, secretId)).toEqual([]);
    expect((await linksOf(svc.deps.db, owner, other)).length).toBe(1);
    const detail = await svc.call('GET', `/api/v1/secrets/${secretId}`, { key });
    expect(detail.body.data.linkedEnvironments).toEqual([]);
  });

  it('links to many environments racing a delete of the secret leave no link behind', async () => {
    const owner = ownerKeyOf({ userId: svc.seed.user.id });
    const secretId = await newGlobalSecret('DELETE_RACE', 'd');
    const envs = await Promise.all(Array.from({ length: 6 }, () => newEnvironment()));
    const results = await Promise.all([
      ...envs.map((envId) =>
        svc.call('POST', `/api/v1/environmentshub/${envId}/secrets/link/${secretId}`, { key, body: {} }),
      ),
      svc.call('DELETE', `/api/v1/secrets/${secretId}`, { key }),
    ]);
    const deleted = results.at(-1)!;
    expect(deleted.status).toBe(200);
    for (const res of results.slice(0, -1)) {
      // A link either got in before the delete (and was removed by it) or found no secret.
      if (res.status !== 201) expect([res.status, res.body.code]).toEqual([404, 'not_found']);
    }
    for (const envId of envs) {
      const { runtime } = await expectConsistent(envId, 0);
      expect(runtime.env).toEqual({});
    }
    expect(await linksOf(svc.deps.db, owner, secretId)).toEqual([]);
    expect((await svc.call('GET', `/api/v1/secrets/${secretId}`, { key })).status).toBe(404);
  });

  it('a link that read the secret before a rename committed retries under the new name', async () => {
    const owner = ownerKeyOf({ userId: svc.seed.user.id });
    const secretId = await newGlobalSecret('HELD_LINK_OLD', 'hl');
    const linkedBefore = await newEnvironment();
    const linkedDuring = await newEnvironment();
    expect(
      (await svc.call('POST', `/api/v1/environmentshub/${linkedBefore}/secrets/link/${secretId}`, { key, body: {} }))
        .status,
    ).toBe(201);
    const [link, rename] = await interleave(
      `SLINK#${secretId}#${linkedDuring}`,
      () => svc.call('POST', `/api/v1/environmentshub/${linkedDuring}/secrets/link/${secretId}`, { key, body: {} }),
      () => svc.call('PATCH', `/api/v1/secrets/${secretId}`, { key, body: { name: 'HELD_LINK_NEW' } }),
    );
    expect(rename.status).toBe(200);
    expect(link.status).toBe(201);
    expect(link.body.data).toMatchObject({ secretId, secretName: 'HELD_LINK_NEW', environmentId: linkedDuring });
    for (const envId of [linkedBefore, linkedDuring]) {
      const { runtime } = await expectConsistent(envId, 1);
      expect(runtime.env).toEqual({ HELD_LINK_NEW: 'hl' });
    }
    expect((await linksOf(svc.deps.db, owner, secretId)).map((l) => l.envId).sort()).toEqual(
      [linkedBefore, linkedDuring].sort(),
    );
  });

  it('a rename that read the links before a new link committed retries and moves that link too', async () => {
    const secretId = await newGlobalSecret('HELD_RENAME_OLD', 'hr');
    const linkedBefore = await newEnvironment();
    const linkedDuring = await newEnvironment();
    expect(
      (await svc.call('POST', `/api/v1/environmentshub/${linkedBefore}/secrets/link/${secretId}`, { key, body: {} }))
        .status,
    ).toBe(201);
    const [rename, link] = await interleave(
      'SECRETNAME#HELD_RENAME_NEW',
      () => svc.call('PATCH', `/api/v1/secrets/${secretId}`, { key, body: { name: 'HELD_RENAME_NEW' } }),
      () => svc.call('POST', `/api/v1/environmentshub/${linkedDuring}/secrets/link/${secretId}`, { key, body: {} }),
    );
    expect(link.status).toBe(201);
    expect(link.body.data.secretName).toBe('HELD_RENAME_OLD');
    expect(rename.status).toBe(200);
    for (const envId of [linkedBefore, linkedDuring]) {
      const { runtime } = await expectConsistent(envId, 1);
      expect(runtime.env).toEqual({ HELD_RENAME_NEW: 'hr' });
    }
  });

  it('an unlink that found the link before a rename moved it still unlinks it', async () => {
    const owner = ownerKeyOf({ userId: svc.seed.user.id });
    const secretId = await newGlobalSecret('HELD_UNLINK_OLD', 'hu');
    const envId = await newEnvironment();
    expect(
      (await svc.call('POST', `/api/v1/environmentshub/${envId}/secrets/link/${secretId}`, { key, body: {} })).status,
    ).toBe(201);
    const [unlink, rename] = await interleave(
      `SLINK#${secretId}#${envId}`,
      () => svc.call('DELETE', `/api/v1/environmentshub/${envId}/secrets/link/${secretId}`, { key }),
      () => svc.call('PATCH', `/api/v1/secrets/${secretId}`, { key, body: { name: 'HELD_UNLINK_NEW' } }),
    );
    expect(rename.status).toBe(200);
    expect(unlink.status).toBe(200);
    expect(unlink.body.data).toMatchObject({ secretId, environmentId: envId });
    const { runtime } = await expectConsistent(envId, 0);
    expect(runtime.env).toEqual({});
    expect(await linksOf(svc.deps.db, owner, secretId)).toEqual([]);
  });

  it('a delete that read the secret before a rename committed removes it under its new name', async () => {
    const owner = ownerKeyOf({ userId: svc.seed.user.id });
    const secretId = await newGlobalSecret('HELD_DELETE_OLD', 'hd');
    const envs = [await newEnvironment(), await newEnvironment()];
    for (const envId of envs) {
      expect(
        (await svc.call('POST', `/api/v1/environmentshub/${envId}/secrets/link/${secretId}`, { key, body: {} })).status,
      ).toBe(201);
    }
    const [deleted, rename] = await interleave(
      `SECRETNAME#HELD_DELETE_OLD`,
      () => svc.call('DELETE', `/api/v1/secrets/${secretId}`, { key }),
      () => svc.call('PATCH', `/api/v1/secrets/${secretId}`, { key, body: { name: 'HELD_DELETE_NEW' } }),
    );
    expect(rename.status).toBe(200);
    expect(deleted.status).toBe(200);
    expect((await svc.call('GET', `/api/v1/secrets/${secretId}`, { key })).status).toBe(404);
    for (const envId of envs) {
      const { runtime } = await expectConsistent(envId, 0);
      expect(runtime.env).toEqual({});
      // The name is free again in the environment.
      const reuse = await svc.call('POST', `/api/v1/environmentshub/${envId}/variables`, {
        key,
        body: { name: 'HELD_DELETE_NEW', value: 'v' },
      });
      expect(reuse.status).toBe(201);
    }
    expect(await linksOf(svc.deps.db, owner, secretId)).toEqual([]);
    // Both names are free again in the owner's scope.
    for (const name of ['HELD_DELETE_OLD', 'HELD_DELETE_NEW']) {
      expect((await svc.call('POST', '/api/v1/secrets/', { key, body: { name, value: 'again' } })).status).toBe(201);
    }
  });

  it('a rename that checked the linked environments before the new name was taken there is refused whole', async () => {
    const secretId = await newGlobalSecret('HELD_CHECK_OLD', 'hc');
    const envs = [await newEnvironment(), await newEnvironment()];
    for (const envId of envs) {
      expect(
        (await svc.call('POST', `/api/v1/environmentshub/${envId}/secrets/link/${secretId}`, { key, body: {} })).status,
      ).toBe(201);
    }
    const [rename, variable] = await interleave(
      'SECRETNAME#HELD_CHECK_NEW',
      () => svc.call('PATCH', `/api/v1/secrets/${secretId}`, { key, body: { name: 'HELD_CHECK_NEW' } }),
      () =>
        svc.call('POST', `/api/v1/environmentshub/${envs[1]}/variables`, {
          key,
          body: { name: 'HELD_CHECK_NEW', value: 'var' },
        }),
    );
    expect(variable.status).toBe(201);
    expect(rename.status).toBe(409);
    expect(rename.body.code).toBe('name_taken');
    expect(rename.body.detail).toContain(`/race-${envSeq} (an environment variable)`);
    const { runtime: first } = await expectConsistent(envs[0]!, 1);
    expect(first.env).toEqual({ HELD_CHECK_OLD: 'hc' });
    const { runtime: second } = await expectConsistent(envs[1]!, 2);
    expect(second.env).toEqual({ HELD_CHECK_OLD: 'hc', HELD_CHECK_NEW: 'var' });
    const detail = await svc.call('GET', `/api/v1/secrets/${secretId}`, { key });
    expect(detail.body.data.name).toBe('HELD_CHECK_OLD');
    // The new global name was not claimed.
    expect(
      (await svc.call('POST', '/api/v1/secrets/', { key, body: { name: 'HELD_CHECK_NEW', value: 'g' } })).status,
    ).toBe(201);
  });
});
