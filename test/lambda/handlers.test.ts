import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_FACTORIES } from '../../functions/apps.js';
import { CONSOLE_RESOURCES, RESOURCES, ROUTES, type Resource } from '../../functions/routes.js';
import { honoPath } from '../../shared/http/hono-path.js';
import { seedDevelopmentData, type DevCredentials } from '../../infra/local/seed.js';
import { readConfig } from '../../shared/config.js';
import { createDeps, type Deps } from '../../shared/deps.js';
import { newId } from '../../shared/ids.js';
import { NAME_MESSAGE } from '../../shared/schemas.js';
import { directSecrets } from '../../shared/services/entry-operations.js';
import { createTestTable } from '../support/table.js';

/**
 * The Lambda entries (`functions/<resource>/handler.ts`) as API Gateway HTTP API calls them:
 * payload format 2.0 events in, `{statusCode, headers, body}` out. The handlers build their
 * deps from the process environment at import, so the environment is set first.
 */

type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResult>;

const ENV_VARS = ['TABLE_NAME', 'DYNAMODB_ENDPOINT', 'DATA_DIR', 'KMS_KEY_ID'] as const;
const savedEnv = Object.fromEntries(ENV_VARS.map((name) => [name, process.env[name]]));

let deps: Deps;
let seed: DevCredentials;
const handlers = {} as Record<Resource, LambdaHandler>;

beforeAll(async () => {
  const { endpoint, tableName } = await createTestTable();
  process.env.TABLE_NAME = tableName;
  process.env.DYNAMODB_ENDPOINT = endpoint;
  process.env.DATA_DIR = mkdtempSync(join(tmpdir(), 'prime-secrets-lambda-'));
  delete process.env.KMS_KEY_ID;
  deps = createDeps(readConfig());
  seed = await seedDevelopmentData(deps, 'https://api.example.com');
  // Imported only now: each handler module builds its deps from process.env when loaded.
  const modules: Record<Resource, () => Promise<{ handler: unknown }>> = {
    accounts: () => import('../../functions/accounts/handler.js'),
    environments: () => import('../../functions/environments/handler.js'),
    'global-secrets': () => import('../../functions/global-secrets/handler.js'),
    'environment-secrets': () => import('../../functions/environment-secrets/handler.js'),
    'environment-variables': () => import('../../functions/environment-variables/handler.js'),
    runtime: () => import('../../functions/runtime/handler.js'),
    'runtime-tokens': () => import('../../functions/runtime-tokens/handler.js'),
    audit: () => import('../../functions/audit/handler.js'),
    console: () => import('../../functions/console/handler.js'),
    'console-keys': () => import('../../functions/console-keys/handler.js'),
  };
  for (const resource of RESOURCES) handlers[resource] = (await modules[resource]()).handler as LambdaHandler;
});

afterAll(() => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

let requestCounter = 0;

/** An API Gateway HTTP API (payload 2.0) event, as the route `routePath` receives it. */
function v2Event(
  method: string,
  rawPath: string,
  options: {
    routePath?: string;
    query?: string;
    key?: string;
    body?: unknown;
    rawBody?: string;
    base64?: boolean;
    headers?: Record<string, string>;
  } = {},
): APIGatewayProxyEventV2 {
  const routeKey = `${method} ${options.routePath ?? rawPath.replace(/\/$/, '')}`;
  let body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined && options.base64) body = Buffer.from(body, 'utf8').toString('base64');
  const headers: Record<string, string> = {
    host: 'api.example.com',
    'user-agent': 'prime-cli/0.5',
    'content-type': 'application/json',
    accept: 'application/json',
    ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
    ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
    ...options.headers,
  };
  const requestId = `req-${++requestCounter}`;
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: options.query ?? '',
    ...(options.query ? { queryStringParameters: Object.fromEntries(new URLSearchParams(options.query)) } : {}),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'prime-cli/0.5' },
      requestId,
      routeKey,
      stage: '$default',
      time: '28/Nov/2026:20:51:04 +0000',
      timeEpoch: Date.now(),
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: options.base64 === true,
  };
}

function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'prime-secrets-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:prime-secrets-test',
    memoryLimitInMB: '512',
    awsRequestId: `aws-req-${newId()}`,
    logGroupName: '/aws/lambda/prime-secrets-test',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

interface Invoked {
  statusCode: number;
  headers: Record<string, unknown>;
  body: any;
  raw: APIGatewayProxyResult;
}

async function invoke(resource: Resource, event: APIGatewayProxyEventV2): Promise<Invoked> {
  const raw = await handlers[resource](event, lambdaContext());
  expect(raw.isBase64Encoded).toBe(false);
  return {
    statusCode: raw.statusCode,
    headers: raw.headers ?? {},
    body: raw.body ? JSON.parse(raw.body) : undefined,
    raw,
  };
}

function expectJson(res: Invoked, status: number): void {
  expect({ statusCode: res.statusCode, body: res.body }).toMatchObject({ statusCode: status });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
}

describe('the Lambda handlers with API Gateway v2 events', () => {
  it('every resource has a handler', () => {
    for (const resource of RESOURCES) expect(typeof handlers[resource]).toBe('function');
  });

  it('answers health and whoami', async () => {
    const health = await invoke('accounts', v2Event('GET', '/api/v1/health'));
    expectJson(health, 200);
    expect(health.body).toEqual({ data: { status: 'ok' } });

    const who = await invoke('accounts', v2Event('GET', '/api/v1/user/whoami', { key: seed.user.apiKey }));
    expectJson(who, 200);
    expect(who.body.data).toMatchObject({
      id: seed.user.id,
      slug: 'dev',
      scope: { teams: [{ teamId: seed.team.id, slug: seed.team.slug, role: 'admin' }] },
    });
  });

  it('creates and lists global secrets, links them, and serves the runtime read', async () => {
    const key = seed.user.apiKey;
    const envId = seed.environments.personal.id;

    // Real clients call the collection with a trailing slash, which the stack routes by a greedy
    // twin of the route (infra/cdk/secrets-stack.ts): the app answers it as the collection.
    const twin = '/api/v1/secrets/{proxy+}';
    const created = await invoke(
      'global-secrets',
      v2Event('POST', '/api/v1/secrets/', {
        key,
        routePath: twin,
        body: { name: 'JUDGE_KEY', value: 'sk-judge', description: 'j' },
      }),
    );
    expectJson(created, 201);
    expect(created.body.data).toMatchObject({ name: 'JUDGE_KEY', userId: seed.user.id, teamId: null, isFile: false });
    expect(created.raw.body).not.toContain('sk-judge');
    const secretId = created.body.data.id as string;

    for (const [path, routePath] of [
      ['/api/v1/secrets/', twin],
      ['/api/v1/secrets/', '/api/v1/secrets'],
      ['/api/v1/secrets', '/api/v1/secrets'],
    ] as const) {
      const listed = await invoke('global-secrets', v2Event('GET', path, { key, routePath }));
      expectJson(listed, 200);
      expect(listed.body).toMatchObject({ totalCount: 1, data: [{ id: secretId, name: 'JUDGE_KEY' }] });
    }
    // Anything else the twin catches is the contract's 404.
    const deeper = await invoke('global-secrets', v2Event('GET', '/api/v1/secrets/a/b/c', { key, routePath: twin }));
    expectJson(deeper, 404);
    expect(deeper.body.code).toBe('not_found');
    const paged = await invoke(
      'global-secrets',
      v2Event('GET', '/api/v1/secrets/', { key, query: 'offset=1&limit=5' }),
    );
    expect(paged.body).toEqual({ data: [], totalCount: 1 });

    const direct = await invoke(
      'environment-secrets',
      v2Event('POST', `/api/v1/environmentshub/${envId}/secrets`, {
        key,
        routePath: '/api/v1/environmentshub/{envId}/secrets',
        body: { name: 'DIRECT', value: 'direct-value' },
      }),
    );
    expectJson(direct, 201);
    expect(direct.body.data).toMatchObject({ name: 'DIRECT', source: 'environment' });

    const link = await invoke(
      'environment-secrets',
      v2Event('POST', `/api/v1/environmentshub/${envId}/secrets/link/${secretId}`, {
        key,
        routePath: '/api/v1/environmentshub/{envId}/secrets/link/{globalSecretId}',
        rawBody: '{}',
      }),
    );
    expectJson(link, 201);
    expect(link.body.data).toMatchObject({ secretId, secretName: 'JUDGE_KEY', environmentId: envId });

    // API Gateway may hand a body over base64-encoded.
    const variable = await invoke(
      'environment-variables',
      v2Event('POST', `/api/v1/environmentshub/${envId}/variables`, {
        key,
        body: { name: 'MODE', value: 'fast ✓' },
        base64: true,
      }),
    );
    expectJson(variable, 201);
    expect(variable.body.data).toMatchObject({ name: 'MODE', value: 'fast ✓' });
    const variables = await invoke(
      'environment-variables',
      v2Event('GET', `/api/v1/environmentshub/${envId}/variables`, { key }),
    );
    expectJson(variables, 200);
    expect(variables.body.data.map((v: any) => [v.name, v.value])).toEqual([['MODE', 'fast ✓']]);

    const listed = await invoke(
      'environment-secrets',
      v2Event('GET', `/api/v1/environmentshub/${envId}/secrets/`, { key }),
    );
    expectJson(listed, 200);
    expect(listed.body.data.map((s: any) => [s.name, s.source])).toEqual([
      ['DIRECT', 'environment'],
      ['JUDGE_KEY', 'global-linked'],
    ]);

    // A secret written by another process over the same table and master key file.
    await directSecrets.create(deps, { type: 'user', userId: seed.user.id, keyId: 'test', scopes: ['manage'] }, envId, {
      name: 'FROM_ELSEWHERE',
      value: 'written-outside',
    });

    const runtime = await invoke(
      'runtime',
      v2Event('GET', `/api/v1/environmentshub/${envId}/runtime`, {
        key: seed.serviceKey,
        headers: { 'X-Job-Id': 'job-42' },
      }),
    );
    expectJson(runtime, 200);
    expect(runtime.headers['cache-control']).toBe('no-store');
    expect(runtime.body.data).toMatchObject({
      environmentId: envId,
      env: { DIRECT: 'direct-value', JUDGE_KEY: 'sk-judge', MODE: 'fast ✓', FROM_ELSEWHERE: 'written-outside' },
      sources: { DIRECT: 'environment', JUDGE_KEY: 'global-linked', MODE: 'variable', FROM_ELSEWHERE: 'environment' },
      files: [],
    });
    expect(Object.keys(runtime.body.data.env)).toHaveLength(4);
    expect(runtime.body.data.resolvedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const audit = await invoke('audit', v2Event('GET', '/api/v1/audit', { key, query: `environmentId=${envId}` }));
    expectJson(audit, 200);
    expect(audit.body.data[0]).toMatchObject({
      action: 'runtime_read',
      actor: { type: 'service', id: 'environment-actions' },
      environmentId: envId,
      jobId: 'job-42',
    });
  });

  it('answers errors in the contract shape: 401, 422, 400', async () => {
    const envId = seed.environments.personal.id;
    const unauthorized = await invoke('global-secrets', v2Event('GET', '/api/v1/secrets/'));
    expectJson(unauthorized, 401);
    expect(unauthorized.body).toEqual({ detail: expect.any(String), code: 'unauthorized' });

    const invalid = await invoke(
      'environment-variables',
      v2Event('POST', `/api/v1/environmentshub/${envId}/variables`, {
        key: seed.user.apiKey,
        body: { name: 'lower-case', value: 'x' },
      }),
    );
    expectJson(invalid, 422);
    expect(invalid.body).toEqual({
      detail: [{ loc: ['body', 'name'], msg: NAME_MESSAGE, type: expect.any(String) }],
      code: 'validation_error',
    });

    const missing = await invoke(
      'global-secrets',
      v2Event('POST', '/api/v1/secrets/', { key: seed.user.apiKey, body: { name: 'NO_VALUE' } }),
    );
    expectJson(missing, 422);
    expect(missing.body.detail).toContainEqual({ loc: ['body', 'value'], msg: 'Field required', type: 'missing' });

    const malformed = await invoke(
      'global-secrets',
      v2Event('POST', '/api/v1/secrets/', { key: seed.user.apiKey, rawBody: '{"name": "BROKEN", "value": ' }),
    );
    expectJson(malformed, 400);
    expect(malformed.body).toEqual({ detail: expect.any(String), code: 'bad_request' });

    const notFound = await invoke(
      'environment-secrets',
      v2Event('GET', `/api/v1/environmentshub/${newId()}/secrets`, { key: seed.user.apiKey }),
    );
    expectJson(notFound, 404);
    expect(notFound.body.code).toBe('not_found');

    // Nothing of the failed writes was stored.
    const secrets = await invoke('global-secrets', v2Event('GET', '/api/v1/secrets', { key: seed.user.apiKey }));
    expect(secrets.body.data.map((s: any) => s.name)).not.toContain('BROKEN');
    expect(secrets.body.data.map((s: any) => s.name)).not.toContain('NO_VALUE');
  });
});

describe('the route table and the resource apps agree', () => {
  const samplePath = (path: string) =>
    path.replace(/\{(\w+)\}/g, (_, param: string) =>
      param === 'owner' ? 'dev' : param === 'name' ? 'my-environment' : newId(),
    );
  const noRoute = (method: string, path: string) => ({ detail: `No route for ${method} ${path}.`, code: 'not_found' });
  const apps = () => Object.fromEntries(RESOURCES.map((r) => [r, APP_FACTORIES[r](deps)])) as Record<Resource, any>;

  it('serves every route from its own resource, and from no other', async () => {
    const built = apps();
    for (const route of ROUTES) {
      for (const path of [samplePath(route.path), `${samplePath(route.path)}/`]) {
        const what = `${route.method} ${path} (${route.resource})`;
        const init = (key?: string): RequestInit => ({
          method: route.method,
          headers: {
            'content-type': 'application/json',
            ...(key ? { authorization: `Bearer ${key}` } : {}),
          },
        });
        if (CONSOLE_RESOURCES.includes(route.resource)) {
          // The console's HTML pages and forms need no key: they have their own session cookie.
          // Without one (a key is not one), every page but sign-in and the assets sends to sign-in.
          for (const key of [undefined, seed.user.apiKey]) {
            const res: Response = await built[route.resource].request(path, init(key));
            expect(await res.text(), what).not.toMatch(/No route for/);
            expect(res.status, what).toBeLessThan(500);
            if (!['/console/signin', '/console/assets/console.css', '/console/assets/copy.js'].includes(route.path)) {
              expect({ what, status: res.status, location: res.headers.get('location') }).toEqual({
                what,
                status: 303,
                location: expect.stringMatching(/^\/console\/signin/),
              });
            }
          }
        } else {
          const anonymous: Response = await built[route.resource].request(path, init());
          const anonymousBody = (await anonymous.json()) as { code?: string };
          expect({ what, status: anonymous.status }).toEqual({ what, status: route.public ? 200 : 401 });
          if (!route.public) expect(anonymousBody.code).toBe('unauthorized');

          // With a key the request reaches the route: whatever it answers, it is not "no route".
          const keyed: Response = await built[route.resource].request(path, init(seed.user.apiKey));
          const keyedBody = (await keyed.json()) as { detail?: unknown };
          expect(keyed.status, what).toBeLessThan(500);
          expect(String(keyedBody.detail), what).not.toMatch(/^No route/);
        }

        // Any other app has no such route, with a key or without: a key is checked only by a route that asks for one.
        for (const other of RESOURCES.filter((r) => r !== route.resource)) {
          for (const key of [seed.user.apiKey, undefined]) {
            const res: Response = await built[other].request(path, init(key));
            if (CONSOLE_RESOURCES.includes(other) && CONSOLE_RESOURCES.includes(route.resource)) {
              // The console's functions share one session gate: without a session, a page of the
              // other one is sent to sign-in like any console page; an open one is not found. Never served.
              const html = await res.text();
              if (res.status === 404) expect(html, what).toContain('There is no such page in the console.');
              else expect({ what, other, status: res.status }).toEqual({ what, other, status: 303 });
              continue;
            }
            expect({ what, other, status: res.status, body: await res.json() }).toEqual({
              what,
              other,
              status: 404,
              body: { detail: expect.stringMatching(/^No route for /), code: 'not_found' },
            });
          }
        }
      }
    }
  });

  it('has no route in an app that the table does not give to it', () => {
    const built = apps();
    for (const resource of RESOURCES) {
      // zod-openapi registers a route's validators beside its handler: one entry each.
      const served = [
        ...new Set(
          (built[resource].routes as { method: string; path: string }[])
            .filter((r) => r.method !== 'ALL')
            .map((r) => `${r.method} ${r.path}`),
        ),
      ].sort();
      const table = ROUTES.filter((r) => r.resource === resource)
        .map((r) => `${r.method} ${honoPath(r.path)}`)
        .sort();
      expect({ resource, served }).toEqual({ resource, served: table });
    }
  });

  it('routes an API Gateway event to the right handler only', async () => {
    // The environments handler does not answer a runtime path: each function is only its resource.
    const path = `/api/v1/environmentshub/${seed.environments.personal.id}/runtime`;
    const wrong = await invoke('environments', v2Event('GET', path, { key: seed.serviceKey }));
    expectJson(wrong, 404);
    expect(wrong.body).toEqual(noRoute('GET', path));
    const right = await invoke('runtime', v2Event('GET', path, { key: seed.serviceKey }));
    expectJson(right, 200);
  });
});
