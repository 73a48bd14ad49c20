import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../shared/deps.js';
import type { AppEnv } from '../shared/http/context.js';
import { createAccountsApp } from './accounts/app.js';
import { createAuditApp } from './audit/app.js';
import { createEnvironmentSecretsApp } from './environment-secrets/app.js';
import { createEnvironmentVariablesApp } from './environment-variables/app.js';
import { createEnvironmentsApp } from './environments/app.js';
import { createGlobalSecretsApp } from './global-secrets/app.js';
import type { Resource } from './routes.js';
import { createRuntimeApp } from './runtime/app.js';

/** Every resource's app, by the route table's names (the local server serves them all). */
export const APP_FACTORIES: Record<Resource, (deps: Deps) => OpenAPIHono<AppEnv>> = {
  accounts: createAccountsApp,
  environments: createEnvironmentsApp,
  'global-secrets': createGlobalSecretsApp,
  'environment-secrets': createEnvironmentSecretsApp,
  'environment-variables': createEnvironmentVariablesApp,
  runtime: createRuntimeApp,
  audit: createAuditApp,
};
