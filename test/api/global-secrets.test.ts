import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { readEntries } from '../../shared/data/entries.js';
import { linksOf } from '../../shared/data/links.js';
import { ownerKeyOf, type OwnerKey } from '../../shared/owner-key.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Global secrets: a rename moves the name in every linked environment at once or not at all,
 * a delete unlinks everywhere, and the scope (personal, or a team with teamId) is part of
 * every look-up.
 */
let svc: TestService;
let key: string;
let owner: OwnerKey;

beforeAll(async () => {
  svc = await startTestService();
  key = svc.seed.user.apiKey;
  owner = ownerKeyOf({ userId: svc.seed.user.id });
});

let envSeq = 0;
async function newEnvironment(teamId?: string): Promise<{ id: string; label: string }> {
  const name = `gs-env-${++envSeq}`;
  const res = await svc.call('POST', '/api/v1/environmentshub', { key, body: { name, ...(teamId ? { teamId } : {}) } });
  expect(res.status).toBe(201);
  return { id: res.body.data.id, label: `${res.body.data.owner}/${name}` };
}

async function newSecret(name: string, value: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await svc.call('POST', '/api/v1/secrets/', { key, body: { name, value, ...extra } });
  expect(res.status).toBe(201);
  return res.body.data.id as string;
}

async function link(envId: string, secretId: string): Promise<void> {
  const res = await svc.call('POST', `/api/v1/environmentshub/${envId}/secrets/link/${secretId}`, { key, body: {} });
  expect(res.status).toBe(201);
}

const runtimeEnv = (envId: string) => svc.runtimeEnv(envId);

async function listedSecrets(envId: string): Promise<any[]> {
  const res = await svc.call('GET', `/api/v1/environmentshub/${envId}/secrets`, { key });
  expect(res.status).toBe(200);
  return res.body.data;
}

async function entryCount(envId: string): Promise<number> {
  const out = await svc.deps.db.doc.send(
    new GetCommand({ TableName: svc.deps.db.tableName, Key: { pk: `ENV#${envId}`, sk: 'META' }, ConsistentRead: true }),
  );
  return out.Item!.entryCount as number;
}

/** The whole table, in a stable order, for a before/after comparison. */
async function scanTable(): Promise<string[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await svc.deps.db.doc.send(
      new ScanCommand({ TableName: svc.deps.db.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items.map((i) => JSON.stringify(i, Object.keys(i).sort())).sort();
}

describe('renaming a global secret', () => {
  it('renames it in every linked environment at once', async () => {
    const secretId = await newSecret('SHARED_TOKEN', 'tok', { description: 'shared' });
    const envs = [await newEnvironment(), await newEnvironment(), await newEnvironment()];
    for (const env of envs) await link(env.id, secretId);
    await svc.call('POST', `/api/v1/environmentshub/${envs[0]!.id}/variables`, {
      key,
      body: { name: 'OTHER', value: 'o' },
    });
    const counts = await Promise.all(envs.map((e) => entryCount(e.id)));

    const renamed = await svc.call('PATCH', `/api/v1/secrets/${secretId}`, { key, body: { name: 'RENAMED_TOKEN' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({
      id: secretId,
      name: 'RENAMED_TOKEN',
      description: 'shared',
      userId: svc.seed.user.id,
      teamId: null,
    });

    for (const env of envs) {
      const runtime = await runtimeEnv(env.id);
      expect(runtime.RENAMED_TOKEN).toBe('tok');
      expect(runtime.SHARED_TOKEN).toBeUndefined();
      const listed = await listedSecrets(env.id);
      expect(listed).toEqual([
        expect.objectContaining({ id: secretId, secretId, name: 'RENAMED_TOKEN', source: 'global-linked' }),
      ]);
      expect((await readEntries(svc.deps.db, env.id)).map((e) => e.name)).toContain('RENAMED_TOKEN');
      expect((await readEntries(svc.deps.db, env.id)).map((e) => e.name)).not.toContain('SHARED_TOKEN');
    }
    // The rename moves entries; it adds or removes none.
    expect(await Promise.all(envs.map((e) => entryCount(e.id)))).toEqual(counts);

    const detail = await svc.call('GET', `/api/v1/secrets/${secretId}`, { key });
    expect(detail.status).toBe(200);
    expect(detail.body.data.name).toBe('RENAMED_TOKEN');
    expect(detail.body.data.linkedEnvironments).toHaveLength(3);
    expect(detail.body.data.linkedEnvironments).toEqual(
      expect.arrayContaining(envs.map((e) => ({ id: e.id, owner: 'dev', name: e.label.split('/')[1] }))),
    );
    const list = await svc.call('GET', '/api/v1/secrets/', { key });
    expect(list.body.data.filter((s: any) => s.id === secretId).map((s: any) => s.name)).toEqual(['RENAMED_TOKEN']);

    // The old name is free in the scope and in the environments; the new one is taken.
    const reuseGlobal = await svc.call('POST', '/api/v1/secrets/', { key, body: { name: 'SHARED_TOKEN', value: 'x' } });
    expect(reuseGlobal.status).toBe(201);
    const takeNew = await svc.call('POST', '/api/v1/secrets/', { key, body: { name: 'RENAMED_TOKEN', value: 'x' } });
    expect([takeNew.status, takeNew.body.code]).toEqual([409, 'name_taken']);
    const reuseInEnv = await svc.call('POST', `/api/v1/environmentshub/${envs[1]!.id}/variables`, {
      key,
      body: { name: 'SHARED_TOKEN', value: 'v' },
    });
    expect(reuseInEnv.status).toBe(201);
    const clash = await svc.call('POST', `/api/v1/environmentshub/${envs[1]!.id}/variables`, {
      key,
      body: { name: 'RENAMED_TOKEN', value: 'v' },
    });
    expect([clash.status, clash.body.code]).toEqual([409, 'name_taken']);
    expect(clash.body.detail).toContain(`Unlink global secret ${secretId} first.`);
  });

  it('refuses a name taken in any linked environment, naming them, and changes nothing', async () => {
    const secretId = await newSecret('MOVABLE', 'm');
    const withDirect = await newEnvironment();
    const withVariable = await newEnvironment();
    const free = await newEnvironment();
    for (const env of [withDirect, withVariable, free]) await link(env.id, secretId);
    expect(
      (
        await svc.call('POST', `/api/v1/environmentshub/${withDirect.id}/secrets`, {
          key,
          body: { name: 'WANTED', value: 'direct' },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await svc.call('POST', `/api/v1/environmentshub/${withVariable.id}/variables`, {
          key,
          body: { name: 'WANTED', value: 'variable' },
        })
      ).status,
    ).toBe(201);

    const before = await scanTable();
    const refused = await svc.call('PATCH', `/api/v1/secrets/${secretId}`, {
      key,
      body: { name: 'WANTED', description: 'not applied either' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('name_taken');
    expect(refused.body.detail).toContain('WANTED');
    expect(refused.body.detail).toContain(`${withDirect.label} (a direct secret)`);
    expect(refused.body.detail).toContain(`${withVariable.label} (an environment variable)`);
    expect(refused.body.detail).not.toContain(free.label);
    expect(await scanTable()).toEqual(before);

    const detail = await svc.call('GET', `/api/v1/secrets/${secretId}`, { key });
    expect(detail.body.data).toMatchObject({ name: 'MOVABLE', description: null });
    expect(detail.body.data.linkedEnvironments).toHaveLength(3);
    expect(await runtimeEnv(withDirect.id)).toEqual({ MOVABLE: 'm', WANTED: 'direct' });
    expect(await runtimeEnv(withVariable.id)).toEqual({ MOVABLE: 'm', WANTED: 'variable' });
    expect(await runtimeEnv(free.id)).toEqual({ MOVABLE: 'm' });
    // The global name WANTED was never claimed.
    const claim = await svc.call('POST', '/api/v1/secrets/', { key, body: { name: 'WANTED', value: 'g' } });
    expect(claim.status).toBe(201);
  });

  it('refuses a name another global secret of the owner holds, and changes nothing', async () => {
    const holder = await newSecret('HOLDER_NAME', 'h');
    const secretId = await newSecret('WANTS_HOLDER_NAME', 'w');
    const env = await newEnvironment();
    await link(env.id, secretId);

    for (const linked of [true, false]) {
      if (!linked) {
        const unlink = await svc.call('DELETE', `/api/v1/environmentshub/${env.id}/secrets/link/${secretId}`, { key });
        expect(unlink.status).toBe(200);
      }
      const before = await scanTable();
      const refused = await svc.call('PATCH', `/api/v1/secrets/${secretId}`, { key, body: { name: 'HOLDER_NAME' } });
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('name_taken');
      expect(refused.body.detail).toContain('A global secret named HOLDER_NAME already exists in this scope');
      expect(await scanTable()).toEqual(before);
    }
    const names = (await svc.call('GET', '/api/v1/secrets/', { key })).body.data
      .filter((s: any) => [holder, secretId].includes(s.id))
      .map((s: any) => s.name)
      .sort();
    expect(names).toEqual(['HOLDER_NAME', 'WANTS_HOLDER_NAME']);
  });

  it('a name held by a team secret does not block a personal rename', async () => {
    const team = await svc.call('POST', `/api/v1/secrets/`, {
      key,
      body: { name: 'TEAM_ONLY_NAME', value: 't', teamId: svc.seed.team.id },
    });
    expect(team.status).toBe(201);
    const secretId = await newSecret('PERSONAL_BEFORE', 'p');
    const renamed = await svc.call('PATCH', `/api/v1/secrets/${secretId}`, { key, body: { name: 'TEAM_ONLY_NAME' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data.name).toBe('TEAM_ONLY_NAME');
  });

  it('renaming to its own name is no rename', async () => {
    const secretId = await newSecret('SAME_NAME', 's');
    const env = await newEnvironment();
    await link(env.id, secretId);
    const res = await svc.call('PATCH', `/api/v1/secrets/${secretId}`, { key, body: { name: 'SAME_NAME' } });
    expect(res.status).toBe(200);
    expect(res.body.data.name).toBe('SAME_NAME');
    expect(await runtimeEnv(env.id)).toEqual({ SAME_NAME: 's' });
  });
});

describe('deleting a global secret', () => {
  it('unlinks it from every environment', async () => {
    const secretId = await newSecret('GOING_AWAY', 'bye');
    const keep = await newSecret('STAYING', 'stay');
    const envs = [await newEnvironment(), await newEnvironment()];
    for (const env of envs) {
      await link(env.id, secretId);
      await link(env.id, keep);
      await svc.call('POST', `/api/v1/environmentshub/${env.id}/variables`, { key, body: { name: 'V', value: 'v' } });
    }
    expect((await linksOf(svc.deps.db, owner, secretId)).map((l) => l.envId).sort()).toEqual(
      envs.map((e) => e.id).sort(),
    );
    const counts = await Promise.all(envs.map((e) => entryCount(e.id)));
    expect(counts).toEqual([3, 3]);

    // Runtime reads racing the delete see the secret whole or not at all.
    const [deleted, ...reads] = await Promise.all([
      svc.call('DELETE', `/api/v1/secrets/${secretId}`, { key }),
      ...envs.flatMap((e) =>
        Array.from({ length: 3 }, () =>
          svc.call('GET', `/api/v1/environmentshub/${e.id}/runtime`, { key: svc.seed.serviceKey }),
        ),
      ),
    ]);
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toMatchObject({ id: secretId, name: 'GOING_AWAY' });
    for (const read of reads) {
      expect(read.status).toBe(200);
      if ('GOING_AWAY' in read.body.data.env) expect(read.body.data.env.GOING_AWAY).toBe('bye');
      expect(read.body.data.env.STAYING).toBe('stay');
    }

    for (const env of envs) {
      expect(await runtimeEnv(env.id)).toEqual({ STAYING: 'stay', V: 'v' });
      expect((await listedSecrets(env.id)).map((s) => s.name)).toEqual(['STAYING']);
      expect((await readEntries(svc.deps.db, env.id)).map((e) => e.name)).toEqual(['STAYING', 'V']);
      expect(await entryCount(env.id)).toBe(2);
      // The name is free in the environment again.
      const reuse = await svc.call('POST', `/api/v1/environmentshub/${env.id}/secrets`, {
        key,
        body: { name: 'GOING_AWAY', value: 'direct now' },
      });
      expect(reuse.status).toBe(201);
      expect(await entryCount(env.id)).toBe(3);
    }
    expect(await linksOf(svc.deps.db, owner, secretId)).toEqual([]);
    expect((await linksOf(svc.deps.db, owner, keep)).length).toBe(2);
    const gone = await svc.call('GET', `/api/v1/secrets/${secretId}`, { key });
    expect([gone.status, gone.body.code]).toEqual([404, 'not_found']);
    const again = await svc.call('DELETE', `/api/v1/secrets/${secretId}`, { key });
    expect([again.status, again.body.code]).toEqual([404, 'not_found']);
    const list = await svc.call('GET', '/api/v1/secrets/', { key });
    expect(list.body.data.map((s: any) => s.id)).not.toContain(secretId);
    const unlink = await svc.call('DELETE', `/api/v1/environmentshub/${envs[0]!.id}/secrets/link/${secretId}`, {
      key,
    });
    expect([unlink.status, unlink.body.code]).toEqual([404, 'not_found']);
    // The global name is free again.
    expect((await svc.call('POST', '/api/v1/secrets/', { key, body: { name: 'GOING_AWAY', value: 'x' } })).status).toBe(
      201,
    );
  });
});

describe('a delete stopped half-way', () => {
  /** Lets the first transaction through and fails every later one, until the returned function is called. */
  function failTransactionsAfterTheFirst(): () => void {
    let seen = 0;
    svc.deps.db.raw.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && ++seen > 1) {
          throw Object.assign(new Error('injected: the process stopped'), { name: 'InjectedStop' });
        }
        return next(args);
      },
      { step: 'finalizeRequest', name: 'stopAfterCommit', priority: 'low' },
    );
    return () => svc.deps.db.raw.middlewareStack.remove('stopAfterCommit');
  }

  it('leaves no link that resolves or lists, and the next write finishes it', async () => {
    const secretId = await newSecret('HALF_GONE', 'half');
    const envs = [await newEnvironment(), await newEnvironment(), await newEnvironment()];
    for (const env of envs) await link(env.id, secretId);

    const resume = failTransactionsAfterTheFirst();
    const deleted = await svc.call('DELETE', `/api/v1/secrets/${secretId}`, { key }).finally(resume);
    // The delete committed: it answers as one, whatever happened to the unlinks after it.
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    // Half-way: the links are still stored, yet no reader sees them.
    expect((await linksOf(svc.deps.db, owner, secretId)).length).toBe(3);
    for (const env of envs) {
      expect(await runtimeEnv(env.id)).toEqual({});
      expect(await listedSecrets(env.id)).toEqual([]);
    }
    expect((await svc.call('GET', `/api/v1/secrets/${secretId}`, { key })).status).toBe(404);
    const relink = await svc.call('POST', `/api/v1/environmentshub/${envs[0]!.id}/secrets/link/${secretId}`, {
      key,
      body: {},
    });
    expect([relink.status, relink.body.code]).toEqual([404, 'not_found']);

    // That link attempt was the owner's next write: it finished the delete.
    expect(await linksOf(svc.deps.db, owner, secretId)).toEqual([]);
    for (const env of envs) {
      expect(await readEntries(svc.deps.db, env.id)).toEqual([]);
      expect(await entryCount(env.id)).toBe(0);
      const reuse = await svc.call('POST', `/api/v1/environmentshub/${env.id}/secrets`, {
        key,
        body: { name: 'HALF_GONE', value: 'direct now' },
      });
      expect(reuse.status).toBe(201);
    }
    const rest = await svc.deps.db.doc.send(
      new GetCommand({ TableName: svc.deps.db.tableName, Key: { pk: `OWNER#${owner}`, sk: `TRASH#${secretId}` } }),
    );
    expect(rest.Item).toBeUndefined();
  });
});

describe('the scope check of a link', () => {
  const teamEnv = () => svc.seed.environments.team.id;
  const linkTeam = (secretId: string) =>
    svc.call('POST', `/api/v1/environmentshub/${teamEnv()}/secrets/link/${secretId}`, { key, body: {} });
  const secretKey = (secretId: string) => ({ pk: `OWNER#${owner}`, sk: `SECRET#${secretId}` });

  it('reads the secret id consistently, not the index', async () => {
    const secretId = await newSecret('SCOPED_PERSONAL', 'p');
    // The index not caught up yet: the secret is not in it.
    await svc.deps.db.doc.send(
      new UpdateCommand({
        TableName: svc.deps.db.tableName,
        Key: secretKey(secretId),
        UpdateExpression: 'REMOVE gsi1pk, gsi1sk',
      }),
    );
    const res = await linkTeam(secretId);
    expect([res.status, res.body.code]).toEqual([409, 'scope_mismatch']);
  });

  it('a deleted secret is 404 while the index still holds it', async () => {
    const secretId = await newSecret('SCOPED_GONE', 'g');
    const stale = await svc.deps.db.doc.send(
      new GetCommand({ TableName: svc.deps.db.tableName, Key: secretKey(secretId), ConsistentRead: true }),
    );
    expect((await svc.call('DELETE', `/api/v1/secrets/${secretId}`, { key })).status).toBe(200);
    // What the index may still answer for a moment: the deleted item.
    await svc.deps.db.doc.send(
      new PutCommand({ TableName: svc.deps.db.tableName, Item: { ...stale.Item, pk: 'STALE', sk: secretId } }),
    );
    const res = await linkTeam(secretId);
    expect([res.status, res.body.code]).toEqual([404, 'not_found']);
  });

  it('a secret made before id claims existed is still told apart by the index', async () => {
    const secretId = await newSecret('SCOPED_OLD', 'o');
    await svc.deps.db.doc.send(
      new DeleteCommand({ TableName: svc.deps.db.tableName, Key: { pk: `SECRETID#${secretId}`, sk: 'SECRETID' } }),
    );
    const res = await linkTeam(secretId);
    expect([res.status, res.body.code]).toEqual([409, 'scope_mismatch']);
  });
});

describe('team scope', () => {
  it('takes teamId in the POST body and ?teamId= on GET, PATCH and DELETE', async () => {
    const teamId = svc.seed.team.id;
    const created = await svc.call('POST', '/api/v1/secrets/', {
      key,
      body: { name: 'TEAM_TOKEN', value: 'team-value', teamId },
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ name: 'TEAM_TOKEN', teamId, userId: null });
    const id = created.body.data.id as string;

    const teamList = await svc.call('GET', `/api/v1/secrets/?teamId=${teamId}`, { key });
    expect(teamList.status).toBe(200);
    expect(teamList.body.data.map((s: any) => s.id)).toContain(id);
    expect(teamList.body.data.every((s: any) => s.teamId === teamId && s.userId === null)).toBe(true);
    const personalList = await svc.call('GET', '/api/v1/secrets', { key });
    expect(personalList.body.data.map((s: any) => s.id)).not.toContain(id);

    const teamEnv = svc.seed.environments.team.id;
    await link(teamEnv, id);
    const got = await svc.call('GET', `/api/v1/secrets/${id}?teamId=${teamId}`, { key });
    expect(got.status).toBe(200);
    expect(got.body.data).toMatchObject({ id, name: 'TEAM_TOKEN', teamId, userId: null });
    expect(got.body.data.linkedEnvironments).toEqual([
      { id: teamEnv, owner: svc.seed.team.slug, name: svc.seed.environments.team.name },
    ]);

    const renamed = await svc.call('PATCH', `/api/v1/secrets/${id}?teamId=${teamId}`, {
      key,
      body: { name: 'TEAM_TOKEN_2', value: 'team-value-2' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ id, name: 'TEAM_TOKEN_2', teamId });
    expect((await runtimeEnv(teamEnv)).TEAM_TOKEN_2).toBe('team-value-2');

    // Looked up in the wrong (personal) scope, it does not exist.
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { description: 'x' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await svc.call(method, `/api/v1/secrets/${id}`, { key, body });
      expect([method, res.status, res.body.code]).toEqual([method, 404, 'not_found']);
    }
    expect((await svc.call('GET', `/api/v1/secrets/${id}?teamId=${teamId}`, { key })).body.data.description).toBe(null);

    const deleted = await svc.call('DELETE', `/api/v1/secrets/${id}?teamId=${teamId}`, { key });
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toMatchObject({ id, name: 'TEAM_TOKEN_2' });
    expect((await runtimeEnv(teamEnv)).TEAM_TOKEN_2).toBeUndefined();
    expect(await linksOf(svc.deps.db, ownerKeyOf({ teamId }), id)).toEqual([]);
    expect((await svc.call('GET', `/api/v1/secrets/${id}?teamId=${teamId}`, { key })).status).toBe(404);
  });

  it('a personal secret looked up in a team scope is 404', async () => {
    const id = await newSecret('PERSONAL_ONLY', 'p');
    const teamId = svc.seed.team.id;
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { name: 'MOVED' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await svc.call(method, `/api/v1/secrets/${id}?teamId=${teamId}`, { key, body });
      expect([method, res.status, res.body.code]).toEqual([method, 404, 'not_found']);
    }
    const still = await svc.call('GET', `/api/v1/secrets/${id}`, { key });
    expect(still.body.data.name).toBe('PERSONAL_ONLY');
  });

  it("another user's secrets and team are 404 for the caller", async () => {
    const other = await svc.call('POST', '/api/v1/admin/users', {
      key: svc.seed.adminKey,
      body: { email: 'other@example.com', name: 'Other', slug: 'other-user' },
    });
    expect(other.status).toBe(201);
    const otherKey = other.body.data.apiKey as string;
    const otherTeam = await svc.call('POST', '/api/v1/teams', {
      key: otherKey,
      body: { name: 'Other team', slug: 'other-team' },
    });
    expect(otherTeam.status).toBe(201);
    const otherTeamId = otherTeam.body.data.id as string;
    const theirs = await svc.call('POST', '/api/v1/secrets/', {
      key: otherKey,
      body: { name: 'THEIRS', value: 't', teamId: otherTeamId },
    });
    expect(theirs.status).toBe(201);
    const theirPersonal = await svc.call('POST', '/api/v1/secrets/', {
      key: otherKey,
      body: { name: 'THEIR_OWN', value: 'o' },
    });
    expect(theirPersonal.status).toBe(201);

    const attempts = [
      ['GET', `/api/v1/secrets/${theirs.body.data.id}?teamId=${otherTeamId}`, undefined],
      ['PATCH', `/api/v1/secrets/${theirs.body.data.id}?teamId=${otherTeamId}`, { name: 'MINE' }],
      ['DELETE', `/api/v1/secrets/${theirs.body.data.id}?teamId=${otherTeamId}`, undefined],
      ['GET', `/api/v1/secrets/?teamId=${otherTeamId}`, undefined],
      ['POST', '/api/v1/secrets/', { name: 'INTRUDER', value: 'i', teamId: otherTeamId }],
      ['GET', `/api/v1/secrets/${theirPersonal.body.data.id}`, undefined],
      ['DELETE', `/api/v1/secrets/${theirPersonal.body.data.id}`, undefined],
    ] as const;
    for (const [method, path, body] of attempts) {
      const res = await svc.call(method, path, { key, body });
      expect([method, path, res.status, res.body.code]).toEqual([method, path, 404, 'not_found']);
    }
    const stillTheirs = await svc.call('GET', `/api/v1/secrets/?teamId=${otherTeamId}`, { key: otherKey });
    expect(stillTheirs.body.data.map((s: any) => s.name)).toEqual(['THEIRS']);
  });
});
