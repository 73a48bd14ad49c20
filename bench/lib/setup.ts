import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createAdaptorServer } from '@hono/node-server';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { ensureTable } from '../../infra/local/ensure-table.js';
import { seedDevelopmentData, type DevCredentials } from '../../infra/local/seed.js';
import { admitting, createLocalApp } from '../../infra/local/server.js';
import { authenticate } from '../../shared/auth/api-keys.js';
import type { Principal } from '../../shared/auth/principal.js';
import { readConfig, type ServiceConfig } from '../../shared/config.js';
import { KmsKeyProvider } from '../../shared/crypto/kms-key-provider.js';
import { createDeps, type Deps } from '../../shared/deps.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { createEnvironment } from '../../shared/services/environments.js';
import { directSecrets, variables } from '../../shared/services/entry-operations.js';
import { linkGlobalSecret } from '../../shared/services/links.js';
import { createGlobalSecret } from '../../shared/services/global-secrets.js';
import { ownerKeyOf, type OwnerKey } from '../../shared/owner-key.js';
import { BENCH_KMS_KEY_ID, createBenchKms, type BenchKms } from './bench-kms.js';
import { DynamoCallRecorder } from './dynamo-calls.js';

export const SIZES = [10, 100, 500] as const;
export type Size = (typeof SIZES)[number];

export interface Counts {
  direct: number;
  linked: number;
  variables: number;
}

export interface BenchEnvironment {
  size: Size;
  id: string;
  ownerKey: OwnerKey;
  counts: Counts;
  /** Ids of the linked global secrets. */
  linkedSecretIds: string[];
  /** Every name's expected value, to check a read. */
  expected: Map<string, string>;
}

/** One process (one Lambda container, or `npm start`): deps, app and an HTTP server on 127.0.0.1. */
interface ServiceInstance {
  deps: Deps;
  kms: BenchKms;
  recorder: DynamoCallRecorder;
  /** Status and error name of every request that failed with a 5xx. */
  failures: string[];
  baseUrl: string;
  server: Server;
  close(): Promise<void>;
}

export interface BenchContext {
  dynamo: DynamoDbLocal;
  config: ServiceConfig;
  service: ServiceInstance;
  seed: DevCredentials;
  servicePrincipal: Principal;
  environments: Record<Size, BenchEnvironment>;
  kmsLatencyMs: number;
  newInstance(): Promise<ServiceInstance>;
  close(): Promise<void>;
}

/** Per-key limits out of the way: the bench measures the read, not the limiter's refusals. */
export const HIGH_LIMITS = {
  RATE_LIMIT_USER_RPS: '100000000',
  RATE_LIMIT_USER_BURST: '100000000',
  RATE_LIMIT_SERVICE_RPS: '100000000',
  RATE_LIMIT_SERVICE_BURST: '100000000',
};

/**
 * The service's own request logger, at its default level, writing into a sink: the JSON
 * lines are still built for every request (a real cost in Lambda), just not printed.
 */
function sinkLogger(failures: string[]): Logger {
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      // Failed requests (5xx) are kept by status and error name, to explain a figure.
      if (chunk.includes('"level":"ERROR"')) {
        const line = JSON.parse(chunk.toString()) as { status?: number; error?: string };
        failures.push(`${line.status ?? '?'} ${line.error ?? '?'}`);
      }
      done();
    },
  });
  return createLogger('prime-secrets-bench', { stdout: sink, stderr: sink });
}

/** Metric lines, built and written for every request as in Lambda, into a stream that drops them. */
const metricSink = new Writable({ write: (_chunk, _encoding, done) => done() });

async function listen(server: Server): Promise<string> {
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startInstance(config: ServiceConfig, kmsLatencyMs: number): Promise<ServiceInstance> {
  const kms = createBenchKms({ latencyMs: kmsLatencyMs });
  const failures: string[] = [];
  const deps = createDeps(config, {
    keyProvider: new KmsKeyProvider(BENCH_KMS_KEY_ID, kms.client),
    logger: sinkLogger(failures),
    writeMetrics: (line) => metricSink.write(`${line}\n`),
  });
  const recorder = new DynamoCallRecorder(deps.db.raw);
  // What `npm start` serves (infra/local/start.ts), on a port of its own.
  const server = createAdaptorServer({ fetch: admitting(createLocalApp(deps).fetch) }) as Server;
  const baseUrl = await listen(server);
  return {
    deps,
    kms,
    recorder,
    failures,
    baseUrl,
    server,
    close: async () => {
      if (!server.listening) return;
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      deps.db.raw.destroy();
    },
  };
}

/** Runs `make(0..count-1)` one after the other. */
async function oneByOne(count: number, make: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < count; i++) await make(i);
}

const valueFor = (kind: string, size: number, i: number) => `${kind}-${size}-${i}-`.padEnd(64, 'x');

/**
 * An environment of `size` entries, a third each direct secrets, linked global secrets and
 * variables, written through the service functions: one writer per kind, the three in
 * parallel (every entry write also counts itself on the environment's META item in the same
 * transaction, so more writers on one environment would only conflict and back off).
 */
async function fillEnvironment(deps: Deps, dev: Principal, size: Size): Promise<BenchEnvironment> {
  const env = await createEnvironment(deps, dev, { name: `bench-${size}` });
  const third = Math.floor(size / 3);
  const counts: Counts = { direct: size - 2 * third, linked: third, variables: third };
  const expected = new Map<string, string>();
  const linkedSecretIds: string[] = [];
  await Promise.all([
    oneByOne(counts.direct, (i) => {
      const name = `DIRECT_${i}`;
      expected.set(name, valueFor('direct', size, i));
      return directSecrets.create(deps, dev, env.id, { name, value: expected.get(name)! });
    }),
    oneByOne(counts.variables, (i) => {
      const name = `VAR_${i}`;
      expected.set(name, valueFor('var', size, i));
      return variables.create(deps, dev, env.id, { name, value: expected.get(name)! });
    }),
    oneByOne(counts.linked, async (i) => {
      // Global secret names are unique per owner, and a link takes the secret's name.
      const name = `N${size}_GLOBAL_${i}`;
      expected.set(name, valueFor('global', size, i));
      const secret = await createGlobalSecret(deps, dev, { name, value: expected.get(name)! });
      linkedSecretIds.push(secret.id);
      await linkGlobalSecret(deps, dev, env.id, secret.id);
    }),
  ]);
  const ownerKey = ownerKeyOf(env.userId ? { userId: env.userId } : { teamId: env.teamId! });
  return { size, id: env.id, ownerKey, counts, linkedSecretIds, expected };
}

export async function createBenchContext(options: {
  kmsLatencyMs: number;
  log: (line: string) => void;
}): Promise<BenchContext> {
  const dataDir = mkdtempSync(join(tmpdir(), 'prime-secrets-bench-'));
  const dynamo = await startDynamoDbLocal({ inMemory: true });
  options.log(`DynamoDB Local (in memory) on ${dynamo.endpoint}`);
  const instances: ServiceInstance[] = [];
  try {
    const config = readConfig({
      ...HIGH_LIMITS,
      TABLE_NAME: 'prime-secrets-bench',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      DATA_DIR: dataDir,
      AWS_REGION: 'us-east-1',
      // `METRICS=off npm run bench` measures without the metric lines, for the comparison.
      METRICS: process.env.METRICS,
    });
    const newInstance = async () => {
      const instance = await startInstance(config, options.kmsLatencyMs);
      instances.push(instance);
      return instance;
    };
    const service = await newInstance();
    await ensureTable(service.deps.db.raw, config.tableName);
    const seed = await seedDevelopmentData(service.deps, service.baseUrl, { userSlug: 'bench' });
    const servicePrincipal = await authenticate(service.deps, `Bearer ${seed.serviceKey}`);
    const dev: Principal = { type: 'user', userId: seed.user.id, keyId: 'bench', scopes: ['manage'] };

    const started = performance.now();
    const environments = {} as Record<Size, BenchEnvironment>;
    for (const size of SIZES) environments[size] = await fillEnvironment(service.deps, dev, size);
    options.log(
      `Filled environments of ${SIZES.join(', ')} entries in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    return {
      dynamo,
      config,
      service,
      seed,
      servicePrincipal,
      environments,
      kmsLatencyMs: options.kmsLatencyMs,
      newInstance,
      close: async () => {
        for (const instance of instances) await instance.close();
        await dynamo.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const instance of instances) await instance.close().catch(() => undefined);
    await dynamo.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A keep-alive HTTP client, as a hosted service's would be: node:http with a pooled agent
 * (about 0.4 ms a request cheaper than the global fetch on the same loopback).
 */
const keepAlive = new Agent({ keepAlive: true, maxSockets: 16 });

/** A GET through HTTP with `key`, on the keep-alive agent: its status and body. */
export function getWithKey(
  baseUrl: string,
  path: string,
  key: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const url = new URL(`${baseUrl}${path}`);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        agent: keepAlive,
        headers: { authorization: `Bearer ${key}`, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The read a hosted service makes at job start, through HTTP, checked against what was written. */
export async function fetchRuntime(
  baseUrl: string,
  serviceKey: string,
  env: BenchEnvironment,
  check = false,
  route: 'runtime' | 'runtime/check' = 'runtime',
): Promise<void> {
  const { status, text } = await getWithKey(baseUrl, `/api/v1/environmentshub/${env.id}/${route}`, serviceKey, {
    'x-job-id': 'bench',
  });
  if (status !== 200) throw new Error(`${route} of ${env.size} entries: ${status} ${text.slice(0, 200)}`);
  if (check) checkResolved(JSON.parse(text).data.env, env);
}

export function checkResolved(got: Record<string, string>, env: BenchEnvironment): void {
  const names = Object.keys(got);
  if (names.length !== env.expected.size) {
    throw new Error(`expected ${env.expected.size} names, got ${names.length}`);
  }
  for (const [name, value] of env.expected) {
    if (got[name] !== value) throw new Error(`${name}: wrong value`);
  }
}
