import { swaggerUI } from '@hono/swagger-ui';
import { Hono } from 'hono';
import { APP_FACTORIES } from '../../functions/apps.js';
import { openApiDocument } from '../../functions/openapi-document.js';
import { honoPath, RESOURCES, ROUTES } from '../../functions/routes.js';
import type { Deps } from '../../shared/deps.js';
import { routeNotFound } from '../../shared/http/errors-handler.js';

/**
 * Every resource behind one port, dispatched by the route table exactly as API Gateway
 * dispatches to the Lambdas: a route reaches only its own resource's app. Adds the OpenAPI
 * document and a docs page.
 */
export function createLocalApp(deps: Deps): Hono {
  const apps = Object.fromEntries(RESOURCES.map((r) => [r, APP_FACTORIES[r](deps)])) as {
    [R in (typeof RESOURCES)[number]]: ReturnType<(typeof APP_FACTORIES)[R]>;
  };
  const root = new Hono({ strict: false });
  for (const route of ROUTES) {
    const app = apps[route.resource];
    root.on(route.method, honoPath(route.path), (c) => app.fetch(c.req.raw, c.env));
  }
  const document = openApiDocument(deps);
  root.get('/openapi.json', (c) => c.json(document));
  root.get('/docs', swaggerUI({ url: '/openapi.json', title: 'Secrets and variables service' }));
  root.notFound(routeNotFound);
  return root;
}
