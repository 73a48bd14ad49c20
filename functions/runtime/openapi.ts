import { OpenAPIHono, z } from '@hono/zod-openapi';
import * as Api from '../../shared/api-objects.js';
import type { AppEnv } from '../../shared/http/context.js';
import { apiRoute, dataOf } from '../../shared/http/openapi.js';
import { Id, RuntimeHeaders, RuntimeQuery } from '../../shared/schemas.js';
import { RUNTIME_CHECK, RUNTIME_READ } from './routes.js';

const EnvParams = z.object({ envId: Id });

/**
 * The runtime routes as the OpenAPI document shows them (functions/openapi-document.ts), with
 * the zod schemas of what functions/runtime/app.ts checks without zod (the two agree:
 * test/api/runtime-requests.test.ts). Only the document's module loads this.
 */
export function runtimeDeclarations(): OpenAPIHono<AppEnv> {
  const declared = new OpenAPIHono<AppEnv>();
  declared.openAPIRegistry.registerPath(
    apiRoute(
      {
        tags: ['runtime'],
        ...RUNTIME_READ,
        summary:
          "Resolved values (service keys, runtime-scoped keys of users who can write the environment, or this environment's runtime tokens, whose reads are audited with the token's job id whatever X-Job-Id says); 412 missing_required unless ?allowMissing=true",
        request: { params: EnvParams, query: RuntimeQuery, headers: RuntimeHeaders },
        responses: { 200: dataOf(Api.RuntimeSet, 'The resolved set') },
      },
      { notFound: true, preconditions: ['missing_required'], responseTooLarge: true },
    ),
  );
  declared.openAPIRegistry.registerPath(
    apiRoute(
      {
        tags: ['runtime'],
        ...RUNTIME_CHECK,
        summary:
          'Whether a job can start: missing, expired and expiring names, and where each comes from; never a value',
        request: { params: EnvParams },
        responses: { 200: dataOf(Api.RuntimeCheck, 'The check') },
      },
      { notFound: true },
    ),
  );
  return declared;
}
