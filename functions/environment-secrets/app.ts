import { z } from '@hono/zod-openapi';
import type { Deps } from '../../shared/deps.js';
import * as Api from '../../shared/api-objects.js';
import { createResourceApp } from '../../shared/http/resource-app.js';
import { apiRoute, dataOf, jsonBody, listOf, security } from '../../shared/http/openapi.js';
import { pageBody } from '../../shared/pagination.js';
import {
  CreateEnvironmentSecretBody,
  DeleteQuery,
  EntryListQuery,
  Id,
  IfMatchHeaders,
  UpdateSecretBody,
} from '../../shared/schemas.js';
import { directSecrets } from '../../shared/services/entry-operations.js';
import { listEnvironmentSecrets } from '../../shared/services/environment-entries.js';
import { registerEntryHistoryRoutes } from '../entry-history-routes.js';
import * as links from '../../shared/services/links.js';

const tags = ['environment secrets'];
const EnvParams = z.object({ envId: Id });
const EntryParams = z.object({ envId: Id, id: Id });
const LinkParams = z.object({ envId: Id, globalSecretId: Id });

/** An environment's direct secrets and its links to global secrets (`prime env secret …`). */
export function createEnvironmentSecretsApp(deps: Deps) {
  const app = createResourceApp(deps, 'environment-secrets');

  app.openapi(
    apiRoute(
      {
        method: 'get',
        path: '/api/v1/environmentshub/{envId}/secrets',
        tags,
        security,
        summary: 'Direct and linked secrets, with their source; never values. `?deleted=true`: the recently deleted',
        request: { params: EnvParams, query: EntryListQuery },
        responses: {
          200: listOf(z.union([Api.EnvironmentSecret, Api.DeletedEnvironmentSecret]), 'Secrets'),
        },
      },
      { notFound: true },
    ),
    async (c) => {
      const { offset, limit, deleted } = c.req.valid('query');
      const { envId } = c.req.valid('param');
      const principal = c.get('principal');
      const all = deleted
        ? await directSecrets.listDeleted(deps, principal, envId)
        : await listEnvironmentSecrets(deps, principal, envId);
      return c.json(pageBody<Api.EnvironmentSecret>(all, { offset, limit }), 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'post',
        path: '/api/v1/environmentshub/{envId}/secrets',
        tags,
        security,
        summary: 'Add a direct secret',
        request: { params: EnvParams, body: jsonBody(CreateEnvironmentSecretBody) },
        responses: { 201: dataOf(Api.EnvironmentSecret, 'The secret, without its value') },
      },
      { notFound: true, conflicts: ['name_taken', 'limit_exceeded', 'conflict'] },
    ),
    async (c) => {
      const secret = await directSecrets.create(
        deps,
        c.get('principal'),
        c.req.valid('param').envId,
        c.req.valid('json'),
      );
      return c.json({ data: secret }, 201);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'patch',
        path: '/api/v1/environmentshub/{envId}/secrets/{id}',
        tags,
        security,
        summary: 'Update a direct secret; with If-Match, only at that version',
        request: { params: EntryParams, headers: IfMatchHeaders, body: jsonBody(UpdateSecretBody) },
        responses: { 200: dataOf(Api.EnvironmentSecret, 'The secret, without its value') },
      },
      { notFound: true, conflicts: ['name_taken', 'is_linked', 'conflict'], preconditions: ['precondition_failed'] },
    ),
    async (c) => {
      const { envId, id } = c.req.valid('param');
      const ifMatch = c.req.valid('header')['if-match'];
      const secret = await directSecrets.update(deps, c.get('principal'), envId, id, c.req.valid('json'), ifMatch);
      return c.json({ data: secret }, 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'delete',
        path: '/api/v1/environmentshub/{envId}/secrets/{id}',
        tags,
        security,
        summary:
          'Delete a direct secret: restorable until its purge time; `?purge=true` destroys it at once (a linked one is 409 is_linked: unlink it)',
        request: { params: EntryParams, query: DeleteQuery },
        responses: { 200: dataOf(Api.EnvironmentSecret, 'The deleted secret') },
      },
      { notFound: true, conflicts: ['is_linked'] },
    ),
    async (c) => {
      const { envId, id } = c.req.valid('param');
      const purge = c.req.valid('query').purge;
      return c.json({ data: await directSecrets.remove(deps, c.get('principal'), envId, id, purge) }, 200);
    },
  );

  registerEntryHistoryRoutes(app, deps, {
    collection: 'secrets',
    what: 'direct secret',
    tags,
    view: Api.EnvironmentSecret,
    operations: directSecrets,
  });

  app.openapi(
    apiRoute(
      {
        method: 'post',
        path: '/api/v1/environmentshub/{envId}/secrets/link/{globalSecretId}',
        tags,
        security,
        summary: 'Link a global secret of the same scope',
        request: { params: LinkParams },
        responses: { 201: dataOf(Api.Link, 'The link') },
      },
      { notFound: true, conflicts: ['name_taken', 'scope_mismatch', 'already_linked', 'limit_exceeded'] },
    ),
    async (c) => {
      const { envId, globalSecretId } = c.req.valid('param');
      return c.json({ data: await links.linkGlobalSecret(deps, c.get('principal'), envId, globalSecretId) }, 201);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'delete',
        path: '/api/v1/environmentshub/{envId}/secrets/link/{globalSecretId}',
        tags,
        security,
        summary: 'Unlink a global secret',
        request: { params: LinkParams },
        responses: { 200: dataOf(Api.Link, 'The removed link') },
      },
      { notFound: true },
    ),
    async (c) => {
      const { envId, globalSecretId } = c.req.valid('param');
      return c.json({ data: await links.unlinkGlobalSecret(deps, c.get('principal'), envId, globalSecretId) }, 200);
    },
  );

  return app;
}
