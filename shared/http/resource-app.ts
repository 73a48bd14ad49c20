import { OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../deps.js';
import { validationError } from '../errors.js';
import type { AppEnv } from './context.js';
import { keyCheck, useApiBaseline } from './api-app.js';
import { toValidationIssues } from './validation.js';

/**
 * The Hono app every resource that validates with zod starts from (`service`, its name in the
 * route table): the API's baseline (shared/http/api-app.ts), trailing-slash tolerant, zod
 * validation errors in the contract's 422 shape, and authentication where a route asks for it.
 *
 * A route's OpenAPI `security` is the one statement of whether it needs a key: `app.openapi`
 * puts the API key check (and the key's rate limit) in front of every route that declares
 * it, ahead of the route's validation, so a request without a valid key is 401 before its
 * params or body are looked at. A route without `security` is open to anyone; one whose
 * `security` names a runtime token (`securityWithRuntimeToken`) takes one too.
 */
export function createResourceApp(deps: Deps, service: string): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    strict: false,
    defaultHook: (result) => {
      if (!result.success) throw validationError(toValidationIssues(result.target, result.error));
    },
  });
  useApiBaseline(app, deps, service);

  const register = app.openapi;
  app.openapi = ((route, handler, hook) => {
    if (!route.security?.length) return register(route, handler, hook);
    return register(
      { ...route, middleware: [keyCheck(deps, route.security), ...[route.middleware ?? []].flat()] },
      handler,
      hook,
    );
  }) as typeof app.openapi;
  return app;
}
