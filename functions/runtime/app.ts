import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../shared/deps.js';
import * as Api from '../../shared/api-objects.js';
import { createResourceApp } from '../../shared/http/resource-app.js';
import { dataOf, errorResponses, security } from '../../shared/http/openapi.js';
import { Id, RuntimeHeaders } from '../../shared/schemas.js';
import { readRuntime } from '../../shared/services/runtime.js';

/** The resolved set a hosted service reads at job start. */
export function createRuntimeApp(deps: Deps) {
  const app = createResourceApp(deps);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/environmentshub/{envId}/runtime',
      tags: ['runtime'],
      security,
      summary: 'Resolved values (service keys, or runtime-scoped keys of users who can write the environment)',
      request: { params: z.object({ envId: Id }), headers: RuntimeHeaders },
      responses: { 200: dataOf(Api.RuntimeSet, 'The resolved set'), ...errorResponses },
    }),
    async (c) => {
      const set = await readRuntime(
        deps,
        c.get('principal'),
        c.req.valid('param').envId,
        c.req.valid('header')['x-job-id'],
      );
      c.header('Cache-Control', 'no-store');
      return c.json({ data: set }, 200);
    },
  );

  return app;
}
