import type { Hono } from 'hono';
import type { Deps } from '../shared/deps.js';
import { createAccountsApp } from './accounts/app.js';
import { createAuditApp } from './audit/app.js';
import { createConsoleApp } from './console/app.js';
import { createEnvironmentSecretsApp } from './environment-secrets/app.js';
import { createEnvironmentVariablesApp } from './environment-variables/app.js';
import { createEnvironmentsApp } from './environments/app.js';
import { createGlobalSecretsApp } from './global-secrets/app.js';
import type { Resource } from './routes.js';
import { createRuntimeApp } from './runtime/app.js';
import { createRuntimeTokensApp } from './runtime-tokens/app.js';

/**
 * Every resource's app, by the route table's names (the local server serves them all). The
 * API resources are OpenAPIHono apps (their routes make the OpenAPI document); the console is
 * a plain Hono app of HTML pages, with a context of its own (its session).
 */
// biome-ignore lint/suspicious/noExplicitAny: each app has its own context and schema types; this table only serves them
export const APP_FACTORIES: Record<Resource, (deps: Deps) => Hono<any, any, any>> = {
  accounts: createAccountsApp,
  environments: createEnvironmentsApp,
  'global-secrets': createGlobalSecretsApp,
  'environment-secrets': createEnvironmentSecretsApp,
  'environment-variables': createEnvironmentVariablesApp,
  runtime: createRuntimeApp,
  'runtime-tokens': createRuntimeTokensApp,
  audit: createAuditApp,
  console: createConsoleApp,
};
