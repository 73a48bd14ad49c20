import { OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../shared/deps.js';
import type { AppEnv } from '../shared/http/context.js';
import { withErrorResponses } from '../shared/http/openapi.js';
import { API_APP_FACTORIES } from './api-apps.js';
import { operationIdOf, type RouteSpec } from './routes.js';
import { runtimeDeclarations } from './runtime/openapi.js';

export const INFO = {
  title: 'Secrets and variables service',
  version: '1.0.0',
  description: 'Global secrets, environment secrets, links, variables and the runtime read.',
};

/**
 * One OpenAPI 3 document for every resource of the API, generated from the same zod schemas the
 * routes validate with (the runtime read's app, which loads no zod, checks by the rules they are
 * built from: its declarations are functions/runtime/openapi.ts); each operation's errors from
 * its declaration (`withErrorResponses`) and its `operationId` from the route table (`operationIdOf`).
 * Served at `/openapi.json` (functions/accounts/app.ts), which imports this module on its first
 * request: no cold start of any other route builds it.
 */
export function openApiDocument(deps: Deps) {
  const declared = { ...API_APP_FACTORIES, runtime: runtimeDeclarations } satisfies Record<
    keyof typeof API_APP_FACTORIES,
    (deps: Deps) => OpenAPIHono<AppEnv>
  >;
  const all = new OpenAPIHono();
  for (const declarations of Object.values(declared)) all.route('/', declarations(deps));
  for (const definition of all.openAPIRegistry.definitions) {
    if (definition.type === 'route') definition.route = withErrorResponses(definition.route);
  }
  all.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key: `Authorization: Bearer <key>`',
  });
  all.openAPIRegistry.registerComponent('securitySchemes', 'runtimeToken', {
    type: 'http',
    scheme: 'bearer',
    description:
      "A job's runtime token (`prime_rt_…`): `Authorization: Bearer <token>`, taken only by the routes that name it",
  });
  const document = all.getOpenAPIDocument({
    openapi: '3.0.3',
    info: INFO,
    // Relative: the API is wherever this document was fetched from (`npm start` or the deployed stack).
    servers: [{ url: '/', description: 'The API that serves this document' }],
  });
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations as Record<string, { operationId?: string }>)) {
      operation.operationId = operationIdOf({ method: method.toUpperCase() as RouteSpec['method'], path });
    }
  }
  return document;
}
