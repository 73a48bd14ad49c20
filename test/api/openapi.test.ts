import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_RESOURCES, operationIdOf, ROUTES } from '../../functions/routes.js';
import { ERROR_CODES } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { startTestService, type TestService } from '../support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});

describe('OpenAPI', () => {
  it('documents every route of the route table, generated from the zod schemas', async () => {
    const res = await svc.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    // The API's routes; the web console's HTML pages and forms are not part of it.
    const api = ROUTES.filter((r) => !CONSOLE_RESOURCES.includes(r.resource));
    for (const route of api) {
      expect(doc.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
    }
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(api.map((r) => `${r.method} ${r.path}`).sort());
    const name = doc.components.schemas.CreateGlobalSecret.properties.name;
    expect(name.pattern).toBe('^[A-Z][A-Z0-9_]*$');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('states once which routes need a key: no security in the document is what answers without one', async () => {
    const doc = (await svc.call('GET', '/openapi.json')).body;
    const samplePath = (path: string) =>
      path.replace(/\{(\w+)\}/g, (_, param: string) =>
        param === 'owner' ? 'dev' : param === 'name' ? 'my-environment' : newId(),
      );
    const api = ROUTES.filter((r) => !CONSOLE_RESOURCES.includes(r.resource));
    expect(api.some((r) => r.public)).toBe(true);
    for (const route of api) {
      const security: unknown[] | undefined = doc.paths[route.path][route.method.toLowerCase()].security;
      const needsKey = security !== undefined && security.length > 0;
      const what = `${route.method} ${route.path}`;
      expect({ what, public: route.public === true }).toEqual({ what, public: !needsKey });
      for (const path of [samplePath(route.path), `${samplePath(route.path)}/`]) {
        // No body: a route that needs a key refuses before it looks at the request.
        const anonymous = await svc.call(route.method, path);
        expect({ what: `${route.method} ${path}`, unauthorized: anonymous.status === 401 }).toEqual({
          what: `${route.method} ${path}`,
          unauthorized: needsKey,
        });
        if (needsKey) expect(anonymous.body.code).toBe('unauthorized');
      }
    }
  });

  it('names every operation by the route table: operationIdOf, unique and camelCase', async () => {
    const doc = (await svc.call('GET', '/openapi.json')).body;
    const ids = ROUTES.filter((r) => !CONSOLE_RESOURCES.includes(r.resource)).map((route) => {
      const operation = doc.paths[route.path][route.method.toLowerCase()];
      expect(operation.operationId, `${route.method} ${route.path}`).toBe(operationIdOf(route));
      expect(operation.operationId).toMatch(/^[a-z][a-zA-Z0-9]*$/);
      return operation.operationId as string;
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect(operationIdOf({ method: 'GET', path: '/api/v1/secrets/{id}/versions' })).toBe('getSecretsByIdVersions');
    expect(operationIdOf({ method: 'GET', path: '/api/v1/environmentshub/{owner}/{name}/@latest' })).toBe(
      'getEnvironmentshubByOwnerByNameLatest',
    );
    expect(doc.servers).toEqual([{ url: '/', description: expect.any(String) }]);
  });

  it("types the error body's code as the service's error codes", async () => {
    const doc = (await svc.call('GET', '/openapi.json')).body;
    expect(doc.components.schemas.Error.properties.code).toEqual({ type: 'string', enum: [...ERROR_CODES] });
  });

  it("describes each route's own errors, not one list for all", async () => {
    const doc = (await svc.call('GET', '/openapi.json')).body;
    const statuses = (method: string, path: string) => Object.keys(doc.paths[path][method].responses).sort();
    const V1 = '/api/v1';
    const ENV = `${V1}/environmentshub/{envId}`;
    for (const route of ROUTES.filter((r) => !CONSOLE_RESOURCES.includes(r.resource))) {
      const operation = doc.paths[route.path][route.method.toLowerCase()];
      const what = `${route.method} ${route.path}`;
      const keyed = (operation.security ?? []).length > 0;
      const codes = Object.keys(operation.responses);
      // a key brings 401, 403, 429 and 503; without one there is none of them
      for (const status of ['401', '403', '429', '503'])
        expect({ what, status, has: codes.includes(status) }).toEqual({ what, status, has: keyed });
      // 413 on bodies and the runtime read, 400 on bodies and a cursor
      const bodied = operation.requestBody !== undefined;
      expect({ what, has413: codes.includes('413') }).toEqual({
        what,
        has413: bodied || route.path === `${ENV}/runtime`,
      });
      if (bodied) expect(codes, what).toContain('400');
      // 412 only where If-Match or missing_required applies
      expect({ what, has412: codes.includes('412') }).toEqual({
        what,
        has412:
          (route.method === 'PATCH' && /\/(secrets|variables)\/\{id\}$/.test(route.path)) ||
          route.path === `${ENV}/runtime`,
      });
      for (const status of ['429', '503']) {
        if (codes.includes(status)) expect(operation.responses[status].headers['Retry-After'], what).toBeDefined();
      }
      // every answer carries its request id
      for (const status of codes) expect(operation.responses[status].headers['X-Request-Id'], what).toBeDefined();
      // every error names its codes, each one the service defines
      for (const [status, response] of Object.entries(operation.responses as Record<string, { description: string }>)) {
        if (Number(status) < 400) continue;
        const named = [...response.description.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
        expect(
          named.filter((code) => (ERROR_CODES as readonly string[]).includes(code!)).length,
          `${what} ${status}`,
        ).toBeGreaterThan(0);
      }
    }
    expect(statuses('get', `${V1}/health`)).toEqual(['200', '500']);
    expect(statuses('get', '/openapi.json')).toEqual(['200', '500']);
    expect(statuses('get', `${V1}/user/whoami`)).toEqual(['200', '401', '403', '429', '500', '503']);
    expect(statuses('get', `${V1}/secrets`)).not.toContain('409');
    const runtime = doc.paths[`${ENV}/runtime`].get.responses;
    expect(runtime['412'].description).toContain('`missing_required`');
    expect(runtime['413'].description).toContain('`payload_too_large`');
    expect(doc.paths[`${V1}/secrets`].post.responses['409'].description).toContain('`name_taken`');
    expect(doc.paths[`${ENV}/secrets/link/{globalSecretId}`].post.responses['409'].description).toContain(
      '`scope_mismatch`',
    );
    expect(doc.paths[`${V1}/secrets/{id}`].patch.responses['412'].description).toContain('`precondition_failed`');
  });

  it('answers one document, with or without a trailing slash', async () => {
    const [a, b] = await Promise.all([svc.call('GET', '/openapi.json'), svc.call('GET', '/openapi.json/')]);
    expect(a.status).toBe(200);
    expect(b.body).toEqual(a.body);
  });

  it('serves Swagger UI from the swagger-ui-dist package, no script from elsewhere', async () => {
    const res = await svc.app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await res.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThan(2);
    for (const source of sources) expect(source).toMatch(/^\/docs\/[\w.-]+$/);
    const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
    for (const [file, type] of [
      ['swagger-ui-bundle.js', 'text/javascript'],
      ['swagger-ui.css', 'text/css'],
    ] as const) {
      const asset = await svc.app.request(`/docs/${file}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toContain(type);
      expect(Buffer.from(await asset.arrayBuffer()).equals(readFileSync(join(dist, file)))).toBe(true);
    }
    expect(await (await svc.app.request('/docs/initializer.js')).text()).toContain('"url":"/openapi.json"');
    // only the page's own files: nothing else of the package's folder, nor beyond it
    for (const path of ['/docs/package.json', '/docs/..%2Fpackage.json', '/docs/index.html']) {
      expect((await svc.app.request(path)).status, path).toBe(404);
    }
  });
});
