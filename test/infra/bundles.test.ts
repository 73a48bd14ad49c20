import { createSocket } from 'node:dgram';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INFO } from '../../functions/openapi-document.js';
import { CONSOLE_RESOURCES, operationIdOf, RESOURCES, ROUTES, type Resource } from '../../functions/routes.js';
import { buildBundles, formatSizes, TRACER_FILE, WORKERS, type BundleInfo } from '../../infra/build.js';
import { DEFAULT_METRICS_NAMESPACE, METRICS } from '../../shared/metric-catalog.js';
import { runBundle, v2Event } from '../support/lambda-bundle.js';

/**
 * The Lambda bundles as `npm run build` makes them, run in a plain `node` process each (no
 * tsx, no vitest, nothing from node_modules): imported, handed API Gateway HTTP API (payload
 * 2.0) events, with the environment the stack gives them. None of these requests reaches
 * DynamoDB or KMS, so no AWS access is needed.
 */

let bundles: BundleInfo[];
let outDir: string;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'prime-secrets-bundles-'));
  bundles = await buildBundles(outDir);
});

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('npm run build', () => {
  it('makes one minified ESM bundle with a source map per resource, and per worker', () => {
    expect(bundles.map((b) => b.resource)).toEqual([...RESOURCES, ...WORKERS]);
    for (const bundle of bundles) {
      // The resources' functions trace their clients (shared/tracing.ts): their tracer beside them.
      const tracer = (RESOURCES as readonly string[]).includes(bundle.resource)
        ? [TRACER_FILE, `${TRACER_FILE}.map`]
        : [];
      expect(readdirSync(bundle.dir).sort()).toEqual(['index.mjs', 'index.mjs.map', ...tracer]);
      const code = readFileSync(bundle.file, 'utf8');
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      // Minified: very long lines, not a readable file.
      expect(code.length / code.split('\n').length).toBeGreaterThan(2000);
      // Self-contained: only Node built-ins are imported at run time, the SDK included.
      const imports = [...code.matchAll(/\bfrom\s*["']([^"']+)["']/g)].map((m) => m[1]!);
      expect(imports.filter((spec) => !spec.startsWith('node:'))).toEqual([]);
      const map = JSON.parse(readFileSync(`${bundle.file}.map`, 'utf8'));
      expect(map.sources.some((s: string) => s.endsWith(`functions/${bundle.resource}/handler.ts`))).toBe(true);
      expect(bundle.bytes).toBeLessThan(5 * 1024 * 1024);
    }
    expect(formatSizes(bundles)).toContain('accounts');
  });
});

describe('what a bundle carries (esbuild metafile)', () => {
  it("the runtime read's carries no zod, no OpenAPI declarations, document or Swagger UI, no route table", () => {
    const runtime = bundles.find((b) => b.resource === 'runtime')!;
    expect(runtime.inputs).toContain('functions/runtime/handler.ts');
    const unneeded = runtime.inputs.filter(
      (input) =>
        /node_modules\/(zod|@hono\/zod-openapi|@hono\/zod-validator|@asteasolutions\/zod-to-openapi|swagger-ui-dist)\//.test(
          input,
        ) ||
        [
          'shared/schemas.ts',
          'shared/api-objects.ts',
          'shared/http/openapi.ts',
          'functions/runtime/openapi.ts',
          'functions/openapi-document.ts',
          // Every resource's routes, where it needs only a path's Hono form (shared/http/hono-path.ts).
          'functions/routes.ts',
        ].includes(input) ||
        // Hono's default routers: the plain app routes its few paths with the PatternRouter (hono/tiny).
        /node_modules\/hono\/dist\/router\/(reg-exp|trie|smart)-router\//.test(input),
    );
    expect(unneeded).toEqual([]);
    // It checks its requests by shared/rules.ts, which the zod schemas are built from.
    expect(runtime.inputs).toContain('shared/rules.ts');
    // Every byte is parsed on each cold start (bench: `npm run bench -- --only bundles`).
    expect(runtime.bytes).toBeLessThan(470 * 1024);
  });

  it("the audit stream's forwarder carries no zod either", () => {
    const forwarder = bundles.find((b) => b.resource === 'audit-stream')!;
    expect(forwarder.inputs.filter((input) => input.includes('node_modules/zod/'))).toEqual([]);
  });

  it('the API resources carry zod with its English messages only', () => {
    const api = bundles.filter((b) => !['runtime', 'audit-stream', ...CONSOLE_RESOURCES].includes(b.resource));
    expect(api.length).toBeGreaterThan(5);
    for (const bundle of api) {
      const locales = bundle.inputs.filter((input) => input.includes('node_modules/zod/v4/locales/'));
      expect({ resource: bundle.resource, locales: locales.map((l) => l.replace(/^.*locales\//, '')).sort() }).toEqual({
        resource: bundle.resource,
        locales: ['en.js', 'index.js'],
      });
    }
  });
});

describe('the tracer, apart (esbuild metafile)', () => {
  const isTracer = (input: string) =>
    input.includes('node_modules/@aws-lambda-powertools/tracer/') ||
    input.includes('node_modules/aws-xray-sdk-core/') ||
    input === 'shared/tracer.ts';

  it('is in no bundle: each imports Node built-ins, and its own tracer.mjs only by a dynamic import', () => {
    for (const bundle of bundles) expect(bundle.inputs.filter(isTracer), bundle.resource).toEqual([]);
    for (const bundle of bundles.filter((b) => (RESOURCES as readonly string[]).includes(b.resource))) {
      expect(bundle.inputs, bundle.resource).toContain('shared/tracing.ts');
      expect(
        bundle.imports.filter((i) => !i.path.startsWith('node:')),
        bundle.resource,
      ).toEqual([{ path: `./${TRACER_FILE}`, kind: 'dynamic-import' }]);
      // The file it names is beside it, with Powertools Tracer and the X-Ray SDK in it.
      const tracer = readFileSync(join(bundle.dir, TRACER_FILE), 'utf8');
      expect(tracer).toContain('XRaySDKInstrumentation');
    }
    const runtime = bundles.find((b) => b.resource === 'runtime')!;
    expect(readFileSync(runtime.file, 'utf8')).not.toContain('XRaySDKInstrumentation');
  });
});

describe('tracing (TRACING=on, as the stack sets it with `tracing`)', () => {
  const RUNTIME_ROUTE = '/api/v1/environmentshub/{envId}/runtime';
  const KEY = `prime_${'k'.repeat(43)}`;
  const TRACE_ROOT = '1-5759e988-bd862e3fe1be46a994272793';
  /** The runtime read with a key the table is asked about: DynamoDB refuses the connection, a 503. */
  const read = v2Event('GET', RUNTIME_ROUTE, `/api/v1/environmentshub/${'a'.repeat(24)}/runtime`, {
    authorization: `Bearer ${KEY}`,
  });

  /** Runs the runtime bundle from `dir` as Lambda would with active tracing, and what reached the X-Ray daemon. */
  async function runTraced(dir: string, tracing: 'on' | 'off') {
    const daemon = createSocket('udp4');
    const datagrams: string[] = [];
    daemon.on('message', (message) => datagrams.push(message.toString()));
    await new Promise<void>((bound) => daemon.bind(0, '127.0.0.1', bound));
    try {
      const run = await runBundle(join(dir, 'index.mjs'), [read, read], {
        TRACING: tracing,
        // What Lambda sets in a function with active tracing.
        LAMBDA_TASK_ROOT: '/var/task',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        _X_AMZN_TRACE_ID: `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
        AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
      });
      // The SDK sends each subsegment as it ends, before the answer: a round trip more on loopback.
      await new Promise<void>((sent) => daemon.send('', daemon.address().port, '127.0.0.1', () => sent()));
      return { run, subsegments: datagrams.filter((d) => d !== '').map((d) => JSON.parse(d.split('\n')[1]!)) };
    } finally {
      daemon.close();
    }
  }

  it("traces every DynamoDB call, a container's first included, and never sends the key", async () => {
    const runtime = bundles.find((b) => b.resource === 'runtime')!;
    const { run, subsegments } = await runTraced(runtime.dir, 'on');
    expect(run.results.map((r) => r.statusCode)).toEqual([503, 503]);
    // One GetItem of the key per read (not cached: it was never found), each its own subsegment.
    expect(subsegments.map((s) => [s.name, s.aws.operation, s.trace_id, s.fault])).toEqual([
      ['DynamoDB', 'GetItem', TRACE_ROOT, true],
      ['DynamoDB', 'GetItem', TRACE_ROOT, true],
    ]);
    expect(JSON.stringify(subsegments)).not.toContain(KEY);
    // Traced, the calls still count in the metric lines (shared/metrics.ts wraps the same client).
    expect(run.logs.filter((l) => l._aws).map((l) => [l.service, l[METRICS.dynamoDbFailures.name]])).toEqual([
      ['runtime', 1],
      ['runtime', 1],
    ]);
  });

  it('off, loads nothing of the tracer: the bundle runs without tracer.mjs, and nothing is sent', async () => {
    const runtime = bundles.find((b) => b.resource === 'runtime')!;
    const alone = mkdtempSync(join(tmpdir(), 'prime-secrets-no-tracer-'));
    try {
      for (const file of ['index.mjs', 'index.mjs.map']) copyFileSync(join(runtime.dir, file), join(alone, file));
      const { run, subsegments } = await runTraced(alone, 'off');
      expect(run.results.map((r) => r.statusCode)).toEqual([503, 503]);
      expect(subsegments).toEqual([]);
      // On, without its file: a warning (on stderr), and the reads go on untraced.
      const missing = await runTraced(alone, 'on');
      expect(missing.run.results.map((r) => r.statusCode)).toEqual([503, 503]);
      expect(missing.subsegments).toEqual([]);
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
  });
});

describe('each bundle in plain Node', () => {
  it.each(RESOURCES)('%s answers through its handler', async (resource: Resource) => {
    const bundle = bundles.find((b) => b.resource === resource)!;
    // The console's routes are all public to the key middleware (it has its own session cookie).
    const isConsole = CONSOLE_RESOURCES.includes(resource);
    const own = ROUTES.find((r) => r.resource === resource && (!r.public || isConsole))!;
    const ownPath = own.path.replace(/\{(\w+)\}/g, 'aaaaaaaaaaaaaaaaaaaaaaaa');
    const events = [
      v2Event('GET', '/api/v1/health', '/api/v1/health'),
      // API Gateway matches `<path>/` to the route of `<path>`: the app answers it alike.
      v2Event('GET', '/api/v1/health', '/api/v1/health/'),
      // One of its own routes without a key: refused before any DynamoDB call.
      v2Event(own.method, own.path, ownPath),
    ];
    const { results, logs } = await runBundle(bundle.file, events);
    const [health, healthSlash, unauthenticated] = results.map((r) => ({
      ...r,
      json: r.body ? JSON.parse(r.body) : undefined,
    }));
    for (const r of [health!, healthSlash!, ...(isConsole ? [] : [unauthenticated!])]) {
      expect(r.headers['content-type']).toMatch(/^application\/json/);
    }
    if (resource === 'accounts') {
      // The public health route belongs to accounts.
      expect(health!.statusCode).toBe(200);
      expect(health!.json).toEqual({ data: { status: 'ok' } });
      expect(healthSlash!.statusCode).toBe(200);
      expect(healthSlash!.json).toEqual({ data: { status: 'ok' } });
    } else {
      // Not its route: API Gateway never sends it here, and the app says so in the contract's form.
      expect(health!.statusCode).toBe(404);
      expect(health!.json.code).toBe('not_found');
      expect(healthSlash!.statusCode).toBe(404);
    }
    if (isConsole) {
      // A console page without a session cookie: sent to sign in (and back), before any DynamoDB call.
      expect(unauthenticated!.statusCode).toBe(303);
      expect(unauthenticated!.headers.location).toMatch(/^\/console\/signin(\?next=|$)/);
    } else {
      expect(unauthenticated!.statusCode).toBe(401);
      expect(unauthenticated!.json.code).toBe('unauthorized');
    }

    // Per request, a structured JSON log line, then its metric line (embedded metric format,
    // under the resource's name), each with API Gateway's request id (the X-Request-Id header)
    // beside Lambda's.
    expect(logs).toHaveLength(6);
    const requestLogs = logs.filter((l) => l._aws === undefined);
    const metricLines = logs.filter((l) => l._aws !== undefined);
    expect(requestLogs.map((l) => [l.level, l.message, l.service, l.status])).toEqual([
      ['INFO', 'request', 'prime-secrets', health!.statusCode],
      ['INFO', 'request', 'prime-secrets', healthSlash!.statusCode],
      ['INFO', 'request', 'prime-secrets', unauthenticated!.statusCode],
    ]);
    expect(metricLines.map((l) => [l.service, l.Requests, l.Unauthenticated])).toEqual([
      [resource, 1, undefined],
      [resource, 1, undefined],
      [resource, 1, isConsole ? undefined : 1],
    ]);
    for (const [i, event] of events.entries()) {
      const requestId = event.requestContext.requestId;
      expect(results[i]!.headers['x-request-id']).toBe(requestId);
      for (const line of [requestLogs[i], metricLines[i]]) {
        expect(line).toMatchObject({ requestId, awsRequestId: `aws-req-${requestId}` });
      }
    }
    expect(metricLines[0]._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: DEFAULT_METRICS_NAMESPACE,
      Dimensions: [['service']],
    });
  });
});

describe("the audit stream's forwarder in plain Node", () => {
  it('takes a stream event, and puts nothing of items that are not audit events, nor of removals', async () => {
    const forwarder = bundles.find((b) => b.resource === 'audit-stream')!;
    const record = (eventName: string, pk: string, image: boolean) => ({
      eventID: `${eventName}-${pk}`,
      eventName,
      eventSource: 'aws:dynamodb',
      dynamodb: {
        Keys: { pk: { S: pk }, sk: { S: 'sk' } },
        ...(image ? { NewImage: { pk: { S: pk }, sk: { S: 'sk' }, value: { S: 'plain' } } } : {}),
        SequenceNumber: '100',
      },
    });
    const { results, calls } = await runBundle(
      forwarder.file,
      [{ Records: [record('INSERT', 'ENV#aaaa', true), record('REMOVE', 'AUDIT#U#aaaa#0', false)] }],
      { AUDIT_EVENT_BUS_NAME: 'prime-secrets-bundle-test-audit' },
    );
    expect(results).toEqual([{ batchItemFailures: [] }]);
    expect(calls).toEqual({});
  });
});

describe('the OpenAPI document', () => {
  it('is served by the accounts bundle, whose code alone carries it', async () => {
    const accounts = bundles.find((b) => b.resource === 'accounts')!;
    const { results } = await runBundle(accounts.file, [
      v2Event('GET', '/openapi.json', '/openapi.json'),
      v2Event('GET', '/openapi.json', '/openapi.json'),
    ]);
    const api = ROUTES.filter((r) => !CONSOLE_RESOURCES.includes(r.resource));
    for (const result of results) {
      expect(result.statusCode).toBe(200);
      expect(result.headers['content-type']).toMatch(/^application\/json/);
      const doc = JSON.parse(result.body);
      expect(doc.info.title).toBe(INFO.title);
      for (const route of api) {
        expect(doc.paths[route.path][route.method.toLowerCase()].operationId).toBe(operationIdOf(route));
      }
    }
    // The document's module (every resource's routes, the title) is in no other bundle: the runtime
    // read's, and every other function's, cold start carries none of it.
    for (const bundle of bundles) {
      const carries = readFileSync(bundle.file, 'utf8').includes(INFO.title);
      expect({ resource: bundle.resource, carries }).toEqual({
        resource: bundle.resource,
        carries: bundle.resource === 'accounts',
      });
    }
  });
});
