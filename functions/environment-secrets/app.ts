import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../shared/deps.js';
import * as Api from '../../shared/api-objects.js';
import { createResourceApp } from '../../shared/http/resource-app.js';
import { dataOf, errorResponses, jsonBody, listOf, security } from '../../shared/http/openapi.js';
import { page } from '../../shared/pagination.js';
import { CreateEnvironmentSecretBody, Id, ListQuery, UpdateSecretBody } from '../../shared/schemas.js';
import * as entries from '../../shared/services/environment-entries.js';
import * as links from '../../shared/services/links.js';

const tags = ['environment secrets'];
const EnvParams = z.object({ envId: Id });
const EntryParams = z.object({ envId: Id, id: Id });
const LinkParams = z.object({ envId: Id, globalSecretId: Id });

/** An environment's direct secrets and its links to global secrets (`prime env secret …`). */
export function createEnvironmentSecretsApp(deps: Deps) {
  const app = createResourceApp(deps);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/environmentshub/{envId}/secrets',
      tags,
      security,
      summary: 'Direct and linked secrets, with their source; never values',
      request: { params: EnvParams, query: ListQuery },
      responses: { 200: listOf(Api.EnvironmentSecret, 'Secrets'), ...errorResponses },
    }),
    async (c) => {
      const { offset, limit } = c.req.valid('query');
      const all = await entries.listEnvironmentSecrets(deps, c.get('principal'), c.req.valid('param').envId);
      const { items, totalCount } = page(all, offset, limit);
      return c.json({ data: items, totalCount }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/environmentshub/{envId}/secrets',
      tags,
      security,
      summary: 'Add a direct secret',
      request: { params: EnvParams, body: jsonBody(CreateEnvironmentSecretBody) },
      responses: { 201: dataOf(Api.EnvironmentSecret, 'The secret, without its value'), ...errorResponses },
    }),
    async (c) => {
      const secret = await entries.createEnvironmentSecret(
        deps,
        c.get('principal'),
        c.req.valid('param').envId,
        c.req.valid('json'),
      );
      return c.json({ data: secret }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/environmentshub/{envId}/secrets/{id}',
      tags,
      security,
      summary: 'Update a direct secret',
      request: { params: EntryParams, body: jsonBody(UpdateSecretBody) },
      responses: { 200: dataOf(Api.EnvironmentSecret, 'The secret, without its value'), ...errorResponses },
    }),
    async (c) => {
      const { envId, id } = c.req.valid('param');
      const secret = await entries.updateEnvironmentSecret(deps, c.get('principal'), envId, id, c.req.valid('json'));
      return c.json({ data: secret }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/environmentshub/{envId}/secrets/{id}',
      tags,
      security,
      summary: 'Delete a direct secret (a linked one is 409 is_linked: unlink it)',
      request: { params: EntryParams },
      responses: { 200: dataOf(Api.EnvironmentSecret, 'The deleted secret'), ...errorResponses },
    }),
    async (c) => {
      const { envId, id } = c.req.valid('param');
      return c.json({ data: await entries.deleteEnvironmentSecret(deps, c.get('principal'), envId, id) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/environmentshub/{envId}/secrets/link/{globalSecretId}',
      tags,
      security,
      summary: 'Link a global secret of the same scope',
      request: { params: LinkParams },
      responses: { 201: dataOf(Api.Link, 'The link'), ...errorResponses },
    }),
    async (c) => {
      const { envId, globalSecretId } = c.req.valid('param');
      return c.json({ data: await links.linkGlobalSecret(deps, c.get('principal'), envId, globalSecretId) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/environmentshub/{envId}/secrets/link/{globalSecretId}',
      tags,
      security,
      summary: 'Unlink a global secret',
      request: { params: LinkParams },
      responses: { 200: dataOf(Api.Link, 'The removed link'), ...errorResponses },
    }),
    async (c) => {
      const { envId, globalSecretId } = c.req.valid('param');
      return c.json({ data: await links.unlinkGlobalSecret(deps, c.get('principal'), envId, globalSecretId) }, 200);
    },
  );

  return app;
}
