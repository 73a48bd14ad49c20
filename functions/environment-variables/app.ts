import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../shared/deps.js';
import * as Api from '../../shared/api-objects.js';
import { createResourceApp } from '../../shared/http/resource-app.js';
import { dataOf, errorResponses, jsonBody, listOf, security } from '../../shared/http/openapi.js';
import { page } from '../../shared/pagination.js';
import { CreateVariableBody, Id, ListQuery, UpdateVariableBody } from '../../shared/schemas.js';
import * as entries from '../../shared/services/environment-entries.js';

const tags = ['environment variables'];
const EnvParams = z.object({ envId: Id });
const EntryParams = z.object({ envId: Id, id: Id });

/** An environment's plain variables (`prime env var …`), values readable. */
export function createEnvironmentVariablesApp(deps: Deps) {
  const app = createResourceApp(deps);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/environmentshub/{envId}/variables',
      tags,
      security,
      summary: 'Variables with their values',
      request: { params: EnvParams, query: ListQuery },
      responses: { 200: listOf(Api.Variable, 'Variables'), ...errorResponses },
    }),
    async (c) => {
      const { offset, limit } = c.req.valid('query');
      const all = await entries.listVariables(deps, c.get('principal'), c.req.valid('param').envId);
      const { items, totalCount } = page(all, offset, limit);
      return c.json({ data: items, totalCount }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/environmentshub/{envId}/variables',
      tags,
      security,
      summary: 'Add a variable',
      request: { params: EnvParams, body: jsonBody(CreateVariableBody) },
      responses: { 201: dataOf(Api.Variable, 'The variable'), ...errorResponses },
    }),
    async (c) => {
      const variable = await entries.createVariable(
        deps,
        c.get('principal'),
        c.req.valid('param').envId,
        c.req.valid('json'),
      );
      return c.json({ data: variable }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/environmentshub/{envId}/variables/{id}',
      tags,
      security,
      summary: 'Update a variable',
      request: { params: EntryParams, body: jsonBody(UpdateVariableBody) },
      responses: { 200: dataOf(Api.Variable, 'The variable'), ...errorResponses },
    }),
    async (c) => {
      const { envId, id } = c.req.valid('param');
      return c.json(
        { data: await entries.updateVariable(deps, c.get('principal'), envId, id, c.req.valid('json')) },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/environmentshub/{envId}/variables/{id}',
      tags,
      security,
      summary: 'Delete a variable',
      request: { params: EntryParams },
      responses: { 200: dataOf(Api.Variable, 'The deleted variable'), ...errorResponses },
    }),
    async (c) => {
      const { envId, id } = c.req.valid('param');
      return c.json({ data: await entries.deleteVariable(deps, c.get('principal'), envId, id) }, 200);
    },
  );

  return app;
}
