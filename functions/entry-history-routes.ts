import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../shared/deps.js';
import * as Api from '../shared/api-objects.js';
import type { AppEnv } from '../shared/http/context.js';
import { apiRoute, dataOf, jsonBody, listOf, security } from '../shared/http/openapi.js';
import { pageBody } from '../shared/pagination.js';
import { Id, ListQuery, RestoreBody, RollbackBody } from '../shared/schemas.js';
import type { Principal } from '../shared/auth/principal.js';

const EntryParams = z.object({ envId: Id, id: Id });

/** What the routes call (shared/services/entry-operations.ts), answering in the kind's wire object `T`. */
interface HistoryOperations<T> {
  versions(deps: Deps, principal: Principal, envId: string, id: string): Promise<Api.ValueVersion[]>;
  rollback(deps: Deps, principal: Principal, envId: string, id: string, version: number): Promise<T>;
  restore(deps: Deps, principal: Principal, envId: string, id: string, name?: string): Promise<T>;
}

/**
 * The history routes of an environment's direct secrets and of its variables, the same for
 * both kinds: kept versions, rollback, restore of a deleted one.
 */
export function registerEntryHistoryRoutes(
  app: OpenAPIHono<AppEnv>,
  deps: Deps,
  routes: {
    collection: 'secrets' | 'variables';
    what: string;
    tags: string[];
    view: typeof Api.EnvironmentSecret | typeof Api.Variable;
    operations: HistoryOperations<Api.EnvironmentSecret | Api.Variable>;
  },
): void {
  const { collection, what, tags, view, operations } = routes;
  const path = `/api/v1/environmentshub/{envId}/${collection}/{id}`;
  /** A linked secret's id names no direct secret: its history is the global secret's (409 `is_linked`). */
  const linkedHere = collection === 'secrets' ? (['is_linked'] as const) : [];

  app.openapi(
    apiRoute(
      {
        method: 'get',
        path: `${path}/versions`,
        tags,
        security,
        summary: `The kept versions of a ${what}, newest first${collection === 'secrets' ? '; never a value' : ''}`,
        request: { params: EntryParams, query: ListQuery },
        responses: { 200: listOf(Api.ValueVersion, 'Versions') },
      },
      { notFound: true, conflicts: linkedHere },
    ),
    async (c) => {
      const { envId, id } = c.req.valid('param');
      return c.json(
        pageBody(await operations.versions(deps, c.get('principal'), envId, id), c.req.valid('query')),
        200,
      );
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'post',
        path: `${path}/rollback`,
        tags,
        security,
        summary: `Roll a ${what} back: a new version with the value of a kept one`,
        request: { params: EntryParams, body: jsonBody(RollbackBody) },
        responses: { 200: dataOf(view, `The ${what} at its new version`) },
      },
      { notFound: true, conflicts: [...linkedHere, 'conflict'] },
    ),
    async (c) => {
      const { envId, id } = c.req.valid('param');
      const rolledBack = await operations.rollback(deps, c.get('principal'), envId, id, c.req.valid('json').version);
      return c.json({ data: rolledBack }, 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'post',
        path: `${path}/restore`,
        tags,
        security,
        summary: `Restore a recently deleted ${what}, under its name or a new one`,
        request: { params: EntryParams, body: jsonBody(RestoreBody) },
        responses: { 200: dataOf(view, `The restored ${what}`) },
      },
      { notFound: true, conflicts: ['name_taken', 'limit_exceeded', 'conflict'] },
    ),
    async (c) => {
      const { envId, id } = c.req.valid('param');
      const restored = await operations.restore(deps, c.get('principal'), envId, id, c.req.valid('json').name);
      return c.json({ data: restored }, 200);
    },
  );
}
