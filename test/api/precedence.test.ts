import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Source } from '../../shared/resolver.js';
import { startTestService, type TestService } from '../support/service.js';
import { GROUPS, highest, permutations } from '../support/precedence-cases.js';

/**
 * The precedence rule (shared/resolver.ts) on the runtime read: when one name is found more than
 * once, variable < linked global secret < direct environment secret, whatever the order. The
 * rule alone is tested in test/unit/resolver.test.ts.
 */

// ---- the runtime read on a table holding one name in several places ----

let svc: TestService;
let key: string;

beforeAll(async () => {
  svc = await startTestService();
  key = svc.seed.user.apiKey;
});

const CONTESTED = 'CONTESTED';
const GLOBAL_FILE = Buffer.from('global file content').toString('base64');

let envSeq = 0;
async function newEnvironment(): Promise<string> {
  const res = await svc.call('POST', '/api/v1/environmentshub', { key, body: { name: `prec-${++envSeq}` } });
  expect(res.status).toBe(201);
  return res.body.data.id as string;
}

async function getItem(pk: string, sk: string): Promise<Record<string, unknown>> {
  const out = await svc.deps.db.doc.send(
    new GetCommand({ TableName: svc.deps.db.tableName, Key: { pk, sk }, ConsistentRead: true }),
  );
  expect(out.Item, `${pk} ${sk}`).toBeDefined();
  return out.Item!;
}

const put = (item: Record<string, unknown>) =>
  svc.deps.db.doc.send(new PutCommand({ TableName: svc.deps.db.tableName, Item: item }));

/**
 * Writes, under the sort keys given, extra entries all named CONTESTED, as data written
 * before a rule existed would: a variable, a link to a real global secret (an isFile one) and
 * a direct secret (a real sealed value, made through the API under another name and copied
 * with its id, so its AAD still matches).
 */
async function craft(
  envId: string,
  placed: Partial<Record<Source, string>>,
  options: { secretId?: string } = {},
): Promise<void> {
  if (placed.variable) {
    const at = new Date().toISOString();
    await put({
      pk: `ENV#${envId}`,
      sk: placed.variable,
      kind: 'variable',
      id: `crafted-variable-${envId}`,
      name: CONTESTED,
      value: 'from-variable',
      description: null,
      createdAt: at,
      updatedAt: at,
    });
  }
  if (placed['global-linked']) {
    const secretId = options.secretId!;
    const link = await svc.call('POST', `/api/v1/environmentshub/${envId}/secrets/link/${secretId}`, {
      key,
      body: {},
    });
    expect(link.status).toBe(201);
    const original = await getItem(`ENV#${envId}`, `ENTRY#${link.body.data.secretName}`);
    await put({ ...original, sk: placed['global-linked'], name: CONTESTED });
  }
  if (placed.environment) {
    const direct = await svc.call('POST', `/api/v1/environmentshub/${envId}/secrets`, {
      key,
      body: { name: 'DIRECT_ORIGINAL', value: 'from-direct' },
    });
    expect(direct.status).toBe(201);
    const original = await getItem(`ENV#${envId}`, 'ENTRY#DIRECT_ORIGINAL');
    await put({ ...original, sk: placed.environment, name: CONTESTED });
  }
}

async function runtimeOf(envId: string) {
  const res = await svc.call('GET', `/api/v1/environmentshub/${envId}/runtime`, { key: svc.seed.serviceKey });
  expect(res.status).toBe(200);
  return res.body.data as { env: Record<string, string>; sources: Record<string, Source>; files: string[] };
}

const EXPECTED: Record<Source, string> = {
  variable: 'from-variable',
  'global-linked': GLOBAL_FILE,
  environment: 'from-direct',
};

describe('the runtime read on duplicate names', () => {
  let secretId: string;
  beforeAll(async () => {
    const created = await svc.call('POST', '/api/v1/secrets/', {
      key,
      body: { name: 'GLOBAL_ORIGINAL', value: GLOBAL_FILE, isFile: true },
    });
    expect(created.status).toBe(201);
    secretId = created.body.data.id;
  });

  // Entries come back from the partition in sort-key order: placing the three kinds under
  // every order of sort keys feeds the resolver every order.
  const sortKeys = ['ENTRY#CONTESTED', 'ENTRY#CONTESTED_DUP_1', 'ENTRY#CONTESTED_DUP_2'];
  for (const group of GROUPS) {
    const winner = highest(group);
    for (const order of permutations(group)) {
      it(`${order.join(' then ')} in the partition: ${winner} wins`, async () => {
        const envId = await newEnvironment();
        const placed = Object.fromEntries(order.map((source, i) => [source, sortKeys[i]!]));
        await craft(envId, placed, { secretId });
        const runtime = await runtimeOf(envId);
        expect(runtime.env[CONTESTED]).toBe(EXPECTED[winner]);
        expect(runtime.sources[CONTESTED]).toBe(winner);
        // Only the global secret is a file: files follows the winner.
        expect(runtime.files.includes(CONTESTED)).toBe(winner === 'global-linked');
        // The originals the crafted copies came from resolve under their own names.
        const expectedEnv: Record<string, string> = { [CONTESTED]: EXPECTED[winner] };
        if (group.includes('global-linked')) expectedEnv.GLOBAL_ORIGINAL = GLOBAL_FILE;
        if (group.includes('environment')) expectedEnv.DIRECT_ORIGINAL = 'from-direct';
        expect(runtime.env).toEqual(expectedEnv);
        expect(runtime.files).toEqual(
          [
            ...(winner === 'global-linked' ? [CONTESTED] : []),
            ...(group.includes('global-linked') ? ['GLOBAL_ORIGINAL'] : []),
          ].sort(),
        );
      });
    }
  }

  it('a crafted link to a secret that is gone resolves to nothing: the variable of that name wins', async () => {
    const envId = await newEnvironment();
    const doomed = await svc.call('POST', '/api/v1/secrets/', { key, body: { name: 'DOOMED', value: 'gone' } });
    expect(doomed.status).toBe(201);
    await craft(
      envId,
      { variable: 'ENTRY#CONTESTED', 'global-linked': 'ENTRY#CONTESTED_DUP_1' },
      {
        secretId: doomed.body.data.id,
      },
    );
    expect((await runtimeOf(envId)).sources[CONTESTED]).toBe('global-linked');
    await svc.deps.db.doc.send(
      new DeleteCommand({
        TableName: svc.deps.db.tableName,
        Key: { pk: `OWNER#U#${svc.seed.user.id}`, sk: `SECRET#${doomed.body.data.id}` },
      }),
    );
    const runtime = await runtimeOf(envId);
    expect(runtime.env).toEqual({ [CONTESTED]: 'from-variable' });
    expect(runtime.sources).toEqual({ [CONTESTED]: 'variable' });
    expect(runtime.files).toEqual([]);
  });

  it('a user runtime key sees the same winner as a service', async () => {
    const envId = await newEnvironment();
    await craft(
      envId,
      { environment: 'ENTRY#CONTESTED', variable: 'ENTRY#CONTESTED_DUP_1', 'global-linked': 'ENTRY#CONTESTED_DUP_2' },
      { secretId },
    );
    const res = await svc.call('GET', `/api/v1/environmentshub/${envId}/runtime`, { key: svc.seed.user.runtimeKey });
    expect(res.status).toBe(200);
    expect(res.body.data.env[CONTESTED]).toBe('from-direct');
    expect(res.body.data.sources[CONTESTED]).toBe('environment');
    expect(res.body.data.files).toEqual(['GLOBAL_ORIGINAL']);
  });
});
