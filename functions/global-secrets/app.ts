import { z } from '@hono/zod-openapi';
import type { Deps } from '../../shared/deps.js';
import * as Api from '../../shared/api-objects.js';
import { createResourceApp } from '../../shared/http/resource-app.js';
import { apiRoute, dataOf, jsonBody, listOf, security } from '../../shared/http/openapi.js';
import { pageBody } from '../../shared/pagination.js';
import {
  CreateGlobalSecretBody,
  GlobalSecretListQuery,
  Id,
  IfMatchHeaders,
  ListQuery,
  GlobalRestoreBody,
  GlobalRollbackBody,
  ScopedDeleteQuery,
  TeamScopeQuery,
  UpdateSecretBody,
} from '../../shared/schemas.js';
import * as recovery from '../../shared/services/global-secret-recovery.js';
import * as secrets from '../../shared/services/global-secrets.js';
import { registerDataKeyRoutes } from './data-key-routes.js';

const tags = ['global secrets'];
const SecretParams = z.object({ id: Id });

/** Global secrets (`prime secret …`), personal or, with teamId, a team's. Never their values. */
export function createGlobalSecretsApp(deps: Deps) {
  const app = createResourceApp(deps, 'global-secrets');

  app.openapi(
    apiRoute(
      {
        method: 'get',
        path: '/api/v1/secrets',
        tags,
        security,
        summary: 'Global secrets in scope. `?deleted=true`: the recently deleted',
        request: { query: GlobalSecretListQuery },
        responses: {
          200: listOf(z.union([Api.GlobalSecret, Api.DeletedGlobalSecret]), 'Secrets, without values'),
        },
      },
      { notFound: true },
    ),
    async (c) => {
      const { offset, limit, teamId, deleted } = c.req.valid('query');
      const principal = c.get('principal');
      const all = deleted
        ? await recovery.listDeletedGlobalSecrets(deps, principal, teamId)
        : await secrets.listGlobalSecrets(deps, principal, teamId);
      return c.json(pageBody<Api.GlobalSecret>(all, { offset, limit }), 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'post',
        path: '/api/v1/secrets',
        tags,
        security,
        summary: 'Create a global secret; its name is unique per owner',
        request: { body: jsonBody(CreateGlobalSecretBody) },
        responses: { 201: dataOf(Api.GlobalSecret, 'The secret, without its value') },
      },
      { notFound: true, conflicts: ['name_taken', 'limit_exceeded', 'conflict'] },
    ),
    async (c) => c.json({ data: await secrets.createGlobalSecret(deps, c.get('principal'), c.req.valid('json')) }, 201),
  );

  app.openapi(
    apiRoute(
      {
        method: 'get',
        path: '/api/v1/secrets/{id}',
        tags,
        security,
        summary: 'A global secret and the environments linking it',
        request: { params: SecretParams, query: TeamScopeQuery },
        responses: { 200: dataOf(Api.GlobalSecretDetail, 'The secret, without its value') },
      },
      { notFound: true },
    ),
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
    apiRoute(
      {
        method: 'patch',
        path: '/api/v1/secrets/{id}',
        tags,
        security,
        summary:
          'Update; a rename renames it in every linked environment, atomically; with If-Match, only at that version',
        request: {
          params: SecretParams,
          query: TeamScopeQuery,
          headers: IfMatchHeaders,
          body: jsonBody(UpdateSecretBody),
        },
        responses: { 200: dataOf(Api.GlobalSecret, 'The secret, without its value') },
      },
      { notFound: true, conflicts: ['name_taken', 'conflict'], preconditions: ['precondition_failed'] },
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      const secret = await secrets.updateGlobalSecret(
        deps,
        c.get('principal'),
        id,
        c.req.valid('query').teamId,
        c.req.valid('json'),
        c.req.valid('header')['if-match'],
      );
      return c.json({ data: secret }, 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'delete',
        path: '/api/v1/secrets/{id}',
        tags,
        security,
        summary:
          'Delete a global secret and unlink it everywhere: restorable until its purge time; `?purge=true` destroys it at once',
        request: { params: SecretParams, query: ScopedDeleteQuery },
        responses: { 200: dataOf(Api.GlobalSecret, 'The deleted secret') },
      },
      { notFound: true, conflicts: ['conflict'] },
    ),
    async (c) => {
      const { teamId, purge } = c.req.valid('query');
      const secret = await recovery.removeGlobalSecret(
        deps,
        c.get('principal'),
        c.req.valid('param').id,
        teamId,
        purge,
      );
      return c.json({ data: secret }, 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'get',
        path: '/api/v1/secrets/{id}/versions',
        tags,
        security,
        summary: 'The kept versions of a global secret, newest first; never a value',
        request: { params: SecretParams, query: ListQuery.extend(TeamScopeQuery.shape) },
        responses: { 200: listOf(Api.ValueVersion, 'Versions') },
      },
      { notFound: true },
    ),
    async (c) => {
      const { offset, limit, teamId } = c.req.valid('query');
      const versions = await secrets.listGlobalSecretVersions(
        deps,
        c.get('principal'),
        c.req.valid('param').id,
        teamId,
      );
      return c.json(pageBody(versions, { offset, limit }), 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'post',
        path: '/api/v1/secrets/{id}/rollback',
        tags,
        security,
        summary: 'Roll a global secret back: a new version with the value of a kept one',
        request: { params: SecretParams, query: TeamScopeQuery, body: jsonBody(GlobalRollbackBody) },
        responses: { 200: dataOf(Api.GlobalSecret, 'The secret at its new version') },
      },
      { notFound: true, conflicts: ['conflict'] },
    ),
    async (c) => {
      const { version, teamId } = c.req.valid('json');
      const scope = teamId ?? c.req.valid('query').teamId;
      const secret = await secrets.rollbackGlobalSecret(
        deps,
        c.get('principal'),
        c.req.valid('param').id,
        scope,
        version,
      );
      return c.json({ data: secret }, 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'post',
        path: '/api/v1/secrets/{id}/restore',
        tags,
        security,
        summary: 'Restore a recently deleted global secret and link it again where its name is free',
        request: { params: SecretParams, query: TeamScopeQuery, body: jsonBody(GlobalRestoreBody) },
        responses: {
          200: dataOf(Api.RestoredGlobalSecret, 'The secret, where it was linked again, and where not'),
        },
      },
      { notFound: true, conflicts: ['name_taken', 'limit_exceeded', 'conflict'] },
    ),
    async (c) => {
      const { name, teamId } = c.req.valid('json');
      const scope = teamId ?? c.req.valid('query').teamId;
      const restored = await recovery.restoreGlobalSecret(
        deps,
        c.get('principal'),
        c.req.valid('param').id,
        scope,
        name,
      );
      return c.json({ data: restored }, 200);
    },
  );

  registerDataKeyRoutes(app, deps);
  return app;
}
