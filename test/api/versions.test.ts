import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { partitionItems } from '../support/table.js';

/**
 * Versions of global secrets, direct secrets and variables: numbering, the kept window,
 * rollback, check-and-set with If-Match, and the versions a runtime read serves and audits.
 */
let svc: TestService;
let key: string;
const V1 = '/api/v1';

beforeAll(async () => {
  svc = await startTestService();
  key = svc.seed.user.apiKey;
});

let seq = 0;
const unique = (prefix: string) => `${prefix}_${++seq}`;

const must = (status: number, method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  svc.must(status, method, path, body, { headers });

async function newEnvironment(): Promise<string> {
  return (await must(201, 'POST', `${V1}/environmentshub`, { name: `ver-env-${++seq}` })).data.id;
}

/** One value of each kind, created with `value` and reachable at `path` (its own route). */
interface Kind {
  kind: 'global' | 'direct' | 'variable';
  create: (name: string, value: string) => Promise<{ id: string; path: string; envId: string }>;
}

const KINDS: Kind[] = [
  {
    kind: 'global',
    create: async (name, value) => {
      const envId = await newEnvironment();
      const { data } = await must(201, 'POST', `${V1}/secrets/`, { name, value });
      await must(201, 'POST', `${V1}/environmentshub/${envId}/secrets/link/${data.id}`, {});
      return { id: data.id, path: `${V1}/secrets/${data.id}`, envId };
    },
  },
  {
    kind: 'direct',
    create: async (name, value) => {
      const envId = await newEnvironment();
      const { data } = await must(201, 'POST', `${V1}/environmentshub/${envId}/secrets`, { name, value });
      return { id: data.id, path: `${V1}/environmentshub/${envId}/secrets/${data.id}`, envId };
    },
  },
  {
    kind: 'variable',
    create: async (name, value) => {
      const envId = await newEnvironment();
      const { data } = await must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, { name, value });
      return { id: data.id, path: `${V1}/environmentshub/${envId}/variables/${data.id}`, envId };
    },
  },
];

const versionItems = (valueId: string) => partitionItems(svc.deps.db, `HIST#${valueId}`);

describe.each(KINDS)('versions of a $kind value', ({ kind, create }) => {
  it('start at 1, go up by one per value change only, and are listed newest first with their author', async () => {
    const name = unique('NUMBERED');
    const made = await create(name, 'value-one');
    expect((await must(200, 'PATCH', made.path, { description: 'only words' })).data.version).toBe(1);
    expect((await must(200, 'PATCH', made.path, { value: 'value-two' })).data.version).toBe(2);
    expect((await must(200, 'PATCH', made.path, { name: `${name}_B` })).data.version).toBe(2);
    expect((await must(200, 'PATCH', made.path, { value: 'value-three', name })).data.version).toBe(3);

    const listed = await must(200, 'GET', `${made.path}/versions`);
    expect(listed.totalCount).toBe(3);
    expect(listed.data.map((v: any) => [v.version, v.current])).toEqual([
      [3, true],
      [2, false],
      [1, false],
    ]);
    for (const v of listed.data) {
      expect(v.createdBy).toEqual({ type: 'user', id: svc.seed.user.id });
      expect(Date.parse(v.createdAt)).not.toBeNaN();
    }
    const text = JSON.stringify(listed);
    if (kind === 'variable') {
      expect(listed.data.map((v: any) => v.value)).toEqual(['value-three', 'value-two', 'value-one']);
    } else {
      // A secret's history never carries a value, not even under another field.
      for (const v of listed.data)
        expect(Object.keys(v).sort()).toEqual(['createdAt', 'createdBy', 'current', 'version']);
      expect(text).not.toContain('value-');
    }
  });

  it('keeps the last 20: the oldest drop out in the change that passes the window', async () => {
    const made = await create(unique('WINDOW'), 'v-1');
    for (let v = 2; v <= 23; v++) await must(200, 'PATCH', made.path, { value: `v-${v}` });
    const listed = await must(200, 'GET', `${made.path}/versions`);
    expect(listed.data.map((v: any) => v.version)).toEqual(Array.from({ length: 20 }, (_, i) => 23 - i));
    expect(await versionItems(made.id)).toHaveLength(20);
    const gone = await svc.call('POST', `${made.path}/rollback`, { key, body: { version: 3 } });
    expect([gone.status, gone.body.code]).toEqual([404, 'not_found']);
  });

  it('rolls back with a new version holding the old value; history is never rewritten', async () => {
    const name = unique('ROLLED');
    const made = await create(name, 'first-value');
    await must(200, 'PATCH', made.path, { value: 'second-value' });
    const rolled = await must(200, 'POST', `${made.path}/rollback`, { version: 1 });
    expect(rolled.data.version).toBe(3);
    expect(rolled.data.name).toBe(name);
    expect(await svc.runtimeEnv(made.envId)).toEqual({ [name]: 'first-value' });
    const listed = await must(200, 'GET', `${made.path}/versions`);
    expect(listed.data.map((v: any) => v.version)).toEqual([3, 2, 1]);
    if (kind === 'variable')
      expect(listed.data.map((v: any) => v.value)).toEqual(['first-value', 'second-value', 'first-value']);

    const bad = await svc.call('POST', `${made.path}/rollback`, { key, body: { version: 0 } });
    expect([bad.status, bad.body.code]).toEqual([422, 'validation_error']);
    const never = await svc.call('POST', `${made.path}/rollback`, { key, body: { version: 99 } });
    expect([never.status, never.body.code]).toEqual([404, 'not_found']);
  });

  it('If-Match: a change at another version is 412 naming the current one; a quoted tag is read the same', async () => {
    const made = await create(unique('GUARDED'), 'one');
    await must(200, 'PATCH', made.path, { value: 'two' }, { 'if-match': '1' });
    const stale = await svc.call('PATCH', made.path, { key, body: { value: 'three' }, headers: { 'if-match': '1' } });
    expect([stale.status, stale.body.code]).toEqual([412, 'precondition_failed']);
    expect(stale.body.detail).toContain('version 2');
    await must(200, 'PATCH', made.path, { value: 'three' }, { 'if-match': '"2"' });
    const garbage = await svc.call('PATCH', made.path, { key, body: { value: 'x' }, headers: { 'if-match': 'v3' } });
    expect([garbage.status, garbage.body.code]).toEqual([422, 'validation_error']);
    expect(garbage.body.detail[0].loc).toEqual(['header', 'if-match']);
  });

  it('If-Match under a race: of 12 writers from the same version exactly one wins, the rest are 412', async () => {
    const name = unique('RACED');
    const made = await create(name, 'start');
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        svc.call('PATCH', made.path, { key, body: { value: `writer-${i}` }, headers: { 'if-match': '1' } }),
      ),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(11);
    const winner = results.indexOf(winners[0]!);
    expect(await svc.runtimeEnv(made.envId)).toEqual({ [name]: `writer-${winner}` });
    const listed = await must(200, 'GET', `${made.path}/versions`);
    expect(listed.data.map((v: any) => v.version)).toEqual([2, 1]);
  });
});

describe('the runtime read', () => {
  it('reports the version of each value it serves, and its audit event records them without values', async () => {
    const envId = await newEnvironment();
    const global = (await must(201, 'POST', `${V1}/secrets/`, { name: unique('JUDGE_KEY'), value: 'judge-v1' })).data;
    await must(200, 'PATCH', `${V1}/secrets/${global.id}`, { value: 'judge-v2' });
    await must(201, 'POST', `${V1}/environmentshub/${envId}/secrets/link/${global.id}`, {});
    const direct = (await must(201, 'POST', `${V1}/environmentshub/${envId}/secrets`, { name: 'DB', value: 'db-v1' }))
      .data;
    for (const v of ['db-v2', 'db-v3']) {
      await must(200, 'PATCH', `${V1}/environmentshub/${envId}/secrets/${direct.id}`, { value: v });
    }
    await must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, { name: 'MODE', value: 'fast' });

    const read = await svc.call('GET', `${V1}/environmentshub/${envId}/runtime`, {
      key: svc.seed.serviceKey,
      headers: { 'x-job-id': 'eval-42' },
    });
    expect(read.status).toBe(200);
    expect(read.body.data.versions).toEqual({ [global.name]: 2, DB: 3, MODE: 1 });

    const audit = await must(200, 'GET', `${V1}/audit?environmentId=${envId}`);
    const event = audit.data.find((e: any) => e.action === 'runtime_read' && e.jobId === 'eval-42');
    expect(event.versions).toEqual({ [global.name]: 2, DB: 3, MODE: 1 });
    expect(JSON.stringify(audit)).not.toMatch(/judge-v|db-v/);
  });

  it('a link that knows a stale version of its secret: the event is written again, once, with the version served', async () => {
    const envId = await newEnvironment();
    const name = unique('STALE_HINT');
    const secret = (await must(201, 'POST', `${V1}/secrets/`, { name, value: 's-1' })).data;
    await must(201, 'POST', `${V1}/environmentshub/${envId}/secrets/link/${secret.id}`, {});
    await must(200, 'PATCH', `${V1}/secrets/${secret.id}`, { value: 's-2' });
    const linkEntry = { pk: `ENV#${envId}`, sk: `ENTRY#${name}` };
    const told = await svc.deps.db.doc.send(
      new GetCommand({ TableName: svc.deps.db.tableName, Key: linkEntry, ConsistentRead: true }),
    );
    expect(told.Item!.secretVersion).toBe(2); // every change tells the links

    // As if the change had not reached this link yet (or it was made before links knew).
    await svc.deps.db.doc.send(
      new UpdateCommand({
        TableName: svc.deps.db.tableName,
        Key: linkEntry,
        UpdateExpression: 'REMOVE secretVersion',
      }),
    );
    const read = await svc.call('GET', `${V1}/environmentshub/${envId}/runtime`, {
      key: svc.seed.serviceKey,
      headers: { 'x-job-id': 'stale-hint' },
    });
    expect(read.body.data).toMatchObject({ env: { [name]: 's-2' }, versions: { [name]: 2 } });
    const audit = await must(200, 'GET', `${V1}/audit?environmentId=${envId}`);
    const events = audit.data.filter((e: any) => e.action === 'runtime_read' && e.jobId === 'stale-hint');
    expect(events.map((e: any) => e.versions)).toEqual([{ [name]: 2 }]);
  });

  it('an environment without links audits its versions too', async () => {
    const envId = await newEnvironment();
    await must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, { name: 'ONLY', value: 'x' });
    const read = await svc.call('GET', `${V1}/environmentshub/${envId}/runtime`, { key: svc.seed.serviceKey });
    expect(read.body.data.versions).toEqual({ ONLY: 1 });
    const audit = await must(200, 'GET', `${V1}/audit?environmentId=${envId}`);
    expect(audit.data.find((e: any) => e.action === 'runtime_read').versions).toEqual({ ONLY: 1 });
  });
});

describe('who may see and change history', () => {
  it('another user gets 404 for versions and rollback of what is not theirs; a team viewer reads but may not roll back', async () => {
    const stranger = await svc.newUser(`stranger-${++seq}`);
    const viewer = await svc.teamMember(`viewer-${++seq}`, 'viewer');

    const teamEnv = svc.seed.environments.team.id;
    const teamSecret = (
      await must(201, 'POST', `${V1}/secrets/`, { name: unique('TEAM_S'), value: 'team-v1', teamId: svc.seed.team.id })
    ).data;
    const direct = (
      await must(201, 'POST', `${V1}/environmentshub/${teamEnv}/secrets`, { name: unique('TD'), value: 'd' })
    ).data;
    const variable = (
      await must(201, 'POST', `${V1}/environmentshub/${teamEnv}/variables`, { name: unique('TV'), value: 'v' })
    ).data;
    const paths = [
      `${V1}/secrets/${teamSecret.id}?teamId=${svc.seed.team.id}`,
      `${V1}/environmentshub/${teamEnv}/secrets/${direct.id}`,
      `${V1}/environmentshub/${teamEnv}/variables/${variable.id}`,
    ];
    for (const path of paths) {
      const [base, query] = path.split('?');
      const at = (suffix: string) => `${base}/${suffix}${query ? `?${query}` : ''}`;
      for (const [method, url, body] of [
        ['GET', at('versions'), undefined],
        ['POST', at('rollback'), { version: 1 }],
      ] as const) {
        const refused = await svc.call(method, url, { key: stranger.key, body });
        expect([refused.status, refused.body.code], `stranger ${method} ${url}`).toEqual([404, 'not_found']);
      }
      expect((await svc.call('GET', at('versions'), { key: viewer.key })).status).toBe(200);
      const rollback = await svc.call('POST', at('rollback'), { key: viewer.key, body: { version: 1 } });
      expect([rollback.status, rollback.body.code]).toEqual([403, 'forbidden']);
    }
  });
});

describe('a tampered version', () => {
  it("another secret's sealed value copied into a history does not open: the rollback fails and changes nothing", async () => {
    const envId = await newEnvironment();
    const victim = (
      await must(201, 'POST', `${V1}/environmentshub/${envId}/secrets`, { name: 'VICTIM', value: 'mine' })
    ).data;
    const other = (await must(201, 'POST', `${V1}/secrets/`, { name: unique('OTHER'), value: 'not-yours' })).data;
    const table = svc.deps.db.tableName;
    const stolen = await svc.deps.db.doc.send(
      new GetCommand({ TableName: table, Key: { pk: `HIST#${other.id}`, sk: 'V#000001' }, ConsistentRead: true }),
    );
    await svc.deps.db.doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `HIST#${victim.id}`, sk: 'V#000001' },
        UpdateExpression: 'SET ct = :ct, dekVersion = :v',
        ExpressionAttributeValues: { ':ct': stolen.Item!.ct, ':v': stolen.Item!.dekVersion },
      }),
    );
    await must(200, 'PATCH', `${V1}/environmentshub/${envId}/secrets/${victim.id}`, { value: 'mine-2' });
    const rollback = await svc.call('POST', `${V1}/environmentshub/${envId}/secrets/${victim.id}/rollback`, {
      key,
      body: { version: 1 },
    });
    expect([rollback.status, rollback.body.code]).toEqual([500, 'internal']);
    expect(JSON.stringify(rollback.body)).not.toContain('not-yours');
    expect(await svc.runtimeEnv(envId)).toEqual({ VICTIM: 'mine-2' });
    const listed = await must(200, 'GET', `${V1}/environmentshub/${envId}/secrets/${victim.id}/versions`);
    expect(listed.data.map((v: any) => v.version)).toEqual([2, 1]);
  });
});
