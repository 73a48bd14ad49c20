import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLambdaBundles, entryPointOf, type BundleInfo } from '../../infra/build.js';
import { keys } from '../../shared/data/keys.js';
import { WARM_UP_MS } from '../../shared/services/warm-up.js';
import { runBundle, v2Event } from '../support/lambda-bundle.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * A runtime container Lambda initializes ahead of traffic (provisioned concurrency) makes its
 * first DynamoDB call while it starts (shared/services/warm-up.ts); one made for a request does
 * not. Through the built bundle in fresh processes, over DynamoDB Local, with Lambda's own
 * `AWS_LAMBDA_INITIALIZATION_TYPE`.
 */

let svc: TestService;
let outDir: string;
let runtime: BundleInfo<'runtime'>;
let envId: string;
/** Accepts connections and never answers: a DynamoDB that hangs. */
let silent: Server;
const sockets: Socket[] = [];

beforeAll(async () => {
  svc = await startTestService();
  outDir = mkdtempSync(join(tmpdir(), 'prime-secrets-warm-up-'));
  const [built] = await buildLambdaBundles(outDir, { runtime: entryPointOf('runtime') });
  runtime = built!;
  envId = (await svc.must(201, 'POST', '/api/v1/environmentshub', { name: 'warm-up' })).data.id;
  await svc.must(201, 'POST', `/api/v1/environmentshub/${envId}/variables`, { name: 'REGION', value: 'eu' });
  silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((listening) => silent.listen(0, '127.0.0.1', listening));
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((closed) => silent.close(closed));
  rmSync(outDir, { recursive: true, force: true });
});

const read = () =>
  v2Event('GET', '/api/v1/environmentshub/{envId}/runtime', `/api/v1/environmentshub/${envId}/runtime`, {
    authorization: `Bearer ${svc.seed.serviceKey}`,
  });

/** The runtime bundle in a fresh process, initialized as `initialization`, over `dynamoEndpoint`. */
const container = (initialization: string, events: unknown[], dynamoEndpoint = svc.deps.config.dynamoEndpoint!) =>
  runBundle(runtime.file, events, {
    TABLE_NAME: svc.tableName,
    DYNAMODB_ENDPOINT: dynamoEndpoint,
    DATA_DIR: svc.dataDir,
    KMS_KEY_ID: '',
    AWS_LAMBDA_INITIALIZATION_TYPE: initialization,
  });

const isProbe = (key: Record<string, { S?: string }>) =>
  key.pk?.S === keys.healthProbe.pk && key.sk?.S === keys.healthProbe.sk;

describe("a runtime container's start", () => {
  it('initialized ahead, makes its first DynamoDB call before any request, then serves reads', async () => {
    const run = await container('provisioned-concurrency', [read(), read()]);
    expect(run.results.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(JSON.parse(run.results[0]!.body).data.env).toEqual({ REGION: 'eu' });
    // The table's probe, once, and first: the reads' own look-ups come after it.
    expect(run.getItemKeys.filter(isProbe)).toHaveLength(1);
    expect(isProbe(run.getItemKeys[0]!)).toBe(true);
    expect(run.logs.filter((line) => line.message === 'warm-up skipped')).toEqual([]);
  });

  it('on demand, makes none: its start waits on nothing but its own code', async () => {
    const run = await container('on-demand', [read()]);
    expect(run.results.map((r) => r.statusCode)).toEqual([200]);
    expect(run.getItemKeys.filter(isProbe)).toEqual([]);
  });

  it('initialized ahead over a DynamoDB that never answers, gives up within its bound and says so', async () => {
    const { port } = silent.address() as { port: number };
    const run = await container('provisioned-concurrency', [], `http://127.0.0.1:${port}`);
    // Lambda gives an initialization 10 s; the warm-up's bound is a tenth of that, with room here.
    expect(run.timings.importMs).toBeLessThan(WARM_UP_MS * 5);
    expect(run.logs.filter((line) => line.message === 'warm-up skipped')).toEqual([
      expect.objectContaining({ level: 'WARN', error: 'DeadlineReached' }),
    ]);
  });

  it('initialized ahead without a reachable table, still starts and answers its requests as the service does', async () => {
    // A port nothing listens on: the connection is refused at once.
    const refusing = createServer();
    await new Promise<void>((listening) => refusing.listen(0, '127.0.0.1', listening));
    const { port } = refusing.address() as { port: number };
    await new Promise((closed) => refusing.close(closed));

    const run = await container('provisioned-concurrency', [read()], `http://127.0.0.1:${port}`);
    expect(run.logs.filter((line) => line.message === 'warm-up skipped')).toHaveLength(1);
    expect(run.results[0]!.statusCode).toBe(503);
    expect(JSON.parse(run.results[0]!.body)).toEqual({ detail: expect.any(String), code: 'unavailable' });
    expect(run.results[0]!.headers['retry-after']).toMatch(/^\d+$/);
  });
});
