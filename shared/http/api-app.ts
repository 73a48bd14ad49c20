import type { Hono, MiddlewareHandler, Schema } from 'hono';
import { Hono as PatternRoutedHono } from 'hono/tiny';
import type { Deps } from '../deps.js';
import { authenticate } from '../auth/api-keys.js';
import type { AppEnv } from './context.js';
import { enforceRateLimit, useHttpBaseline } from './baseline.js';

/**
 * What every app of the API does around its routes: the HTTP baseline (request ids, logs and
 * metrics under `service`, the app's resource in the route table; bodies capped at 256 KiB, every
 * error in the contract's format, shared/http/baseline.ts). The apps that validate with zod are
 * OpenAPIHono apps (shared/http/resource-app.ts); the runtime read's, whose cold start loads no
 * zod, is a plain one (`createPlainApiApp`).
 */
export function useApiBaseline(app: Hono<AppEnv, Schema, string>, deps: Deps, service: string): void {
  useHttpBaseline(app, deps, { service, bodyTooLarge: 'Request body is larger than 256 KiB.' });
}

/**
 * A plain Hono app of the API, trailing-slash tolerant, for routes that check their requests without
 * zod. Hono's `tiny` preset (its PatternRouter): for the few routes of such an app it matches as
 * fast, and the bundle carries no RegExpRouter, TrieRouter or SmartRouter to parse on a cold start.
 */
export function createPlainApiApp(deps: Deps, service: string): Hono<AppEnv> {
  const app = new PatternRoutedHono<AppEnv>({ strict: false });
  useApiBaseline(app, deps, service);
  return app;
}

/** What a route declares when it needs an API key; `keyCheck` enforces it. */
export const security = [{ bearer: [] }];

/**
 * What a route declares when a job's runtime token may call it instead of an API key: the
 * runtime read and check only. Every other route refuses a token with 401.
 */
export const securityWithRuntimeToken = [...security, { runtimeToken: [] }];

const acceptsRuntimeToken = (declared: readonly Record<string, unknown>[]) =>
  declared.some((scheme) => 'runtimeToken' in scheme);

/**
 * The key check of a route that declares `security` (an API key, and a runtime token where it
 * names one): the caller's principal from `Authorization: Bearer <key>`, or 401 (also for a
 * runtime token on a route that does not declare it); then the key's rate limit.
 *
 * The routes a runtime token may call are the job-start reads, two sequential round trips of
 * DynamoDB (shared/services/runtime.ts). There a user key's count in the table is not waited
 * for here: it goes on `admitted`, which the read awaits beside its first round trip, so the
 * count adds none. Should a handler not await it, it is awaited once the handler is done: a
 * refused request is still answered 429, never with what it read.
 */
export function keyCheck(deps: Deps, declared: readonly Record<string, unknown>[]): MiddlewareHandler<AppEnv> {
  const runtimeToken = acceptsRuntimeToken(declared);
  return async (c, next) => {
    const principal = await authenticate(deps, c.req.header('authorization'), { runtimeToken });
    const admitted = enforceRateLimit(deps, principal);
    c.set('principal', principal);
    if (!runtimeToken || !admitted) {
      await admitted;
      return next();
    }
    admitted.catch(() => undefined); // awaited by the handler and below; this only avoids an unhandled rejection meanwhile
    c.set('admitted', admitted);
    await next();
    if (!c.error) await admitted; // a handler that failed has been answered already, its refusal included
  };
}
