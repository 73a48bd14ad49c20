import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../deps.js';
import { authenticate } from '../auth/api-keys.js';
import { validationError } from '../errors.js';
import type { AppEnv } from './context.js';
import { enforceRateLimit, useHttpBaseline } from './baseline.js';
import { acceptsRuntimeToken } from './openapi.js';
import { toValidationIssues } from './validation.js';

/**
 * The Hono app every resource starts from: the HTTP baseline (request logs, bodies capped at
 * 256 KiB, every error in the contract's format), trailing-slash tolerant, zod validation
 * errors in the contract's 422 shape, and authentication where a route asks for it.
 *
 * A route's OpenAPI `security` is the one statement of whether it needs a key: `app.openapi`
 * puts the API key check (and the key's rate limit) in front of every route that declares
 * it, ahead of the route's validation, so a request without a valid key is 401 before its
 * params or body are looked at. A route without `security` is open to anyone; one whose
 * `security` names a runtime token (`securityWithRuntimeToken`) takes one too.
 */
export function createResourceApp(deps: Deps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    strict: false,
    defaultHook: (result) => {
      if (!result.success) throw validationError(toValidationIssues(result.target, result.error));
    },
  });
  useHttpBaseline(app, deps, { bodyTooLarge: 'Request body is larger than 256 KiB.' });

  const requireKey = requireApiKey(deps, false);
  const requireKeyOrToken = requireApiKey(deps, true);
  const register = app.openapi;
  app.openapi = ((route, handler, hook) => {
    if (!route.security?.length) return register(route, handler, hook);
    const check = acceptsRuntimeToken(route.security) ? requireKeyOrToken : requireKey;
    return register({ ...route, middleware: [check, ...[route.middleware ?? []].flat()] }, handler, hook);
  }) as typeof app.openapi;
  return app;
}

/**
 * The caller's principal from `Authorization: Bearer <key>`, or 401 (also for a runtime token
 * on a route that does not declare it); then the key's rate limit.
 *
 * The routes a runtime token may call are the job-start reads, two sequential round trips of
 * DynamoDB (shared/services/runtime.ts). There a user key's count in the table is not waited
 * for here: it goes on `admitted`, which the read awaits beside its first round trip, so the
 * count adds none. Should a handler not await it, it is awaited once the handler is done: a
 * refused request is still answered 429, never with what it read.
 */
function requireApiKey(deps: Deps, runtimeToken: boolean): MiddlewareHandler<AppEnv> {
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
