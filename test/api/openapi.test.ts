import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/routes.js';
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
    const api = ROUTES.filter((r) => r.resource !== 'console');
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
    const api = ROUTES.filter((r) => r.resource !== 'console');
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

  it('serves a docs page', async () => {
    const res = await svc.app.request('/docs');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('/openapi.json');
  });
});
