import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocalKeyProvider } from '../../shared/crypto/local-key-provider.js';
import { keys } from '../../shared/data/keys.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import type { OwnerKey } from '../../shared/owner-key.js';
import { createLocalApp } from '../../infra/local/server.js';
import { startTestService, type CallOptions, type CallResult, type TestService, testDeps } from '../support/service.js';

// ---- the values, each distinctive, so a leak anywhere is unmistakable ----

const tag = () => randomBytes(9).toString('hex');
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

const secrets = {
  globalAlpha: `sk-test-${tag()}`,
  globalAlphaUpdated: `sk-test-${tag()}`,
  globalFileContent: `global-file-content-${tag()}`,
  globalFileContentUpdated: `global-file-content-${tag()}`,
  globalTeam: `sk-test-${tag()}`,
  globalTeamUpdated: `sk-test-${tag()}`,
  directAlpha: `sk-test-${tag()}`,
  directAlphaUpdated: `sk-test-${tag()}`,
  directFileContent: `direct-file-content-${tag()}`,
  directUnicode: `sk-test-ünï-${tag()}-密钥-🔑`,
  // Values sent in requests that are refused: they must leave no trace either.
  duplicateGlobal: `sk-test-${tag()}`,
  duplicateDirect: `sk-test-${tag()}`,
  rejectedName: `sk-test-${tag()}`,
  rejectedFile: `sk-test-${tag()}`,
  rejectedFileUpdate: `sk-test-${tag()}`,
  malformed: `sk-test-${tag()}`,
};
const files = {
  global: b64(secrets.globalFileContent),
  globalUpdated: b64(secrets.globalFileContentUpdated),
  direct: b64(secrets.directFileContent),
};
const variables = { mode: `var-test-${tag()}`, modeUpdated: `var-test-${tag()}` };

/** Every secret value as sent (file values are base64) and as plaintext, plus the base64 of each. */
const secretNeedles = (() => {
  const plain = [...Object.values(secrets), ...Object.values(files)];
  return [...new Set([...plain, ...plain.map(b64)])];
})();
const variableNeedles = (() => {
  const plain = Object.values(variables);
  return [...plain, ...plain.map(b64)];
})();

const leaksIn = (text: string, needles: string[]) => needles.filter((n) => text.includes(n));

// ---- log capture: the service's logger, whose output we keep ----

const SERVICE_NAME = `values-hygiene-${tag()}`;
const logLines: string[] = [];

function captureLogs(stream: NodeJS.WriteStream): void {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    if (text.includes(SERVICE_NAME)) {
      logLines.push(text);
      return true;
    }
    return original(chunk, ...rest);
  }) as typeof stream.write);
}

const parsedLogs = () =>
  logLines.flatMap((chunk) =>
    chunk
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );

// ---- every response is kept, to be searched ----

interface Recorded {
  label: string;
  runtime: boolean;
  variables: boolean;
  text: string;
}
const responses: Recorded[] = [];

let svc: TestService;
let logger: Logger;

async function api(method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const res = await svc.call(method, path, options);
  const headers = JSON.stringify([...res.headers.entries()]);
  responses.push({
    label: `${method} ${path} → ${res.status}`,
    runtime: path.endsWith('/runtime') && res.status === 200,
    variables: path.includes('/variables'),
    text: `${JSON.stringify(res.body)} ${headers}`,
  });
  return res;
}

/** Every item of the table, through Scan, paginated. */
async function scanTable(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await svc.deps.db.doc.send(
      new ScanCommand({ TableName: svc.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** An item as searchable text: strings as they are, binary attributes as UTF-8, base64 and hex. */
function itemText(item: unknown): string {
  return JSON.stringify(item, (_key, value: unknown) => {
    if (value instanceof Uint8Array) {
      const bytes = Buffer.from(value);
      return `${bytes.toString('utf8')} ${bytes.toString('latin1')} ${bytes.toString('base64')} ${bytes.toString('hex')}`;
    }
    if (value instanceof Set) return [...value];
    return value;
  });
}

function expectTableClean(items: Record<string, unknown>[]): void {
  expect(items.length).toBeGreaterThan(10);
  for (const item of items) {
    const text = itemText(item);
    expect(leaksIn(text, secretNeedles), `${item.pk} ${item.sk}`).toEqual([]);
    // Variables are plain text by design: in their own value item, their kept versions and their
    // deleted copy, and nowhere else.
    const pk = String(item.pk);
    const valueItem = String(item.sk).startsWith('VALUE#') && 'value' in item;
    const variableItem = valueItem || (item.kind === 'variable' && pk.startsWith('TRASH#'));
    if (!variableItem && !(pk.startsWith('HIST#') && 'value' in item)) {
      expect(leaksIn(text, variableNeedles), `${item.pk} ${item.sk}`).toEqual([]);
    }
  }
}

beforeAll(async () => {
  captureLogs(process.stdout);
  captureLogs(process.stderr);
  // The suite runs SILENT (vitest.config.ts); this logger writes every level, as a function at DEBUG.
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
  logger = createLogger(SERVICE_NAME);
  vi.unstubAllEnvs();
  svc = await startTestService({ logger });
});

afterAll(() => {
  vi.restoreAllMocks();
});

describe('values never leave the service except through the runtime read', () => {
  const ids: Record<string, string> = {};

  it('runs a full scenario: global, direct, file secrets, links, renames, updates, reads, deletes', async () => {
    const key = svc.seed.user.apiKey;
    const personal = svc.seed.environments.personal.id;
    const teamEnv = svc.seed.environments.team.id;
    const teamId = svc.seed.team.id;
    const P = `/api/v1/environmentshub/${personal}`;
    const T = `/api/v1/environmentshub/${teamEnv}`;

    const created = async (path: string, body: unknown) => {
      const res = await api('POST', path, { key, body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.data as { id: string };
    };
    ids.globalAlpha = (await created('/api/v1/secrets/', { name: 'G_ALPHA', value: secrets.globalAlpha })).id;
    ids.globalFile = (await created('/api/v1/secrets/', { name: 'G_FILE', value: files.global, isFile: true })).id;
    ids.globalTeam = (await created('/api/v1/secrets/', { name: 'G_TEAM', value: secrets.globalTeam, teamId })).id;
    ids.directAlpha = (await created(`${P}/secrets`, { name: 'D_ALPHA', value: secrets.directAlpha })).id;
    ids.directFile = (await created(`${P}/secrets`, { name: 'D_FILE', value: files.direct, isFile: true })).id;
    ids.directUnicode = (await created(`${P}/secrets`, { name: 'D_UNICODE', value: secrets.directUnicode })).id;
    ids.variable = (await created(`${P}/variables`, { name: 'V_MODE', value: variables.mode })).id;
    await created(`${P}/secrets/link/${ids.globalAlpha}`, {});
    await created(`${P}/secrets/link/${ids.globalFile}`, {});
    await created(`${T}/secrets/link/${ids.globalTeam}`, {});

    // Refusals carry no value back either.
    const refusals: [string, string, unknown, number][] = [
      ['POST', '/api/v1/secrets/', { name: 'G_ALPHA', value: secrets.duplicateGlobal }, 409],
      ['POST', `${P}/secrets`, { name: 'G_ALPHA', value: secrets.duplicateDirect }, 409],
      ['POST', '/api/v1/secrets/', { name: 'bad-name', value: secrets.rejectedName }, 422],
      ['POST', '/api/v1/secrets/', { name: 'G_BAD', value: `not base64 ${secrets.rejectedFile}`, isFile: true }, 422],
      ['PATCH', `/api/v1/secrets/${ids.globalFile}`, { value: `not base64 ${secrets.rejectedFileUpdate}` }, 422],
    ];
    for (const [method, path, body, status] of refusals) {
      expect((await api(method, path, { key, body })).status).toBe(status);
    }
    const rawBody = `{"name": "G_RAW", "value": "${secrets.malformed}"`;
    expect((await api('POST', '/api/v1/secrets/', { key, rawBody })).status).toBe(400);

    // Metadata reads.
    for (const path of [
      '/api/v1/secrets/',
      `/api/v1/secrets/?teamId=${teamId}`,
      `/api/v1/secrets/${ids.globalAlpha}`,
      `/api/v1/secrets/${ids.globalFile}`,
      `/api/v1/secrets/${ids.globalTeam}?teamId=${teamId}`,
      `${P}/secrets`,
      `${T}/secrets`,
      `${P}/variables`,
      '/api/v1/environmentshub',
    ]) {
      expect((await api('GET', path, { key })).status, path).toBe(200);
    }

    const first = await api('GET', `${P}/runtime`, { key: svc.seed.serviceKey, headers: { 'x-job-id': 'job-1' } });
    expect(first.status).toBe(200);
    expect(first.body.data.env).toEqual({
      D_ALPHA: secrets.directAlpha,
      D_FILE: files.direct,
      D_UNICODE: secrets.directUnicode,
      G_ALPHA: secrets.globalAlpha,
      G_FILE: files.global,
      V_MODE: variables.mode,
    });
    expect(first.body.data.files).toEqual(['D_FILE', 'G_FILE']);

    // Renames, then value updates.
    const patch = async (path: string, body: unknown) => {
      const res = await api('PATCH', path, { key, body });
      expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(200);
    };
    await patch(`/api/v1/secrets/${ids.globalAlpha}`, { name: 'G_RENAMED' });
    await patch(`${P}/secrets/${ids.directAlpha}`, { name: 'D_RENAMED' });
    await patch(`/api/v1/secrets/${ids.globalAlpha}`, { value: secrets.globalAlphaUpdated, description: 'rotated' });
    await patch(`/api/v1/secrets/${ids.globalFile}`, { value: files.globalUpdated });
    await patch(`/api/v1/secrets/${ids.globalTeam}?teamId=${teamId}`, { value: secrets.globalTeamUpdated });
    await patch(`${P}/secrets/${ids.directAlpha}`, { value: secrets.directAlphaUpdated, description: 'new' });
    await patch(`${P}/variables/${ids.variable}`, { value: variables.modeUpdated });

    const second = await api('GET', `${P}/runtime`, { key: svc.seed.user.runtimeKey });
    expect(second.status).toBe(200);
    expect(second.body.data.env).toEqual({
      D_FILE: files.direct,
      D_RENAMED: secrets.directAlphaUpdated,
      D_UNICODE: secrets.directUnicode,
      G_FILE: files.globalUpdated,
      G_RENAMED: secrets.globalAlphaUpdated,
      V_MODE: variables.modeUpdated,
    });
    const team = await api('GET', `${T}/runtime`, { key: svc.seed.serviceKey });
    expect(team.status).toBe(200);
    expect(team.body.data.env).toEqual({ G_TEAM: secrets.globalTeamUpdated });

    // History: versions, a rollback of each kind of secret.
    for (const path of [`/api/v1/secrets/${ids.globalAlpha}`, `${P}/secrets/${ids.directAlpha}`]) {
      expect((await api('GET', `${path}/versions`, { key })).status, path).toBe(200);
      expect((await api('POST', `${path}/rollback`, { key, body: { version: 2 } })).status, path).toBe(200);
    }
    expect((await api('GET', `${P}/variables/${ids.variable}/versions`, { key })).status).toBe(200);

    expectTableClean(await scanTable()); // with every kind of record present

    // Rotations re-seal every value, personal and the team's: the answers are versions and counts.
    const rotations: [string, string, unknown, number][] = [
      ['POST', '/api/v1/data-keys/rotate', {}, 202],
      ['GET', '/api/v1/data-keys', undefined, 200],
      ['POST', '/api/v1/data-keys/rotate', { teamId }, 202],
      ['GET', `/api/v1/data-keys?teamId=${teamId}`, undefined, 200],
    ];
    for (const [method, path, body, status] of rotations) {
      const res = await api(method, path, { key, body });
      expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(status);
      expect(res.body.data.reseal.moved).toBeGreaterThan(0);
    }

    // Deletes.
    const removed = async (path: string) => {
      const res = await api('DELETE', path, { key });
      expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(200);
    };
    await removed(`${P}/secrets/link/${ids.globalFile}`);
    await removed(`${P}/secrets/${ids.directFile}`);
    await removed(`/api/v1/secrets/${ids.globalAlpha}`); // still linked: unlinks too
    await removed(`/api/v1/secrets/${ids.globalFile}`);
    await removed(`${P}/variables/${ids.variable}`);
    await removed(`/api/v1/secrets/${ids.globalTeam}?teamId=${teamId}`);

    // Recently deleted, listed and one of each kind restored, then deleted again.
    for (const path of ['/api/v1/secrets/', `${P}/secrets`, `${P}/variables`]) {
      expect((await api('GET', `${path}?deleted=true`, { key })).status, path).toBe(200);
    }
    for (const path of [`/api/v1/secrets/${ids.globalFile}`, `${P}/secrets/${ids.directFile}`]) {
      expect((await api('POST', `${path}/restore`, { key, body: {} })).status, path).toBe(200);
      expect((await api('DELETE', `${path}?purge=true`, { key })).status, path).toBe(200);
    }

    const last = await api('GET', `${P}/runtime`, { key: svc.seed.serviceKey });
    expect(last.status).toBe(200);
    expect(last.body.data.env).toEqual({
      D_RENAMED: secrets.directAlphaUpdated,
      D_UNICODE: secrets.directUnicode,
    });
  });

  it('no response carries a value, except the runtime read', () => {
    const runtimeReads = responses.filter((r) => r.runtime);
    expect(runtimeReads).toHaveLength(4);
    // The check can fail: the runtime reads do carry values.
    expect(leaksIn(runtimeReads.map((r) => r.text).join(' '), secretNeedles).length).toBeGreaterThan(5);
    const others = responses.filter((r) => !r.runtime);
    expect(others.length).toBeGreaterThan(30);
    for (const response of others) {
      expect(leaksIn(response.text, secretNeedles), response.label).toEqual([]);
      if (!response.variables) expect(leaksIn(response.text, variableNeedles), response.label).toEqual([]);
    }
  });

  it('no log line carries a value or an API key', () => {
    const lines = parsedLogs();
    const requests = lines.filter((l) => l.message === 'request');
    // We did capture the service's request logs: one per call, with method, route and status.
    expect(requests.length).toBeGreaterThanOrEqual(responses.length);
    expect(requests.some((l) => l.route === '/api/v1/environmentshub/:envId/runtime' && l.status === 200)).toBe(true);
    expect(requests.some((l) => l.method === 'PATCH' && l.status === 200)).toBe(true);
    expect(requests.some((l) => l.status === 422)).toBe(true);

    const { apiKey, runtimeKey } = svc.seed.user;
    const needles = [...secretNeedles, ...variableNeedles, apiKey, runtimeKey, svc.seed.serviceKey];
    for (const line of logLines) expect(leaksIn(line, needles), line).toEqual([]);
  });

  it('no audit event carries a value', async () => {
    const key = svc.seed.user.apiKey;
    const personal = svc.seed.environments.personal.id;
    const pages = [
      await api('GET', '/api/v1/audit?limit=500', { key }),
      await api('GET', `/api/v1/audit?teamId=${svc.seed.team.id}&limit=500`, { key }),
      await api('GET', `/api/v1/audit?environmentId=${personal}&limit=500`, { key }),
    ];
    for (const page of pages) expect(page.status).toBe(200);
    const events = pages.flatMap((p) => p.body.data as Record<string, any>[]);
    const actions = new Set(events.map((e) => e.action));
    for (const action of ['create', 'update', 'rename', 'delete', 'link', 'unlink', 'runtime_read']) {
      expect(actions, action).toContain(action);
    }
    expect(events.some((e) => e.action === 'runtime_read' && e.jobId === 'job-1')).toBe(true);
    const text = JSON.stringify(pages.map((p) => p.body));
    expect(leaksIn(text, [...secretNeedles, ...variableNeedles])).toEqual([]);
  });

  it('no table item holds a secret in plaintext (nor its base64), nor a data key', async () => {
    const items = await scanTable();
    expectTableClean(items);
    // The secrets left are there, sealed.
    const sealed = items.filter((i) => i.ct instanceof Uint8Array);
    expect(sealed.length).toBeGreaterThanOrEqual(2);
    // Nor the plaintext data key the values are sealed under.
    const owner: OwnerKey = `U#${svc.seed.user.id}`;
    const { key: dek } = await svc.deps.dataKeys.current(owner);
    const needles = [dek.toString('base64'), dek.toString('hex'), dek.toString('latin1')];
    for (const item of items) expect(leaksIn(itemText(item), needles), `${item.pk} ${item.sk}`).toEqual([]);
  });
});

describe('a sealed value that does not belong where it is found', () => {
  let envId: string;
  let otherEnvId: string;
  const ids: Record<string, string> = {};
  const tamper = {
    one: `sk-test-${tag()}`,
    two: `sk-test-${tag()}`,
    global: `sk-test-${tag()}`,
    other: `sk-test-${tag()}`,
  };
  const tamperNeedles = Object.values(tamper).flatMap((v) => [v, b64(v)]);

  const runtime = (id: string) =>
    svc.call('GET', `/api/v1/environmentshub/${id}/runtime`, { key: svc.seed.serviceKey });

  async function item(key: { pk: string; sk: string }) {
    const out = await svc.deps.db.doc.send(
      new GetCommand({ TableName: svc.tableName, Key: key, ConsistentRead: true }),
    );
    expect(out.Item).toBeDefined();
    return out.Item!;
  }

  async function setCt(key: { pk: string; sk: string }, ct: Uint8Array) {
    // An edit outside the service bumps no revision: read as a container that had not kept the environment.
    svc.deps.partitions.clear();
    await svc.deps.db.doc.send(
      new UpdateCommand({
        TableName: svc.tableName,
        Key: key,
        UpdateExpression: 'SET ct = :ct',
        ExpressionAttributeValues: { ':ct': ct },
      }),
    );
  }

  function expectSafeInternal(res: CallResult) {
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('internal');
    expect(Object.keys(res.body).sort()).toEqual(['code', 'detail']);
    expect(typeof res.body.detail).toBe('string');
    const masterKey = readFileSync(join(svc.dataDir, 'master.key'), 'utf8').trim();
    const text = JSON.stringify(res.body);
    const forbidden = [
      ...tamperNeedles,
      ...secretNeedles,
      svc.tableName,
      masterKey,
      svc.seed.serviceKey,
      'OWNER#',
      'ENV#',
      'DEK#',
      'SealBroken',
      'failed to open',
      ' at ',
    ];
    expect(leaksIn(text, forbidden)).toEqual([]);
  }

  beforeAll(async () => {
    const key = svc.seed.user.apiKey;
    const env = await svc.call('POST', '/api/v1/environmentshub', { key, body: { name: 'tamper-env' } });
    const other = await svc.call('POST', '/api/v1/environmentshub', { key, body: { name: 'tamper-env-2' } });
    expect(env.status).toBe(201);
    expect(other.status).toBe(201);
    envId = env.body.data.id;
    otherEnvId = other.body.data.id;
    const post = async (path: string, body: unknown) => {
      const res = await svc.call('POST', path, { key, body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.data.id as string;
    };
    ids.one = await post(`/api/v1/environmentshub/${envId}/secrets`, { name: 'T_ONE', value: tamper.one });
    ids.two = await post(`/api/v1/environmentshub/${envId}/secrets`, { name: 'T_TWO', value: tamper.two });
    ids.global = await post('/api/v1/secrets/', { name: 'T_GLOBAL', value: tamper.global });
    await post(`/api/v1/environmentshub/${envId}/secrets/link/${ids.global}`, {});
    ids.other = await post(`/api/v1/environmentshub/${otherEnvId}/secrets`, { name: 'T_OTHER', value: tamper.other });
  });

  const expected = () => ({ T_GLOBAL: tamper.global, T_ONE: tamper.one, T_TWO: tamper.two });

  it('reads fine before any tampering', async () => {
    const res = await runtime(envId);
    expect(res.status).toBe(200);
    expect(res.body.data.env).toEqual(expected());
  });

  it('fails with a safe 500 when a ciphertext is copied onto another record, never a wrong value', async () => {
    const owner: OwnerKey = `U#${svc.seed.user.id}`;
    const one = keys.entryValue(envId, ids.one!);
    const two = keys.entryValue(envId, ids.two!);
    const global = keys.globalSecret(owner, ids.global!);
    const other = keys.entryValue(otherEnvId, ids.other!);
    const cases: { from: typeof one; onto: typeof one; read: () => string }[] = [
      { from: one, onto: two, read: () => envId }, // another entry of the same environment
      { from: one, onto: global, read: () => envId }, // a direct secret's value onto a global secret
      { from: global, onto: one, read: () => envId }, // a global secret's value onto a direct secret
      { from: one, onto: other, read: () => otherEnvId }, // an entry of another environment
    ];
    for (const { from, onto, read } of cases) {
      const source = await item(from);
      const target = await item(onto);
      expect(target.dekVersion).toBe(source.dekVersion); // same owner, same key: only the place differs
      await setCt(onto, source.ct as Uint8Array);
      try {
        const res = await runtime(read());
        expectSafeInternal(res);
      } finally {
        await setCt(onto, target.ct as Uint8Array);
      }
      const restored = await runtime(read());
      expect(restored.status).toBe(200);
    }
    expect((await runtime(envId)).body.data.env).toEqual(expected());
    expect((await runtime(otherEnvId)).body.data.env).toEqual({ T_OTHER: tamper.other });
  });

  it('fails with a safe 500 under a different master key, and writes nothing', async () => {
    const deps = testDeps(svc.deps.config, { keyProvider: new LocalKeyProvider(randomBytes(32)), logger });
    const app = createLocalApp(deps);
    const call = async (method: string, path: string, key: string, body?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json(), headers: res.headers } as CallResult;
    };
    const before = await scanTable();

    expectSafeInternal(await call('GET', `/api/v1/environmentshub/${envId}/runtime`, svc.seed.serviceKey));
    expectSafeInternal(await call('GET', `/api/v1/environmentshub/${envId}/runtime`, svc.seed.user.runtimeKey));
    // A write needs the owner's data key too: it fails rather than sealing under a new one.
    const write = await call('POST', `/api/v1/environmentshub/${envId}/secrets`, svc.seed.user.apiKey, {
      name: 'T_THREE',
      value: `sk-test-${tag()}`,
    });
    expectSafeInternal(write);

    const after = await scanTable();
    const dataKeyItems = (items: Record<string, unknown>[]) =>
      items.filter((i) => String(i.sk).startsWith('DEK#')).map((i) => `${i.pk} ${i.sk}`);
    expect(dataKeyItems(after)).toEqual(dataKeyItems(before));
    expect(after.some((i) => i.sk === 'ENTRY#T_THREE')).toBe(false);

    // The service with the right key still reads every value.
    expect((await runtime(envId)).body.data.env).toEqual(expected());
  });

  it('logs the failures without a value', () => {
    const failures = parsedLogs().filter((l) => l.message === 'request failed');
    expect(failures.length).toBeGreaterThanOrEqual(7);
    expect(failures.every((l) => l.status === 500)).toBe(true);
    expect(failures.some((l) => l.sealBroken === true)).toBe(true);
    const needles = [...tamperNeedles, ...secretNeedles, svc.tableName];
    for (const line of logLines) expect(leaksIn(line, needles), line).toEqual([]);
  });
});
