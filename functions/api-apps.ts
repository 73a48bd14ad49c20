import type { Hono } from 'hono';
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
import { createRuntimeTokensApp } from './runtime-tokens/app.js';

/**
 * The API's resources, by the route table's names: OpenAPIHono apps, whose route declarations
 * make the OpenAPI document (functions/openapi-document.ts), but for the runtime read's, a plain
 * Hono app that loads no zod (its declarations are functions/runtime/openapi.ts). The console,
 * the one other resource, is HTML pages (functions/apps.ts has every app).
 */
export const API_APP_FACTORIES = {
  accounts: createAccountsApp,
  environments: createEnvironmentsApp,
  'global-secrets': createGlobalSecretsApp,
  'environment-secrets': createEnvironmentSecretsApp,
  'environment-variables': createEnvironmentVariablesApp,
  runtime: createRuntimeApp,
  'runtime-tokens': createRuntimeTokensApp,
  audit: createAuditApp,
} satisfies Record<Exclude<Resource, 'console' | 'console-keys'>, (deps: Deps) => Hono<AppEnv>>;
