import { z } from '@hono/zod-openapi';
import type { Deps } from '../../shared/deps.js';
import * as Api from '../../shared/api-objects.js';
import { createResourceApp } from '../../shared/http/resource-app.js';
import { apiRoute, dataOf, jsonBody, listOf, security } from '../../shared/http/openapi.js';
import { pageBody } from '../../shared/pagination.js';
import {
  CreateEnvironmentBody,
  Id,
  ListQuery,
  RequirementBody,
  RequirementParams,
  ScopedListQuery,
} from '../../shared/schemas.js';
import * as environments from '../../shared/services/environments.js';
import * as requirements from '../../shared/services/requirements.js';

const tags = ['environments'];

/** Environments: create, list, find by owner slug and name, delete with everything in it. */
export function createEnvironmentsApp(deps: Deps) {
  const app = createResourceApp(deps, 'environments');

  app.openapi(
    apiRoute(
      {
        method: 'post',
        path: '/api/v1/environmentshub',
        tags,
        security,
        summary: 'Create an environment, personal or in a team',
        request: { body: jsonBody(CreateEnvironmentBody) },
        responses: { 201: dataOf(Api.Environment, 'The environment') },
      },
      { notFound: true, conflicts: ['name_taken'] },
    ),
    async (c) =>
      c.json({ data: await environments.createEnvironment(deps, c.get('principal'), c.req.valid('json')) }, 201),
  );

  app.openapi(
    apiRoute(
      {
        method: 'get',
        path: '/api/v1/environmentshub',
        tags,
        security,
        summary: "The caller's environments, or a team's with teamId",
        request: { query: ScopedListQuery },
        responses: { 200: listOf(Api.Environment, 'Environments') },
      },
      { notFound: true },
    ),
    async (c) => {
      const { offset, limit, teamId } = c.req.valid('query');
      const { items, totalCount } = await environments.listEnvironments(deps, c.get('principal'), teamId, {
        offset,
        limit,
      });
      return c.json({ data: items, totalCount }, 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'get',
        path: '/api/v1/environmentshub/{owner}/{name}/@latest',
        tags,
        security,
        summary: "An environment by its owner's slug and its name",
        request: { params: z.object({ owner: z.string(), name: z.string() }) },
        responses: { 200: dataOf(Api.Environment, 'The environment') },
      },
      { notFound: true },
    ),
    async (c) => {
      const { owner, name } = c.req.valid('param');
      return c.json({ data: await environments.environmentBySlug(deps, c.get('principal'), owner, name) }, 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'delete',
        path: '/api/v1/environmentshub/{envId}',
        tags,
        security,
        summary: 'Delete an environment with its direct secrets, links and variables',
        request: { params: z.object({ envId: Id }) },
        responses: { 200: dataOf(Api.Environment, 'The deleted environment') },
      },
      { notFound: true },
    ),
    async (c) =>
      c.json({ data: await environments.deleteEnvironment(deps, c.get('principal'), c.req.valid('param').envId) }, 200),
  );

  app.openapi(
    apiRoute(
      {
        method: 'get',
        path: '/api/v1/environmentshub/{envId}/requirements',
        tags,
        security,
        summary: "The names the environment's code reads",
        request: { params: z.object({ envId: Id }), query: ListQuery },
        responses: { 200: listOf(Api.Requirement, 'Requirements') },
      },
      { notFound: true },
    ),
    async (c) => {
      const { offset, limit } = c.req.valid('query');
      const all = await requirements.listRequirements(deps, c.get('principal'), c.req.valid('param').envId);
      return c.json(pageBody(all, { offset, limit }), 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'put',
        path: '/api/v1/environmentshub/{envId}/requirements/{name}',
        tags,
        security,
        summary: 'Require a name (idempotent): a job reads it; optional ones may be missing',
        request: { params: RequirementParams, body: jsonBody(RequirementBody) },
        responses: { 200: dataOf(Api.Requirement, 'The requirement') },
      },
      { notFound: true, conflicts: ['limit_exceeded', 'conflict'] },
    ),
    async (c) => {
      const { envId, name } = c.req.valid('param');
      const required = await requirements.putRequirement(deps, c.get('principal'), envId, name, c.req.valid('json'));
      return c.json({ data: required }, 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'delete',
        path: '/api/v1/environmentshub/{envId}/requirements/{name}',
        tags,
        security,
        summary: 'No longer require a name',
        request: { params: RequirementParams },
        responses: { 200: dataOf(Api.Requirement, 'The removed requirement') },
      },
      { notFound: true },
    ),
    async (c) => {
      const { envId, name } = c.req.valid('param');
      return c.json({ data: await requirements.removeRequirement(deps, c.get('principal'), envId, name) }, 200);
    },
  );

  return app;
}
