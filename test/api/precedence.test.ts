import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolve, winningSources, type Candidate, type Source } from '../../shared/resolver.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * The precedence rule (API.md, "Conflicts and precedence"): when one name is found more than
 * once, variable < linked global secret < direct environment secret, whatever the order.
 */

const RANK: Source[] = ['variable', 'global-linked', 'environment'];

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** Every subset of the sources with at least two members. */
const GROUPS: Source[][] = [
  ['variable', 'global-linked'],
  ['variable', 'environment'],
  ['global-linked', 'environment'],
  ['variable', 'global-linked', 'environment'],
];

const highest = (sources: Source[]) => sources.reduce((a, b) => (RANK.indexOf(b) > RANK.indexOf(a) ? b : a));

describe('resolve', () => {
  for (const group of GROUPS) {
    const winner = highest(group);
    for (const order of permutations(group)) {
      it(`${order.join(' then ')}: ${winner} wins`, () => {
        // Only the winner is a file: the name is listed in files.
        const winnerIsFile = resolve(
          order.map((source): Candidate => ({ name: 'DUP', source, value: `v-${source}`, isFile: source === winner })),
        );
        expect(winnerIsFile.env).toEqual({ DUP: `v-${winner}` });
        expect(winnerIsFile.sources).toEqual({ DUP: winner });
        expect(winnerIsFile.files).toEqual(['DUP']);

        // Every loser is a file, the winner is not: files follows the winner, so it is empty.
        const losersAreFiles = resolve(
          order.map((source): Candidate => ({ name: 'DUP', source, value: `v-${source}`, isFile: source !== winner })),
        );
        expect(losersAreFiles.env).toEqual({ DUP: `v-${winner}` });
        expect(losersAreFiles.sources).toEqual({ DUP: winner });
        expect(losersAreFiles.files).toEqual([]);

        expect(winningSources(order.map((source) => ({ name: 'DUP', source, isFile: false })))).toEqual({
          DUP: winner,
        });
      });
    }
  }

  it('resolves each name on its own, and lists names and files sorted', () => {
    const candidates: Candidate[] = [
      { name: 'ZETA', source: 'environment', value: 'z-env', isFile: true },
      { name: 'ALPHA', source: 'global-linked', value: 'a-link', isFile: true },
      { name: 'ZETA', source: 'variable', value: 'z-var', isFile: false },
      { name: 'MID', source: 'variable', value: 'm-var', isFile: false },
      { name: 'ALPHA', source: 'environment', value: 'a-env', isFile: false },
      { name: 'BETA', source: 'global-linked', value: 'b-link', isFile: true },
      { name: 'BETA', source: 'variable', value: 'b-var', isFile: false },
    ];
    for (const order of [candidates, [...candidates].reverse()]) {
      const resolved = resolve(order);
      expect(Object.keys(resolved.env)).toEqual(['ALPHA', 'BETA', 'MID', 'ZETA']);
      expect(resolved.env).toEqual({ ALPHA: 'a-env', BETA: 'b-link', MID: 'm-var', ZETA: 'z-env' });
      expect(resolved.sources).toEqual({
        ALPHA: 'environment',
        BETA: 'global-linked',
        MID: 'variable',
        ZETA: 'environment',
      });
      expect(resolved.files).toEqual(['BETA', 'ZETA']);
    }
  });

  it('resolves nothing to nothing', () => {
    expect(resolve([])).toEqual({ env: {}, sources: {}, files: [] });
  });
});

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
