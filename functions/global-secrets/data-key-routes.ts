import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../shared/deps.js';
import * as Api from '../../shared/api-objects.js';
import type { AppEnv } from '../../shared/http/context.js';
import { apiRoute, dataOf, jsonBody, security } from '../../shared/http/openapi.js';
import { DataKeysQuery, RotateDataKeysBody } from '../../shared/schemas.js';
import * as dataKeys from '../../shared/services/data-keys.js';

const tags = ['data keys'];
const WHO =
  'The caller for their personal scope, a team admin with teamId, the admin key for any owner with userId or teamId';

/**
 * An owner's data keys: their versions and a rotation with the re-seal of every value that
 * follows. Served by the resource that seals global secrets: it writes where values live.
 */
export function registerDataKeyRoutes(app: OpenAPIHono<AppEnv>, deps: Deps): void {
  app.openapi(
    apiRoute(
      {
        method: 'get',
        path: '/api/v1/data-keys',
        tags,
        security,
        summary: `Data key versions, the values each still seals, and the re-seal (continued a bounded step). ${WHO} (query).`,
        request: { query: DataKeysQuery },
        responses: { 200: dataOf(Api.DataKeys, 'The data keys, never their material') },
      },
      { notFound: true },
    ),
    async (c) => c.json({ data: await dataKeys.readDataKeys(deps, c.get('principal'), c.req.valid('query')) }, 200),
  );

  app.openapi(
    apiRoute(
      {
        method: 'post',
        path: '/api/v1/data-keys/rotate',
        tags,
        security,
        summary: `Rotate: a new version is current at once; a re-seal moves every value to it in bounded steps. ${WHO} (body).`,
        request: { body: jsonBody(RotateDataKeysBody) },
        responses: { 202: dataOf(Api.DataKeys, 'The data keys; poll GET until the re-seal is idle') },
      },
      { notFound: true },
    ),
    async (c) => c.json({ data: await dataKeys.rotateDataKeys(deps, c.get('principal'), c.req.valid('json')) }, 202),
  );
}
