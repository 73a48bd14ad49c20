import { OpenAPIHono } from '@hono/zod-openapi';
import { ROUTES } from '../../functions/routes.js';
import type { Deps } from '../deps.js';
import { authenticate } from '../auth/api-keys.js';
import { validationError } from '../errors.js';
import type { AppEnv } from './context.js';
import { enforceRateLimit, useHttpBaseline } from './baseline.js';
import { toValidationIssues } from './validation.js';

/** Paths any caller may reach without a key, as the route table marks them. */
const PUBLIC_PATHS = new Set(ROUTES.filter((r) => r.public).map((r) => r.path));

/**
 * The Hono app every resource starts from: the HTTP baseline (request logs, bodies capped at
 * 256 KiB, every error in the contract's format), trailing-slash tolerant, zod validation
 * errors in the contract's 422 shape, and authentication with the per-key rate limit.
 */
export function createResourceApp(deps: Deps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    strict: false,
    defaultHook: (result) => {
      if (!result.success) throw validationError(toValidationIssues(result.target, result.error));
    },
  });
  useHttpBaseline(app, deps, { bodyTooLarge: 'Request body is larger than 256 KiB.' });

  app.use('*', async (c, next) => {
    if (!PUBLIC_PATHS.has(c.req.path.replace(/\/+$/, ''))) {
      const principal = await authenticate(deps, c.req.header('authorization'));
      enforceRateLimit(deps, principal);
      c.set('principal', principal);
    }
    await next();
  });
  return app;
}
