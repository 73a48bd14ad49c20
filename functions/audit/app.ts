import { z } from '@hono/zod-openapi';
import type { Deps } from '../../shared/deps.js';
import * as Api from '../../shared/api-objects.js';
import { createResourceApp } from '../../shared/http/resource-app.js';
import { apiRoute, security } from '../../shared/http/openapi.js';
import { AuditQuery, PlatformAuditQuery } from '../../shared/schemas.js';
import { readAuditLog, readPlatformAuditLog } from '../../shared/services/audit-log.js';

const auditPage = {
  description: 'Events, and the cursor of the next page',
  content: {
    'application/json': { schema: z.object({ data: z.array(Api.AuditEvent), cursor: z.string().nullable() }) },
  },
};

/** The audit logs, of an owner (every mutation and runtime read) and of the platform; never a value. */
export function createAuditApp(deps: Deps) {
  const app = createResourceApp(deps, 'audit');

  app.openapi(
    apiRoute(
      {
        method: 'get',
        path: '/api/v1/audit',
        tags: ['audit'],
        security,
        summary: 'Audit events, newest first (personal owner, or team admin with teamId)',
        request: { query: AuditQuery },
        responses: { 200: auditPage },
      },
      { notFound: true, badRequest: 'A cursor that is not valid' },
    ),
    async (c) => {
      const { events, cursor } = await readAuditLog(deps, c.get('principal'), c.req.valid('query'));
      return c.json({ data: events, cursor }, 200);
    },
  );

  app.openapi(
    apiRoute(
      {
        method: 'get',
        path: '/api/v1/admin/audit',
        tags: ['audit'],
        security,
        summary: "The platform's audit log: every admin action, newest first (admin key)",
        request: { query: PlatformAuditQuery },
        responses: { 200: auditPage },
      },
      { badRequest: 'A cursor that is not valid' },
    ),
    async (c) => {
      const { events, cursor } = await readPlatformAuditLog(deps, c.get('principal'), c.req.valid('query'));
      return c.json({ data: events, cursor }, 200);
    },
  );

  return app;
}
