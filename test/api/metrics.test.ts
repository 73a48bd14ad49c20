import { randomBytes } from 'node:crypto';
import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_RESOURCES, RESOURCES, ROUTES } from '../../functions/routes.js';
import type { DataKeyContext, GeneratedDataKey, KeyProvider } from '../../shared/crypto/key-provider.js';
import { LocalKeyProvider } from '../../shared/crypto/local-key-provider.js';
import { newId } from '../../shared/ids.js';
import type { Logger } from '../../shared/logger.js';
import { DEFAULT_METRICS_NAMESPACE, METRICS } from '../../shared/metric-catalog.js';
import { startTestService, type CallOptions, type CallResult, type TestService } from '../support/service.js';

/**
 * The metric lines (CloudWatch's embedded metric format, one per request) and the request id,
 * read as an operator would: each line parsed from what the service writes, each log line from
 * its logger, the id from the response header.
 */

const V1 = '/api/v1';
const envPath = (envId: string) => `${V1}/environmentshub/${envId}`;
const CATALOG = new Map(Object.values(METRICS).map((m) => [m.name, m.unit]));

interface LogLine {
  level: string;
  message: string;
  attributes: Record<string, unknown>;
}

/** Metric lines and log lines as the service wrote them, in order. */
const written: string[] = [];
const logged: LogLine[] = [];
const recordingLogger: Logger = {
  info: (message, attributes) => logged.push({ level: 'info', message, attributes }),
  warn: (message, attributes) => logged.push({ level: 'warn', message, attributes }),
  error: (message, attributes) => logged.push({ level: 'error', message, attributes }),
};

/** The local key provider, failing as KMS does after the SDK's retries while `failWith` is set. */
class FailingKms implements KeyProvider {
  readonly name = 'kms' as const;
  failWith: string | undefined;
  private readonly inner = new LocalKeyProvider(randomBytes(32));

  generateDataKey(context: DataKeyContext): Promise<GeneratedDataKey> {
    return this.failing() ?? this.inner.generateDataKey(context);
  }

  decryptDataKey(wrapped: Uint8Array, context: DataKeyContext): Promise<Buffer> {
    return this.failing() ?? this.inner.decryptDataKey(wrapped, context);
  }

  check(): Promise<void> {
    return this.failing() ?? this.inner.check();
  }

  private failing(): Promise<never> | undefined {
    if (!this.failWith) return undefined;
    return Promise.reject(Object.assign(new Error('KMS refused'), { name: this.failWith, $metadata: {} }));
  }
}

type Emf = Record<string, any>;

/** One request and the one metric line it wrote (parsed), with the log lines it wrote. */
async function measured(
  svc: TestService,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<{ res: CallResult; emf: Emf; logs: LogLine[] }> {
  const lines = written.length;
  const logs = logged.length;
  const res = await svc.call(method, path, options);
  const mine = written.slice(lines);
  expect(mine, `${method} ${path}: one metric line`).toHaveLength(1);
  return { res, emf: JSON.parse(mine[0]!), logs: logged.slice(logs) };
}

/** The line is EMF that CloudWatch takes: one namespace, the `service` dimension only, catalog names and units. */
function expectEmf(emf: Emf, service: string): void {
  const directives = emf._aws.CloudWatchMetrics;
  expect(directives).toHaveLength(1);
  expect(directives[0].Namespace).toBe(DEFAULT_METRICS_NAMESPACE);
  expect(directives[0].Dimensions).toEqual([['service']]);
  expect(emf.service).toBe(service);
  for (const { Name, Unit } of directives[0].Metrics) {
    expect(CATALOG.get(Name), Name).toBe(Unit);
    expect(typeof emf[Name], Name).toBe('number');
  }
}

/** The counts of a line, by name, without the latency (it varies). */
function countsOf(emf: Emf): Record<string, number> {
  return Object.fromEntries(
    (emf._aws.CloudWatchMetrics[0].Metrics as { Name: string }[])
      .filter(({ Name }) => Name !== METRICS.latency.name)
      .map(({ Name }) => [Name, emf[Name]]),
  );
}

const answered = (status: number) => ({
  Requests: 1,
  ClientErrors: status >= 400 && status < 500 ? 1 : 0,
  ServerErrors: status >= 500 ? 1 : 0,
});

let svc: TestService;
const kms = new FailingKms();
const canaries = { global: 'canary-global-3d8e1a', direct: 'canary-direct-9b47c2', variable: 'canary-var-5f60d1' };
const NAMES = ['METRIC_LINKED_NAME', 'METRIC_DIRECT_NAME', 'METRIC_PLAIN_NAME'];
let envId: string;
let secretId: string;

beforeAll(async () => {
  svc = await startTestService({
    keyProvider: kms,
    logger: recordingLogger,
    writeMetrics: (line) => written.push(line),
  });
  envId = svc.seed.environments.personal.id;
  const secret = await svc.must(201, 'POST', `${V1}/secrets/`, { name: NAMES[0], value: canaries.global });
  secretId = secret.data.id;
  await svc.must(201, 'POST', `${envPath(envId)}/secrets/link/${secretId}`, {});
  await svc.must(201, 'POST', `${envPath(envId)}/secrets`, { name: NAMES[1], value: canaries.direct });
  await svc.must(201, 'POST', `${envPath(envId)}/variables`, { name: NAMES[2], value: canaries.variable });
});

afterEach(() => {
  kms.failWith = undefined;
  svc.deps.db.raw.middlewareStack.remove('failDynamo');
});

describe('a runtime read', () => {
  it('served cold, then warm: the entries, the KMS call, the cache hits and misses', async () => {
    svc.deps.dataKeys.clear();
    svc.deps.apiKeys.clear();
    const cold = await measured(svc, 'GET', `${envPath(envId)}/runtime`, { key: svc.seed.serviceKey });
    expect(cold.res.status).toBe(200);
    expect(cold.res.body.data.env).toMatchObject({ [NAMES[1]!]: canaries.direct });
    expectEmf(cold.emf, 'runtime');
    expect(countsOf(cold.emf)).toEqual({
      ...answered(200),
      RuntimeReadsServed: 1,
      RuntimeEntriesServed: 3,
      ApiKeyCacheMisses: 1,
      DataKeyCacheMisses: 1,
      KmsCalls: 1,
    });
    expect(cold.emf.Latency).toBeGreaterThan(0);

    const warm = await measured(svc, 'GET', `${envPath(envId)}/runtime`, { key: svc.seed.serviceKey });
    expect(warm.res.status).toBe(200);
    expect(countsOf(warm.emf)).toEqual({
      ...answered(200),
      RuntimeReadsServed: 1,
      RuntimeEntriesServed: 3,
      ApiKeyCacheHits: 1,
      // Warm, the direct secret is opened while the batch is in flight, the linked one after it: two look-ups.
      DataKeyCacheHits: 2,
    });
  });

  it('refused: an id the caller may not see (404), a set without a required name (412)', async () => {
    const unknown = await measured(svc, 'GET', `${envPath(newId())}/runtime`, { key: svc.seed.serviceKey });
    expect(unknown.res.status).toBe(404);
    expectEmf(unknown.emf, 'runtime');
    expect(countsOf(unknown.emf)).toMatchObject({ ...answered(404), RuntimeReadsRefused: 1, RefusedIds: 1 });
    expect(unknown.emf).not.toHaveProperty('RuntimeReadsServed');

    await svc.must(200, 'PUT', `${envPath(envId)}/requirements/METRIC_REQUIRED`, {});
    try {
      const missing = await measured(svc, 'GET', `${envPath(envId)}/runtime`, { key: svc.seed.serviceKey });
      expect(missing.res.status).toBe(412);
      expect(countsOf(missing.emf)).toMatchObject({
        ...answered(412),
        RuntimeReadsRefused: 1,
        RuntimePreconditionFailed: 1,
      });
      expect(missing.emf).not.toHaveProperty('RefusedIds');
      expect(missing.emf).not.toHaveProperty('RuntimeEntriesServed');
    } finally {
      await svc.must(200, 'DELETE', `${envPath(envId)}/requirements/METRIC_REQUIRED`);
    }
  });

  it('a 401: an unknown key, counted as unauthenticated and nothing else refused', async () => {
    const { res, emf } = await measured(svc, 'GET', `${envPath(envId)}/runtime`, { key: `prime_${newId()}` });
    expect(res.status).toBe(401);
    expect(countsOf(emf)).toMatchObject({ ...answered(401), Unauthenticated: 1, RuntimeReadsRefused: 1 });
    expect(emf).not.toHaveProperty('RefusedIds');
  });

  it('a 403 on a route that names an id counts as a refused id; one without an id does not', async () => {
    const viewer = await svc.teamMember('metrics-viewer', 'viewer');
    const teamEnv = svc.seed.environments.team.id;
    const write = await measured(svc, 'POST', `${envPath(teamEnv)}/variables`, {
      key: viewer.key,
      body: { name: 'NOT_ALLOWED', value: 'v' },
    });
    expect(write.res.status).toBe(403);
    expectEmf(write.emf, 'environment-variables');
    expect(countsOf(write.emf)).toMatchObject({ ...answered(403), RefusedIds: 1 });
    // The request's log line names the key that called by its id, for the one who answers the alarm; the metric line does not.
    const viewerKeyIds = (await svc.must(200, 'GET', `${V1}/user/api-keys`, undefined, { key: viewer.key })).data.map(
      (k: { id: string }) => k.id,
    );
    const { keyId } = write.logs.find((l) => l.message === 'request')!.attributes as { keyId: string };
    expect(viewerKeyIds).toContain(keyId);
    expect(JSON.stringify(write.emf)).not.toContain(keyId);

    const noId = await measured(svc, 'GET', `${V1}/admin/users`, { key: svc.seed.user.apiKey });
    expect(noId.res.status).toBe(403);
    expect(countsOf(noId.emf)).toMatchObject(answered(403));
    expect(noId.emf).not.toHaveProperty('RefusedIds');
  });
});

describe('dependency failures', () => {
  /** DynamoDB answering `command` with `fault` on every attempt, below the SDK's retries. */
  function failDynamo(command: string, fault: () => Error): void {
    svc.deps.db.raw.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === command) throw fault();
        return next(args);
      },
      { step: 'finalizeRequest', name: 'failDynamo', priority: 'low' },
    );
  }

  it('a throttled DynamoDB: a 503, one throttle, no failure', async () => {
    failDynamo(
      'GetItemCommand',
      () => new ProvisionedThroughputExceededException({ message: 'throttled', $metadata: { httpStatusCode: 400 } }),
    );
    const { res, emf } = await measured(svc, 'GET', `${envPath(envId)}/runtime`, { key: svc.seed.serviceKey });
    expect(res.status).toBe(503);
    expect(countsOf(emf)).toMatchObject({ ...answered(503), DynamoDbThrottles: 1 });
    expect(emf).not.toHaveProperty('DynamoDbFailures');
    expect(emf).not.toHaveProperty('RuntimeReadsServed');
    expect(emf).not.toHaveProperty('RuntimeReadsRefused');
  });

  it('a failing DynamoDB: a 503 and a failure; an audit event not written is counted too', async () => {
    failDynamo(
      'PutItemCommand',
      () => new InternalServerError({ message: 'internal', $metadata: { httpStatusCode: 500 } }),
    );
    const { res, emf } = await measured(svc, 'GET', `${envPath(envId)}/runtime`, { key: svc.seed.serviceKey });
    expect(res.status).toBe(503);
    expect(countsOf(emf)).toMatchObject({ ...answered(503), DynamoDbFailures: 1, AuditWriteFailures: 1 });
    expect(emf).not.toHaveProperty('DynamoDbThrottles');
    expect(emf).not.toHaveProperty('RuntimeEntriesServed');
  });

  it('KMS throttling, then failing: each counted apart, beside the call', async () => {
    for (const [failWith, metric] of [
      ['ThrottlingException', 'KmsThrottles'],
      ['KMSInternalException', 'KmsFailures'],
    ] as const) {
      svc.deps.dataKeys.clear();
      kms.failWith = failWith;
      const { res, emf } = await measured(svc, 'GET', `${envPath(envId)}/runtime`, { key: svc.seed.serviceKey });
      expect(res.status, failWith).toBe(503);
      expect(countsOf(emf), failWith).toMatchObject({ ...answered(503), KmsCalls: 1, [metric]: 1 });
      expect(emf).not.toHaveProperty(metric === 'KmsThrottles' ? 'KmsFailures' : 'KmsThrottles');
    }
  });
});

describe('the request id', () => {
  it('is the same in the header, the log lines and the metric line of a failed request', async () => {
    kms.failWith = 'KMSInternalException';
    svc.deps.dataKeys.clear();
    const { res, emf, logs } = await measured(svc, 'GET', `${envPath(envId)}/runtime`, { key: svc.seed.serviceKey });
    expect(res.status).toBe(503);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[a-z2-7]{24}$/);
    expect(emf.requestId).toBe(requestId);
    // Locally there is no Lambda invocation, so no Lambda request id beside it.
    expect(emf).not.toHaveProperty('awsRequestId');
    expect(logs.map((l) => [l.level, l.message, l.attributes.requestId])).toEqual([
      ['error', 'request failed', requestId],
      ['info', 'request', requestId],
    ]);
    // The contract's error body, as it was: the id travels in the header.
    expect(res.body).toEqual({ detail: expect.any(String), code: 'unavailable' });
  });

  it('is on every answer, a new one each time: served, refused, redirected', async () => {
    const ids = new Set<string>();
    for (const path of [`${V1}/health`, `${envPath(envId)}/runtime`, '/console']) {
      const { res, emf, logs } = await measured(svc, 'GET', path);
      const id = res.headers.get('x-request-id');
      expect(id, path).toMatch(/^[a-z2-7]{24}$/);
      expect(emf.requestId, path).toBe(id);
      expect(logs.at(-1)?.attributes.requestId, path).toBe(id);
      ids.add(id!);
    }
    expect(ids.size).toBe(3);
  });

  it("is on the local server's own answer to a path of no route (no function runs: no metric line)", async () => {
    const lines = written.length;
    const res = await svc.call('GET', `${V1}/no-such-route`, { key: svc.seed.user.apiKey });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toMatch(/^[a-z2-7]{24}$/);
    expect(written.length).toBe(lines);
  });
});

describe('every resource', () => {
  it("writes its lines under its own name in the route table, the stack's name for it", async () => {
    for (const resource of RESOURCES) {
      const isConsole = CONSOLE_RESOURCES.includes(resource);
      const own = ROUTES.find((r) => r.resource === resource && (!r.public || isConsole))!;
      const { res, emf } = await measured(svc, own.method, own.path.replace(/\{(\w+)\}/g, newId()));
      expect(res.status, resource).toBe(isConsole ? 303 : 401);
      expectEmf(emf, resource);
    }
  });
});

describe('what the lines hold', () => {
  it('never a value, a secret name, a key, an id of a record or the table', async () => {
    // Reads served cold and warm, refused and failed, and every line this file made before them.
    svc.deps.dataKeys.clear();
    const key = svc.seed.serviceKey;
    expect((await svc.call('GET', `${envPath(envId)}/runtime`, { key })).status).toBe(200);
    expect((await svc.call('GET', `${envPath(envId)}/runtime`, { key })).status).toBe(200);
    expect((await svc.call('GET', `${envPath(envId)}/runtime`, { key: svc.seed.user.apiKey })).status).toBe(403);
    const stranger = await svc.newUser('metrics-stranger');
    expect((await svc.call('GET', `${V1}/secrets/${secretId}`, { key: stranger.key })).status).toBe(404);
    svc.deps.dataKeys.clear();
    kms.failWith = 'KMSInternalException';
    expect((await svc.call('GET', `${envPath(envId)}/runtime`, { key })).status).toBe(503);
    expect(written.length).toBeGreaterThanOrEqual(5);
    const text = JSON.stringify([written, logged]);
    const needles = [
      ...Object.values(canaries),
      ...NAMES,
      'METRIC_REQUIRED',
      'NOT_ALLOWED',
      svc.seed.serviceKey,
      svc.seed.user.apiKey,
      svc.seed.user.runtimeKey,
      svc.seed.adminKey,
      envId,
      secretId,
      svc.tableName,
      'OWNER#',
      'ENV#',
    ];
    for (const needle of needles) expect(text, needle).not.toContain(needle);
  });
});

describe('METRICS=off', () => {
  it('writes no metric line, and the request id is still on the answer and in the log', async () => {
    const lines: string[] = [];
    const logs: LogLine[] = [];
    const off = await startTestService({
      env: { METRICS: 'off' },
      writeMetrics: (line) => lines.push(line),
      logger: { ...recordingLogger, info: (message, attributes) => logs.push({ level: 'info', message, attributes }) },
    });
    const read = await off.call('GET', `${envPath(off.seed.environments.personal.id)}/runtime`, {
      key: off.seed.serviceKey,
    });
    expect(read.status).toBe(200);
    const refused = await off.call('GET', `${envPath(newId())}/runtime`, { key: 'prime_nothing' });
    expect(refused.status).toBe(401);
    expect(lines).toEqual([]);
    expect(logs.at(-1)?.attributes.requestId).toBe(refused.headers.get('x-request-id'));
  });
});
