import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { readEntries } from '../../shared/data/entries.js';
import { linksOf } from '../../shared/data/links.js';
import { ownerKeyOf, type OwnerKey } from '../../shared/owner-key.js';
import { startTestService, type TestService } from '../support/service.js';
import { tableItems } from '../support/table.js';

/**
 * Global secrets: a rename moves the name in every linked environment at once or not at all,
 * a delete unlinks everywhere, and the scope (personal, or a team with teamId) is part of
 * every look-up.
 */
let svc: TestService;
let key: string;
let owner: OwnerKey;

beforeAll(async () => {
  // The renames across many environments give one owner more than the default 1,000 environments.
  svc = await startTestService({ env: { MAX_ENVIRONMENTS_PER_OWNER: '5000' } });
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

/** The whole table (but request counts), in a stable order, for a before/after comparison. */
async function scanTable(): Promise<string[]> {
  const items = await tableItems(svc.deps.db);
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
    expect(clash.body.detail).toContain(
      `unlink global secret RENAMED_TOKEN (${secretId}) first, then add the variable.`,
    );
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
    // Its copy stays, restorable, no longer marked as having links to remove.
    const rest = await svc.deps.db.doc.send(
      new GetCommand({ TableName: svc.deps.db.tableName, Key: { pk: `OWNER#${owner}`, sk: `TRASH#${secretId}` } }),
    );
    expect(rest.Item?.id).toBe(secretId);
    expect(rest.Item?.linksPending).toBeUndefined();
  });

  it("a new entry under a stopped delete's name finishes the delete and takes the name", async () => {
    const secretId = await newSecret('LEFT_BEHIND', 'gone');
    const env = await newEnvironment();
    await link(env.id, secretId);
    const resume = failTransactionsAfterTheFirst();
    expect((await svc.call('DELETE', `/api/v1/secrets/${secretId}`, { key }).finally(resume)).status).toBe(200);
    expect((await linksOf(svc.deps.db, owner, secretId)).length).toBe(1);

    const variable = await svc.call('POST', `/api/v1/environmentshub/${env.id}/variables`, {
      key,
      body: { name: 'LEFT_BEHIND', value: 'mine now' },
    });
    expect(variable.status, JSON.stringify(variable.body)).toBe(201);
    expect(await linksOf(svc.deps.db, owner, secretId)).toEqual([]);
    expect(await runtimeEnv(env.id)).toEqual({ LEFT_BEHIND: 'mine now' });
    expect(await entryCount(env.id)).toBe(1);
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

/**
 * A rename of a global secret linked to more environments than one transaction holds
 * (shared/services/global-secrets.ts, `renameInChunks`): every environment gets the new name
 * or none does, a name taken anywhere is a 409 naming each place, and a create, link or unlink
 * racing any step, or a process stopping between steps, leaves nothing a later write cannot
 * finish or undo. The races are placed deterministically, by SDK middleware that acts just
 * before a chosen step's transaction.
 */
/** More than one transaction's worth of environments: reservations in two chunks, moves in three. */
const MANY = 130;

/** A secret linked to `count` new environments. */
async function linkedSecret(name: string, value: string, count = MANY) {
  const secretId = await newSecret(name, value);
  const envs: { id: string; label: string }[] = [];
  for (let i = 0; i < count; i++) {
    const env = await newEnvironment();
    await link(env.id, secretId);
    envs.push(env);
  }
  return { secretId, envs };
}

const rename = (secretId: string, body: Record<string, unknown>) =>
  svc.call('PATCH', `/api/v1/secrets/${secretId}`, { key, body });

const createVariable = (envId: string, name: string) =>
  svc.call('POST', `/api/v1/environmentshub/${envId}/variables`, { key, body: { name, value: 'v' } });

const reservationsLeft = async () => (await scanTable()).filter((item) => item.includes('"kind":"reserved"'));

async function secretItem(secretId: string): Promise<Record<string, any>> {
  const out = await svc.deps.db.doc.send(
    new GetCommand({
      TableName: svc.deps.db.tableName,
      Key: { pk: `OWNER#${owner}`, sk: `SECRET#${secretId}` },
      ConsistentRead: true,
    }),
  );
  return out.Item!;
}

type Step = 'reserve' | 'commit' | 'move';

/** A value as the document client passes it, or marshalled. */
const plain = (value: any) => value?.S ?? value;

/** Which step of a rename in chunks a TransactWriteItems is, from its items. */
function stepOf(input: any): Step | undefined {
  const items: any[] = input.TransactItems ?? [];
  if (items.some((i) => plain(i.Put?.Item?.kind) === 'reserved')) return 'reserve';
  if (items.some((i) => i.Update?.ConditionExpression?.includes(':renameId'))) return 'commit';
  if (items.some((i) => i.Put?.ConditionExpression === 'renameId = :r')) return 'move';
  return undefined;
}

/**
 * Runs `act` once, just before the `nth` transaction of `step` is sent (with that
 * transaction's input); `act` may throw to stop the request there, as a dying process would.
 */
async function around<T>(
  step: Step,
  nth: number,
  act: (input: any) => Promise<void>,
  request: () => Promise<T>,
): Promise<T> {
  let seen = 0;
  let done = false;
  svc.deps.db.raw.middlewareStack.add(
    (next, context) => async (args) => {
      if (!done && context.commandName === 'TransactWriteItemsCommand' && stepOf(args.input) === step) {
        if (++seen === nth) {
          done = true;
          await act(args.input);
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'aroundRenameStep' },
  );
  try {
    return await request();
  } finally {
    svc.deps.db.raw.middlewareStack.remove('aroundRenameStep');
  }
}

async function expectNamedEverywhere(secretId: string, envIds: string[], name: string, value: string) {
  for (const envId of envIds) {
    expect(await svc.runtimeEnv(envId), envId).toEqual({ [name]: value });
    expect((await readEntries(svc.deps.db, envId)).map((e) => e.name)).toEqual([name]);
  }
  expect((await secretItem(secretId)).rename).toBeUndefined();
  expect(await reservationsLeft()).toEqual([]);
}

const stopped = () => Object.assign(new Error('injected: the process stopped'), { name: 'InjectedStop' });

describe('a rename across many linked environments', () => {
  it('renames them all; a create of the new name racing it is refused by the reservation', async () => {
    const { secretId, envs } = await linkedSecret('JUDGE_KEY', 'judge');
    const midway: { runtime?: Record<string, string>; create?: { status: number; code: string } } = {};
    const renamed = await around(
      'reserve',
      2,
      async (input) => {
        // The first chunk is reserved (every environment not in this second one), the commit
        // not made: readers see the old name only, and the name is held.
        const inThisChunk = new Set(input.TransactItems.map((i: any) => plain(i.Put.Item.pk)));
        const reserved = envs.find((e) => !inThisChunk.has(`ENV#${e.id}`))!;
        midway.runtime = await svc.runtimeEnv(reserved.id);
        const res = await createVariable(reserved.id, 'JUDGE_KEY_2');
        midway.create = { status: res.status, code: res.body.code };
      },
      () => rename(secretId, { name: 'JUDGE_KEY_2' }),
    );
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body.data).toMatchObject({ id: secretId, name: 'JUDGE_KEY_2' });
    expect(midway.runtime).toEqual({ JUDGE_KEY: 'judge' });
    expect(midway.create).toEqual({ status: 409, code: 'name_taken' });

    await expectNamedEverywhere(
      secretId,
      envs.map((e) => e.id),
      'JUDGE_KEY_2',
      'judge',
    );
    expect((await linksOf(svc.deps.db, owner, secretId)).length).toBe(MANY);
    const listed = await svc.call('GET', `/api/v1/environmentshub/${envs[77]!.id}/secrets`, { key });
    expect(listed.body.data.map((s: any) => s.name)).toEqual(['JUDGE_KEY_2']);
    const reuse = await svc.call('POST', '/api/v1/secrets/', { key, body: { name: 'JUDGE_KEY', value: 'x' } });
    expect(reuse.status).toBe(201);
  });

  it('refuses a name taken in some of them, naming each, and changes nothing', async () => {
    const { secretId, envs } = await linkedSecret('SHARED_A', 'a');
    const taken = [envs[3]!, envs[110]!];
    for (const env of taken) expect((await createVariable(env.id, 'SHARED_B')).status).toBe(201);
    const before = await scanTable();
    const refused = await rename(secretId, { name: 'SHARED_B', description: 'not applied' });
    expect([refused.status, refused.body.code]).toEqual([409, 'name_taken']);
    for (const env of taken) expect(refused.body.detail).toContain(`${env.label} (an environment variable)`);
    expect(refused.body.detail).not.toContain(envs[4]!.label);
    expect(await scanTable()).toEqual(before);
  });

  it('a name taken after the check, in a later chunk: 409 naming it, every reservation undone', async () => {
    const { secretId, envs } = await linkedSecret('SHARED_C', 'c');
    const secretBefore = await secretItem(secretId);
    // Besides the secret (marked by then), the new name's claim (taken by then) and the owner's
    // revision (every write of the secret moves it, the undo's too).
    const rest = (items: string[]) =>
      items.filter(
        (i) =>
          !i.includes(`"sk":"SECRET#${secretId}"`) &&
          !i.includes('SECRETNAME#SHARED_D') &&
          !(i.includes('"pk":"OWNER#') && i.includes('"sk":"#REV"')),
      );
    let afterCreate: string[] = [];
    const refused = await around(
      'reserve',
      1,
      async () => {
        expect((await createVariable(envs[120]!.id, 'SHARED_D')).status).toBe(201);
        afterCreate = rest(await scanTable());
      },
      () => rename(secretId, { name: 'SHARED_D' }),
    );
    expect([refused.status, refused.body.code]).toEqual([409, 'name_taken']);
    expect(refused.body.detail).toContain(`${envs[120]!.label} (an environment variable)`);
    // As it was once the variable was made: the mark, the name claim and every reservation gone.
    const after = await scanTable();
    expect(rest(after)).toEqual(afterCreate);
    expect(after.filter((i) => i.includes('SECRETNAME#SHARED_D'))).toEqual([]);
    expect(await secretItem(secretId)).toEqual(secretBefore);
    expect(await svc.runtimeEnv(envs[0]!.id)).toEqual({ SHARED_C: 'c' });
  });

  it('a link racing the reservations: the commit is refused, undone, and the rename read again', async () => {
    const { secretId, envs } = await linkedSecret('SHARED_E', 'e');
    const late = await newEnvironment();
    const renamed = await around(
      'commit',
      1,
      () => link(late.id, secretId),
      () => rename(secretId, { name: 'SHARED_F' }),
    );
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    await expectNamedEverywhere(secretId, [...envs.map((e) => e.id), late.id], 'SHARED_F', 'e');
  });

  it('an unlink racing the moves: that environment keeps neither name nor reservation', async () => {
    const { secretId, envs } = await linkedSecret('SHARED_G', 'g');
    let unlinked = '';
    const renamed = await around(
      'move',
      1,
      async (input) => {
        unlinked = (plain(input.TransactItems[0].Delete.Key.pk) as string).slice('ENV#'.length);
        const res = await svc.call('DELETE', `/api/v1/environmentshub/${unlinked}/secrets/link/${secretId}`, { key });
        expect(res.status).toBe(200);
      },
      () => rename(secretId, { name: 'SHARED_H' }),
    );
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    const rest = envs.map((e) => e.id).filter((id) => id !== unlinked);
    expect(rest).toHaveLength(MANY - 1);
    await expectNamedEverywhere(secretId, rest, 'SHARED_H', 'g');
    expect(await readEntries(svc.deps.db, unlinked)).toEqual([]);
    expect((await createVariable(unlinked, 'SHARED_H')).status).toBe(201);
  });

  it('two renames at once: each ends whole or refused, and every environment has the name the secret has', async () => {
    const { secretId, envs } = await linkedSecret('SHARED_N', 'n');
    const results = await Promise.all([rename(secretId, { name: 'SHARED_O' }), rename(secretId, { name: 'SHARED_P' })]);
    for (const res of results) expect([200, 409], JSON.stringify(res.body)).toContain(res.status);
    expect(results.some((r) => r.status === 200)).toBe(true);
    const name = (await secretItem(secretId)).name as string;
    expect(['SHARED_O', 'SHARED_P']).toContain(name);
    await expectNamedEverywhere(
      secretId,
      envs.map((e) => e.id),
      name,
      'n',
    );
    const other = name === 'SHARED_O' ? 'SHARED_P' : 'SHARED_O';
    expect((await svc.call('POST', '/api/v1/secrets/', { key, body: { name: other, value: 'x' } })).status).toBe(201);
  });

  it('stopped after its commit: the next write of the secret finishes it', async () => {
    const { secretId, envs } = await linkedSecret('SHARED_I', 'i');
    const res = await around(
      'move',
      1,
      () => Promise.reject(stopped()),
      () => rename(secretId, { name: 'SHARED_J' }),
    );
    expect(res.status).toBe(500);
    expect((await secretItem(secretId)).name).toBe('SHARED_J');
    const next = await rename(secretId, { description: 'after' });
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    await expectNamedEverywhere(
      secretId,
      envs.map((e) => e.id),
      'SHARED_J',
      'i',
    );
  });

  it('stopped before its commit: readers see the old name, and once its hold is over the next write undoes it', async () => {
    const { secretId, envs } = await linkedSecret('SHARED_K', 'k');
    const res = await around(
      'commit',
      1,
      () => Promise.reject(stopped()),
      () => rename(secretId, { name: 'SHARED_L' }),
    );
    expect(res.status).toBe(500);
    expect(await svc.runtimeEnv(envs[50]!.id)).toEqual({ SHARED_K: 'k' });
    // Within its hold the rename may still be running: a write of the secret waits it out (409).
    const busy = await rename(secretId, { description: 'too soon' });
    expect([busy.status, busy.body.code]).toEqual([409, 'conflict']);
    // Its hold over (the mark's expiry moved into the past, as time passing would).
    await svc.deps.db.doc.send(
      new UpdateCommand({
        TableName: svc.deps.db.tableName,
        Key: { pk: `OWNER#${owner}`, sk: `SECRET#${secretId}` },
        UpdateExpression: 'SET #rename.expiresAt = :past',
        ExpressionAttributeNames: { '#rename': 'rename' },
        ExpressionAttributeValues: { ':past': 0 },
      }),
    );
    const next = await rename(secretId, { name: 'SHARED_M' });
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    await expectNamedEverywhere(
      secretId,
      envs.map((e) => e.id),
      'SHARED_M',
      'k',
    );
  });
});
