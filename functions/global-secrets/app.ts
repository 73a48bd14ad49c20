import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../shared/deps.js';
import * as Api from '../../shared/api-objects.js';
import { createResourceApp } from '../../shared/http/resource-app.js';
import { dataOf, errorResponses, jsonBody, listOf, security } from '../../shared/http/openapi.js';
import { page } from '../../shared/pagination.js';
import { CreateGlobalSecretBody, Id, ScopedListQuery, TeamScopeQuery, UpdateSecretBody } from '../../shared/schemas.js';
import * as secrets from '../../shared/services/global-secrets.js';

const tags = ['global secrets'];
const SecretParams = z.object({ id: Id });

/** Global secrets (`prime secret …`), personal or, with teamId, a team's. Never their values. */
export function createGlobalSecretsApp(deps: Deps) {
  const app = createResourceApp(deps);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/secrets',
      tags,
      security,
      summary: 'Global secrets in scope',
      request: { query: ScopedListQuery },
      responses: { 200: listOf(Api.GlobalSecret, 'Secrets, without values'), ...errorResponses },
    }),
    async (c) => {
      const { offset, limit, teamId } = c.req.valid('query');
      const { items, totalCount } = page(
        await secrets.listGlobalSecrets(deps, c.get('principal'), teamId),
        offset,
        limit,
      );
      return c.json({ data: items, totalCount }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/secrets',
      tags,
      security,
      summary: 'Create a global secret; its name is unique per owner',
      request: { body: jsonBody(CreateGlobalSecretBody) },
      responses: { 201: dataOf(Api.GlobalSecret, 'The secret, without its value'), ...errorResponses },
    }),
    async (c) => c.json({ data: await secrets.createGlobalSecret(deps, c.get('principal'), c.req.valid('json')) }, 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/secrets/{id}',
      tags,
      security,
      summary: 'A global secret and the environments linking it',
      request: { params: SecretParams, query: TeamScopeQuery },
      responses: { 200: dataOf(Api.GlobalSecretDetail, 'The secret, without its value'), ...errorResponses },
    }),
    async (c) => {
      const secret = await secrets.getGlobalSecret(
        deps,
        c.get('principal'),
        c.req.valid('param').id,
        c.req.valid('query').teamId,
      );
      return c.json({ data: secret }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/secrets/{id}',
      tags,
      security,
      summary: 'Update; a rename renames it in every linked environment, atomically',
      request: { params: SecretParams, query: TeamScopeQuery, body: jsonBody(UpdateSecretBody) },
      responses: { 200: dataOf(Api.GlobalSecret, 'The secret, without its value'), ...errorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const secret = await secrets.updateGlobalSecret(
        deps,
        c.get('principal'),
        id,
        c.req.valid('query').teamId,
        c.req.valid('json'),
      );
      return c.json({ data: secret }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/secrets/{id}',
      tags,
      security,
      summary: 'Delete a global secret and unlink it everywhere',
      request: { params: SecretParams, query: TeamScopeQuery },
      responses: { 200: dataOf(Api.GlobalSecret, 'The deleted secret'), ...errorResponses },
    }),
    async (c) => {
      const secret = await secrets.deleteGlobalSecret(
        deps,
        c.get('principal'),
        c.req.valid('param').id,
        c.req.valid('query').teamId,
      );
      return c.json({ data: secret }, 200);
    },
  );

  return app;
}
