import { serve, type HttpBindings, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { APP_FACTORIES } from '../../functions/apps.js';
import { INFO } from '../../functions/openapi-document.js';
import { RESOURCES, ROUTES } from '../../functions/routes.js';
import { honoPath } from '../../shared/http/hono-path.js';
import type { Deps } from '../../shared/deps.js';
import { ApiError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { CORS_POLICY } from '../../shared/http/cors.js';
import { routeNotFound } from '../../shared/http/errors-handler.js';
import { RateLimiter, type RateLimit } from '../../shared/http/rate-limit.js';
import { registerDocs } from './docs.js';

/** How many requests the local server works on at once; later ones wait their turn. */
const LOCAL_MAX_CONCURRENT_REQUESTS = 16;

/** Failed authentications an address may have: `burst` at once, then `ratePerSecond`. */
const FAILED_AUTHENTICATIONS: RateLimit = { ratePerSecond: 2, burst: 30 };

/** The most addresses refused at once: past it, an address's failures are still 429, but after the look-up. */
const MAX_REFUSED_ADDRESSES = 10_000;

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
 * dispatches to the Lambdas: a route reaches only its own resource's app (the OpenAPI document
 * at `/openapi.json` too). Adds a docs page.
 */
export function createLocalApp(deps: Deps, corsAllowedOrigins: string[] = []): Hono {
  const apps = Object.fromEntries(RESOURCES.map((r) => [r, APP_FACTORIES[r](deps)])) as {
    [R in (typeof RESOURCES)[number]]: ReturnType<(typeof APP_FACTORIES)[R]>;
  };
  const root = new Hono({ strict: false });
  if (corsAllowedOrigins.length > 0) root.use('*', corsFor(corsAllowedOrigins));
  for (const route of ROUTES) {
    const app = apps[route.resource];
    root.on(route.method, honoPath(route.path), (c) => app.fetch(c.req.raw, c.env));
  }
  registerDocs(root, '/openapi.json', INFO.title);
  // API Gateway answers a path of no route itself; here the root does, with a request id as every answer has.
  root.notFound((c) => {
    c.header('X-Request-Id', newId());
    return routeNotFound(c);
  });
  return root;
}

/** What API Gateway does for a stack with allowed origins: preflights answered, headers on every response. */
const corsFor = (origins: string[]) =>
  cors({
    origin: origins,
    allowMethods: [...CORS_POLICY.allowMethods],
    allowHeaders: [...CORS_POLICY.allowHeaders],
    exposeHeaders: [...CORS_POLICY.exposeHeaders],
    credentials: false,
    maxAge: CORS_POLICY.maxAgeSeconds,
  });

export interface LocalServerOptions {
  hostname: string;
  port: number;
  /** Origins a browser may call from (CORS_ALLOWED_ORIGINS); none by default, as in AWS. */
  corsAllowedOrigins?: string[];
  /** Failed authentications per source address (by default 30 at once, then 2 a second). */
  failedAuthentications?: RateLimit;
}

/**
 * `npm start`'s HTTP server: every resource on one port (`createLocalApp`), as `admitting`
 * lets requests in, with two guards of its own. In AWS, API Gateway's stage throttling
 * (infra/cdk/secrets-stack.ts) bounds what callers without a key can send, and API Gateway
 * reads every request in full.
 *
 * - Per source address, a token bucket of failed authentications (401s). Once an address has
 *   spent it, its 401 is 429 `rate_limited` with Retry-After, and until a token is back every
 *   request from it is refused at once, before any key look-up: unknown keys cost a DynamoDB
 *   read each. A keyed request pays a read of `Map.size` (while no address is refused)
 *   and a comparison of its status.
 * - A response sent before its request was read in full (a 413, a 401 to a request with a
 *   body) says `Connection: close`, and the connection is closed after it. The unread rest
 *   cannot simply be skipped: it sits in the Node adapter's body stream, which nobody reads,
 *   and such a connection, left open, was ended a moment later under the next request of a
 *   keep-alive client (test/local/server.test.ts).
 */
export function serveLocal(deps: Deps, options: LocalServerOptions): ServerType {
  const fetch = admitting(createLocalApp(deps, options.corsAllowedOrigins).fetch);
  const limit = options.failedAuthentications ?? FAILED_AUTHENTICATIONS;
  const failures = new RateLimiter();
  /** Address → when its bucket has a token again (epoch ms). */
  const refused = new Map<string, number>();

  /** A refusal while `env`'s address has spent its failed authentications. */
  const refusal = (env: HttpBindings): Response | undefined => {
    if (refused.size === 0) return undefined; // the usual case: no address to look up
    const address = sourceAddress(env);
    const until = refused.get(address);
    if (until === undefined) return undefined;
    const waitMs = until - Date.now();
    if (waitMs > 0) return tooManyFailures(Math.ceil(waitMs / 1000));
    refused.delete(address);
    return undefined;
  };
  /** After a 401: a 429 instead once the address has spent its bucket, and a refusal from then on. */
  const afterFailure = (env: HttpBindings, unauthorized: Response): Response | undefined => {
    const address = sourceAddress(env);
    const taken = failures.take(address, limit);
    if (taken.allowed) return undefined;
    if (refused.size < MAX_REFUSED_ADDRESSES) refused.set(address, Date.now() + taken.retryAfterSeconds * 1000);
    // The request's own id, the one its log and metric lines carry.
    return tooManyFailures(taken.retryAfterSeconds, unauthorized.headers.get('x-request-id') ?? newId());
  };

  return serve({
    fetch: async (request, env) => {
      const bindings = env as HttpBindings;
      let response = refusal(bindings);
      response ??= await fetch(request, bindings);
      if (response.status === 401) response = afterFailure(bindings, response) ?? response;
      if (!bindings.incoming.complete) bindings.outgoing.setHeader('Connection', 'close');
      return response;
    },
    hostname: options.hostname,
    port: options.port,
  });
}

const sourceAddress = (env: HttpBindings): string => env.incoming.socket.remoteAddress ?? '';

function tooManyFailures(retryAfterSeconds: number, requestId = newId()): Response {
  const error = new ApiError(
    429,
    'rate_limited',
    'Too many requests without a valid API key from this address. Retry later.',
    { 'Retry-After': String(retryAfterSeconds) },
  );
  return Response.json(error.body(), {
    status: error.status,
    headers: { ...error.headers, 'X-Request-Id': requestId },
  });
}
