import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../shared/deps.js';
import * as Api from '../../shared/api-objects.js';
import { createResourceApp } from '../../shared/http/resource-app.js';
import { dataOf, errorResponses, jsonBody, listOf, security } from '../../shared/http/openapi.js';
import { page } from '../../shared/pagination.js';
import { CreateEnvironmentBody, Id, ScopedListQuery } from '../../shared/schemas.js';
import * as environments from '../../shared/services/environments.js';

const tags = ['environments'];

/** Environments: create, list, find by owner slug and name, delete with everything in it. */
export function createEnvironmentsApp(deps: Deps) {
  const app = createResourceApp(deps);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/environmentshub',
      tags,
      security,
      summary: 'Create an environment, personal or in a team',
      request: { body: jsonBody(CreateEnvironmentBody) },
      responses: { 201: dataOf(Api.Environment, 'The environment'), ...errorResponses },
    }),
    async (c) =>
      c.json({ data: await environments.createEnvironment(deps, c.get('principal'), c.req.valid('json')) }, 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/environmentshub',
      tags,
      security,
      summary: "The caller's environments, or a team's with teamId",
      request: { query: ScopedListQuery },
      responses: { 200: listOf(Api.Environment, 'Environments'), ...errorResponses },
    }),
    async (c) => {
      const { offset, limit, teamId } = c.req.valid('query');
      const { items, totalCount } = page(
        await environments.listEnvironments(deps, c.get('principal'), teamId),
        offset,
        limit,
      );
      return c.json({ data: items, totalCount }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/environmentshub/{owner}/{name}/@latest',
      tags,
      security,
      summary: "An environment by its owner's slug and its name",
      request: { params: z.object({ owner: z.string(), name: z.string() }) },
      responses: { 200: dataOf(Api.Environment, 'The environment'), ...errorResponses },
    }),
    async (c) => {
      const { owner, name } = c.req.valid('param');
      return c.json({ data: await environments.environmentBySlug(deps, c.get('principal'), owner, name) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/environmentshub/{envId}',
      tags,
      security,
      summary: 'Delete an environment with its direct secrets, links and variables',
      request: { params: z.object({ envId: Id }) },
      responses: { 200: dataOf(Api.Environment, 'The deleted environment'), ...errorResponses },
    }),
    async (c) =>
      c.json({ data: await environments.deleteEnvironment(deps, c.get('principal'), c.req.valid('param').envId) }, 200),
  );

  return app;
}
