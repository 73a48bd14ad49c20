import { z } from '@hono/zod-openapi';
import type { Deps } from '../../shared/deps.js';
import * as Api from '../../shared/api-objects.js';
import { createResourceApp } from '../../shared/http/resource-app.js';
import { apiRoute, dataOf, jsonBody, listOf, RETRY_AFTER, security } from '../../shared/http/openapi.js';
import { pageBody } from '../../shared/pagination.js';
import {
  AddMemberBody,
  CreateAdminKeyBody,
  CreateApiKeyBody,
  CreateServiceKeyBody,
  CreateTeamBody,
  CreateUserBody,
  Id,
  ListQuery,
  UpdateMemberBody,
} from '../../shared/schemas.js';
import * as apiKeys from '../../shared/services/api-keys.js';
import { deepHealth } from '../../shared/services/health.js';
import * as teams from '../../shared/services/teams.js';
import * as users from '../../shared/services/users.js';

const tags = ['accounts'];
const TeamParams = z.object({ teamId: Id });
const MemberParams = z.object({ teamId: Id, userId: Id });
const UserParams = z.object({ userId: Id });

/** Health, the caller (whoami, teams, API keys), teams and members, and the admin routes. */
export function createAccountsApp(deps: Deps) {
  const app = createResourceApp(deps, 'accounts');

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/api/v1/health',
      tags,
      summary: 'Liveness',
      responses: { 200: dataOf(z.object({ status: z.literal('ok') }), 'The service is up') },
    }),
    (c) => c.json({ data: { status: 'ok' as const } }, 200),
  );

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/api/v1/health/deep',
      tags: ['admin'],
      security,
      summary: 'DynamoDB and KMS reached, each timed, and what failed (admin key)',
      responses: {
        200: dataOf(Api.DeepHealth, 'Every dependency answered'),
        503: {
          description:
            'Degraded: the body names the dependency that failed; or one was down before the check could run (`unavailable`)',
          headers: RETRY_AFTER,
          content: { 'application/json': { schema: z.union([z.object({ data: Api.DeepHealth }), Api.ErrorBody]) } },
        },
      },
    }),
    async (c) => {
      const health = await deepHealth(deps, c.get('principal'));
      if (health.status === 'ok') return c.json({ data: health }, 200);
      c.header('Retry-After', '1');
      return c.json({ data: health }, 503);
    },
  );

  // Built on its first request, importing the document's module then: every resource's routes
  // and the generator stay out of every cold start (the bundles' code of it is evaluated lazily).
  let document: Promise<unknown> | undefined;
  app.openapi(
    apiRoute({
      method: 'get',
      path: '/openapi.json',
      tags: ['docs'],
      summary: 'This OpenAPI document',
      responses: { 200: { description: 'OpenAPI 3', content: { 'application/json': { schema: z.looseObject({}) } } } },
    }),
    async (c) => {
      document ??= import('../openapi-document.js')
        .then((module) => module.openApiDocument(deps))
        .catch((err: unknown) => {
          document = undefined; // the next request tries again
          throw err;
        });
      return c.json((await document) as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/api/v1/user/whoami',
      tags,
      security,
      summary: 'The calling user and their teams',
      responses: { 200: dataOf(Api.WhoAmI, 'The caller') },
    }),
    async (c) => c.json({ data: await users.whoami(deps, c.get('principal')) }, 200),
  );

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/api/v1/user/teams',
      tags,
      security,
      summary: "The caller's teams",
      request: { query: ListQuery },
      responses: {
        200: {
          description: 'Teams with the caller’s role',
          content: {
            'application/json': {
              schema: z.object({
                data: z.array(Api.UserTeam),
                totalCount: z.number().int(),
                total_count: z.number().int(),
              }),
            },
          },
        },
      },
    }),
    async (c) => {
      const { offset, limit } = c.req.valid('query');
      const listed = pageBody(await users.listUserTeams(deps, c.get('principal')), { offset, limit });
      return c.json({ ...listed, total_count: listed.totalCount }, 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'post',
        path: '/api/v1/teams',
        tags,
        security,
        summary: 'Create a team; the caller becomes its admin',
        request: { body: jsonBody(CreateTeamBody) },
        responses: { 201: dataOf(Api.Team, 'The team') },
      },
      { conflicts: ['slug_taken'] },
    ),
    async (c) => c.json({ data: await teams.createTeam(deps, c.get('principal'), c.req.valid('json')) }, 201),
  );

  app.openapi(
    apiRoute(
      {
        method: 'get',
        path: '/api/v1/teams/{teamId}/members',
        tags,
        security,
        summary: 'Members of a team',
        request: { params: TeamParams, query: ListQuery },
        responses: { 200: listOf(Api.Member, 'Members') },
      },
      { notFound: true },
    ),
    async (c) => {
      const { offset, limit } = c.req.valid('query');
      const members = await teams.listMembers(deps, c.get('principal'), c.req.valid('param').teamId);
      return c.json(pageBody(members, { offset, limit }), 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'post',
        path: '/api/v1/teams/{teamId}/members',
        tags,
        security,
        summary: 'Add a member (team admin)',
        request: { params: TeamParams, body: jsonBody(AddMemberBody) },
        responses: { 201: dataOf(Api.Member, 'The member') },
      },
      { notFound: true, conflicts: ['conflict'] },
    ),
    async (c) => {
      const member = await teams.addMember(deps, c.get('principal'), c.req.valid('param').teamId, c.req.valid('json'));
      return c.json({ data: member }, 201);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'patch',
        path: '/api/v1/teams/{teamId}/members/{userId}',
        tags,
        security,
        summary: "Change a member's role (team admin); the last admin cannot be demoted",
        request: { params: MemberParams, body: jsonBody(UpdateMemberBody) },
        responses: { 200: dataOf(Api.Member, 'The member') },
      },
      { notFound: true, conflicts: ['last_admin', 'conflict'] },
    ),
    async (c) => {
      const { teamId, userId } = c.req.valid('param');
      const member = await teams.updateMember(deps, c.get('principal'), teamId, userId, c.req.valid('json').role);
      return c.json({ data: member }, 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'delete',
        path: '/api/v1/teams/{teamId}/members/{userId}',
        tags,
        security,
        summary: 'Remove a member (team admin); access ends at once',
        request: { params: MemberParams },
        responses: { 200: dataOf(Api.Member, 'The removed member') },
      },
      { notFound: true, conflicts: ['last_admin', 'conflict'] },
    ),
    async (c) => {
      const { teamId, userId } = c.req.valid('param');
      return c.json({ data: await teams.removeMember(deps, c.get('principal'), teamId, userId) }, 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'post',
        path: '/api/v1/user/api-keys',
        tags,
        security,
        summary: 'Create an API key; the key is shown only in this response',
        request: { body: jsonBody(CreateApiKeyBody) },
        responses: { 201: dataOf(Api.NewApiKey, 'The new key') },
      },
      { conflicts: ['limit_exceeded'] },
    ),
    async (c) => c.json({ data: await apiKeys.createApiKey(deps, c.get('principal'), c.req.valid('json')) }, 201),
  );

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/api/v1/user/api-keys',
      tags,
      security,
      summary: "The caller's API keys (never the keys themselves)",
      request: { query: ListQuery },
      responses: { 200: listOf(Api.ApiKey, 'API keys') },
    }),
    async (c) => {
      return c.json(pageBody(await apiKeys.listApiKeys(deps, c.get('principal')), c.req.valid('query')), 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'delete',
        path: '/api/v1/user/api-keys/{id}',
        tags,
        security,
        summary: 'Revoke an API key',
        request: { params: z.object({ id: Id }) },
        responses: { 200: dataOf(Api.ApiKey, 'The revoked key') },
      },
      { notFound: true },
    ),
    async (c) => c.json({ data: await apiKeys.revokeApiKey(deps, c.get('principal'), c.req.valid('param').id) }, 200),
  );

  app.openapi(
    apiRoute(
      {
        method: 'post',
        path: '/api/v1/admin/users',
        tags: ['admin'],
        security,
        summary: 'Create a user and their first API key (admin key)',
        request: { body: jsonBody(CreateUserBody) },
        responses: { 201: dataOf(Api.NewUser, 'The user and their key') },
      },
      { conflicts: ['slug_taken'] },
    ),
    async (c) => c.json({ data: await users.createUser(deps, c.get('principal'), c.req.valid('json')) }, 201),
  );

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/api/v1/admin/users',
      tags: ['admin'],
      security,
      summary: 'Every user, with whether they are disabled (admin key)',
      request: { query: ListQuery },
      responses: { 200: listOf(Api.AdminUser, 'Users') },
    }),
    async (c) => {
      return c.json(pageBody(await users.listUsersForAdmin(deps, c.get('principal')), c.req.valid('query')), 200);
    },
  );

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.openapi(
      apiRoute(
        {
          method: 'post',
          path: `/api/v1/admin/users/{userId}/${action}`,
          tags: ['admin'],
          security,
          summary: disabled
            ? 'Disable a user: their keys and console sessions are refused; their data stays (admin key)'
            : 'Enable a disabled user again (admin key)',
          request: { params: UserParams },
          responses: { 200: dataOf(Api.AdminUser, 'The user') },
        },
        { notFound: true },
      ),
      async (c) => {
        const user = await users.setUserDisabled(deps, c.get('principal'), c.req.valid('param').userId, disabled);
        return c.json({ data: user }, 200);
      },
    );
  }

  app.openapi(
    apiRoute(
      {
        method: 'post',
        path: '/api/v1/admin/users/{userId}/api-keys',
        tags: ['admin'],
        security,
        summary: 'A new account key for a user (every scope unless asked); shown only in this response (admin key)',
        request: { params: UserParams, body: jsonBody(CreateApiKeyBody) },
        responses: { 201: dataOf(Api.NewApiKey, 'The new key') },
      },
      { notFound: true, conflicts: ['limit_exceeded'] },
    ),
    async (c) => {
      const { userId } = c.req.valid('param');
      const made = await apiKeys.issueAccountKey(deps, c.get('principal'), userId, c.req.valid('json'));
      return c.json({ data: made }, 201);
    },
  );

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/api/v1/admin/api-keys',
      tags: ['admin'],
      security,
      summary: 'The platform admin keys, never the keys themselves (admin key)',
      request: { query: ListQuery },
      responses: { 200: listOf(Api.AdminKey, 'Admin keys') },
    }),
    async (c) => {
      return c.json(pageBody(await apiKeys.listAdminKeys(deps, c.get('principal')), c.req.valid('query')), 200);
    },
  );

  app.openapi(
    apiRoute({
      method: 'post',
      path: '/api/v1/admin/api-keys',
      tags: ['admin'],
      security,
      summary: 'Create a platform admin key; the key is shown only in this response (admin key)',
      request: { body: jsonBody(CreateAdminKeyBody) },
      responses: { 201: dataOf(Api.NewAdminKey, 'The new key') },
    }),
    async (c) => {
      const made = await apiKeys.createAdminKey(deps, c.get('principal'), c.req.valid('json').name);
      return c.json({ data: made }, 201);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'delete',
        path: '/api/v1/admin/api-keys/{id}',
        tags: ['admin'],
        security,
        summary: 'Revoke a platform admin key; the last one cannot be revoked (admin key)',
        request: { params: z.object({ id: Id }) },
        responses: { 200: dataOf(Api.AdminKey, 'The revoked key') },
      },
      { notFound: true, conflicts: ['last_admin_key', 'conflict'] },
    ),
    async (c) => c.json({ data: await apiKeys.revokeAdminKey(deps, c.get('principal'), c.req.valid('param').id) }, 200),
  );

  app.openapi(
    apiRoute({
      method: 'post',
      path: '/api/v1/admin/service-keys',
      tags: ['admin'],
      security,
      summary: 'Create a key for a hosted service (admin key)',
      request: { body: jsonBody(CreateServiceKeyBody) },
      responses: { 201: dataOf(Api.NewServiceKey, 'The service key') },
    }),
    async (c) => c.json({ data: await apiKeys.createServiceKey(deps, c.get('principal'), c.req.valid('json')) }, 201),
  );

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/api/v1/admin/service-keys',
      tags: ['admin'],
      security,
      summary: "Every hosted service's keys, never the keys themselves (admin key)",
      request: { query: ListQuery },
      responses: { 200: listOf(Api.ServiceKey, 'Service keys') },
    }),
    async (c) => {
      return c.json(pageBody(await apiKeys.listServiceKeys(deps, c.get('principal')), c.req.valid('query')), 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'delete',
        path: '/api/v1/admin/service-keys/{id}',
        tags: ['admin'],
        security,
        summary: 'Revoke a service key (admin key)',
        request: { params: z.object({ id: Id }) },
        responses: { 200: dataOf(Api.ServiceKey, 'The revoked key') },
      },
      { notFound: true },
    ),
    async (c) =>
      c.json({ data: await apiKeys.revokeServiceKey(deps, c.get('principal'), c.req.valid('param').id) }, 200),
  );

  return app;
}
