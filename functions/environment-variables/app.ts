import { z } from '@hono/zod-openapi';
import type { Deps } from '../../shared/deps.js';
import * as Api from '../../shared/api-objects.js';
import { createResourceApp } from '../../shared/http/resource-app.js';
import { apiRoute, dataOf, jsonBody, listOf, security } from '../../shared/http/openapi.js';
import { pageBody } from '../../shared/pagination.js';
import {
  CreateVariableBody,
  DeleteQuery,
  EntryListQuery,
  Id,
  IfMatchHeaders,
  UpdateVariableBody,
} from '../../shared/schemas.js';
import { variables } from '../../shared/services/entry-operations.js';
import { listVariables } from '../../shared/services/environment-entries.js';
import { registerEntryHistoryRoutes } from '../entry-history-routes.js';

const tags = ['environment variables'];
const EnvParams = z.object({ envId: Id });
const EntryParams = z.object({ envId: Id, id: Id });

/** An environment's plain variables (`prime env var …`), values readable. */
export function createEnvironmentVariablesApp(deps: Deps) {
  const app = createResourceApp(deps, 'environment-variables');

  app.openapi(
    apiRoute(
      {
        method: 'get',
        path: '/api/v1/environmentshub/{envId}/variables',
        tags,
        security,
        summary: 'Variables with their values. `?deleted=true`: the recently deleted',
        request: { params: EnvParams, query: EntryListQuery },
        responses: { 200: listOf(z.union([Api.Variable, Api.DeletedVariable]), 'Variables') },
      },
      { notFound: true },
    ),
    async (c) => {
      const { offset, limit, deleted } = c.req.valid('query');
      const { envId } = c.req.valid('param');
      const principal = c.get('principal');
      const all = deleted
        ? await variables.listDeleted(deps, principal, envId)
        : await listVariables(deps, principal, envId);
      return c.json(pageBody<Api.Variable>(all, { offset, limit }), 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'post',
        path: '/api/v1/environmentshub/{envId}/variables',
        tags,
        security,
        summary: 'Add a variable',
        request: { params: EnvParams, body: jsonBody(CreateVariableBody) },
        responses: { 201: dataOf(Api.Variable, 'The variable') },
      },
      { notFound: true, conflicts: ['name_taken', 'limit_exceeded', 'conflict'] },
    ),
    async (c) => {
      const variable = await variables.create(
        deps,
        c.get('principal'),
        c.req.valid('param').envId,
        c.req.valid('json'),
      );
      return c.json({ data: variable }, 201);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'patch',
        path: '/api/v1/environmentshub/{envId}/variables/{id}',
        tags,
        security,
        summary: 'Update a variable; with If-Match, only at that version',
        request: { params: EntryParams, headers: IfMatchHeaders, body: jsonBody(UpdateVariableBody) },
        responses: { 200: dataOf(Api.Variable, 'The variable') },
      },
      { notFound: true, conflicts: ['name_taken', 'conflict'], preconditions: ['precondition_failed'] },
    ),
    async (c) => {
      const { envId, id } = c.req.valid('param');
      const ifMatch = c.req.valid('header')['if-match'];
      const variable = await variables.update(deps, c.get('principal'), envId, id, c.req.valid('json'), ifMatch);
      return c.json({ data: variable }, 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'delete',
        path: '/api/v1/environmentshub/{envId}/variables/{id}',
        tags,
        security,
        summary: 'Delete a variable: restorable until its purge time; `?purge=true` destroys it at once',
        request: { params: EntryParams, query: DeleteQuery },
        responses: { 200: dataOf(Api.Variable, 'The deleted variable') },
      },
      { notFound: true },
    ),
    async (c) => {
      const { envId, id } = c.req.valid('param');
      const purge = c.req.valid('query').purge;
      return c.json({ data: await variables.remove(deps, c.get('principal'), envId, id, purge) }, 200);
    },
  );

  registerEntryHistoryRoutes(app, deps, {
    collection: 'variables',
    what: 'variable',
    tags,
    view: Api.Variable,
    operations: variables,
  });

  return app;
}
