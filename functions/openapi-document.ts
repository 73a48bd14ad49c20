import { OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../shared/deps.js';
import { APP_FACTORIES } from './apps.js';
import { RESOURCES } from './routes.js';

/** One OpenAPI 3 document for every resource, generated from the same zod schemas the routes validate with. */
export function openApiDocument(deps: Deps) {
  const all = new OpenAPIHono();
  for (const resource of RESOURCES) all.route('/', APP_FACTORIES[resource](deps));
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
  return all.getOpenAPIDocument({
    openapi: '3.0.3',
    info: {
      title: 'Secrets and variables service',
      version: '1.0.0',
      description: 'Global secrets, environment secrets, links, variables and the runtime read.',
    },
  });
}
