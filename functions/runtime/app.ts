import { z } from '@hono/zod-openapi';
import type { Deps } from '../../shared/deps.js';
import * as Api from '../../shared/api-objects.js';
import { fittedJson } from '../../shared/http/lambda-response.js';
import { createResourceApp } from '../../shared/http/resource-app.js';
import { apiRoute, dataOf, securityWithRuntimeToken } from '../../shared/http/openapi.js';
import { Id, RuntimeHeaders, RuntimeQuery } from '../../shared/schemas.js';
import { checkRuntime } from '../../shared/services/runtime-check.js';
import { readRuntime, runtimeSetTooLarge } from '../../shared/services/runtime.js';

const EnvParams = z.object({ envId: Id });

/** The resolved set a hosted service reads at job start. */
export function createRuntimeApp(deps: Deps) {
  const app = createResourceApp(deps);

  app.openapi(
    apiRoute(
      {
        method: 'get',
        path: '/api/v1/environmentshub/{envId}/runtime',
        tags: ['runtime'],
        security: securityWithRuntimeToken,
        summary:
          "Resolved values (service keys, runtime-scoped keys of users who can write the environment, or this environment's runtime tokens, whose reads are audited with the token's job id whatever X-Job-Id says); 412 missing_required unless ?allowMissing=true",
        request: { params: EnvParams, query: RuntimeQuery, headers: RuntimeHeaders },
        responses: { 200: dataOf(Api.RuntimeSet, 'The resolved set') },
      },
      { notFound: true, preconditions: ['missing_required'], responseTooLarge: true },
    ),
    async (c) => {
      const set = await readRuntime(
        deps,
        c.get('principal'),
        c.req.valid('param').envId,
        c.req.valid('header')['x-job-id'],
        { allowMissing: c.req.valid('query').allowMissing, admitted: c.get('admitted') },
      );
      c.header('Cache-Control', 'no-store');
      return fittedJson(c, { data: set }, 200, () => runtimeSetTooLarge(set));
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'get',
        path: '/api/v1/environmentshub/{envId}/runtime/check',
        tags: ['runtime'],
        security: securityWithRuntimeToken,
        summary:
          'Whether a job can start: missing, expired and expiring names, and where each comes from; never a value',
        request: { params: EnvParams },
        responses: { 200: dataOf(Api.RuntimeCheck, 'The check') },
      },
      { notFound: true },
    ),
    async (c) =>
      c.json(
        { data: await checkRuntime(deps, c.get('principal'), c.req.valid('param').envId, c.get('admitted')) },
        200,
      ),
  );

  return app;
}
