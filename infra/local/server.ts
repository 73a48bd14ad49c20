import { serve, type ServerType } from '@hono/node-server';
import { swaggerUI } from '@hono/swagger-ui';
import { Hono } from 'hono';
import { APP_FACTORIES } from '../../functions/apps.js';
import { openApiDocument } from '../../functions/openapi-document.js';
import { honoPath, RESOURCES, ROUTES } from '../../functions/routes.js';
import type { Deps } from '../../shared/deps.js';
import { routeNotFound } from '../../shared/http/errors-handler.js';

/** How many requests the local server works on at once; later ones wait their turn. */
const LOCAL_MAX_CONCURRENT_REQUESTS = 16;

/**
 * The local server's request handler: `fetch`, at most `max` requests at a time, the rest
 * queued in arrival order. One process serves every request over one DynamoDB client, whose
 * pool of 50 sockets counts the wait for a free socket against its connection and request
 * timeouts: a burst of job starts (hundreds of runtime reads at once) would otherwise fail
 * as 503s while DynamoDB is merely busy. Sixteen runtime reads at once (a Query, then a
 * BatchGetItem per 100 links beside the audit write) fit the pool. A Lambda container serves
 * one request at a time and needs none of this.
 */
export function admitting<A extends unknown[]>(
  fetch: (request: Request, ...rest: A) => Response | Promise<Response>,
  max = LOCAL_MAX_CONCURRENT_REQUESTS,
): (request: Request, ...rest: A) => Promise<Response> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (request, ...rest) => {
    if (active >= max) await new Promise<void>((turn) => waiting.push(turn));
    else active++;
    try {
      return await fetch(request, ...rest);
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

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

/** `npm start`'s HTTP server: every resource on one port (`createLocalApp`), as `admitting` lets requests in. */
export function serveLocal(deps: Deps, options: { hostname: string; port: number }): ServerType {
  return serve({ fetch: admitting(createLocalApp(deps).fetch), hostname: options.hostname, port: options.port });
}
