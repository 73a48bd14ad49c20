import { z } from '@hono/zod-openapi';
import type { Deps } from '../../shared/deps.js';
import * as Api from '../../shared/api-objects.js';
import { createResourceApp } from '../../shared/http/resource-app.js';
import { apiRoute, dataOf, jsonBody, listOf, security } from '../../shared/http/openapi.js';
import { pageBody } from '../../shared/pagination.js';
import { CreateRuntimeTokenBody, Id, ListQuery } from '../../shared/schemas.js';
import * as runtimeTokens from '../../shared/services/runtime-tokens.js';

const tags = ['runtime'];
const PATH = '/api/v1/environmentshub/{envId}/runtime-tokens';
const EnvParams = z.object({ envId: Id });

/**
 * Runtime tokens of an environment: minted by a hosted service at job start, listed, revoked.
 * A resource of their own, not the runtime read's: minting writes credentials (key items, which
 * IAM cannot tell from API keys), and the function that opens every value (`runtime`, with
 * kms:Decrypt) should not also be able to write one. This one holds no KMS permission at all
 * (infra/cdk/permissions.ts); the runtime read keeps writing only its audit events.
 */
export function createRuntimeTokensApp(deps: Deps) {
  const app = createResourceApp(deps, 'runtime-tokens');

  app.openapi(
    apiRoute(
      {
        method: 'post',
        path: PATH,
        tags,
        security,
        summary:
          "A runtime token for one job: reads only this environment's runtime set until it expires; shown only here",
        request: { params: EnvParams, body: jsonBody(CreateRuntimeTokenBody) },
        responses: { 201: dataOf(Api.NewRuntimeToken, 'The token, shown once') },
      },
      { notFound: true },
    ),
    async (c) => {
      const minted = await runtimeTokens.mintRuntimeToken(
        deps,
        c.get('principal'),
        c.req.valid('param').envId,
        c.req.valid('json'),
      );
      c.header('Cache-Control', 'no-store');
      return c.json({ data: minted }, 201);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'get',
        path: PATH,
        tags,
        security,
        summary: "The environment's unexpired runtime tokens (never the tokens themselves)",
        request: { params: EnvParams, query: ListQuery },
        responses: { 200: listOf(Api.RuntimeToken, 'Runtime tokens') },
      },
      { notFound: true },
    ),
    async (c) => {
      const { offset, limit } = c.req.valid('query');
      const tokens = await runtimeTokens.listRuntimeTokens(deps, c.get('principal'), c.req.valid('param').envId);
      return c.json(pageBody(tokens, { offset, limit }), 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'delete',
        path: `${PATH}/{id}`,
        tags,
        security,
        summary: 'Revoke a runtime token',
        request: { params: EnvParams.extend({ id: Id }) },
        responses: { 200: dataOf(Api.RuntimeToken, 'The revoked token') },
      },
      { notFound: true },
    ),
    async (c) => {
      const { envId, id } = c.req.valid('param');
      return c.json({ data: await runtimeTokens.revokeRuntimeToken(deps, c.get('principal'), envId, id) }, 200);
    },
  );

  return app;
}
