import type { Hono } from 'hono';
import type { Deps } from '../../shared/deps.js';
import type { ConsoleEnv } from './context.js';
import { consoleApp } from './frame.js';
import { registerApiKeyRoutes } from './routes/api-keys.js';

/**
 * The console's API keys page, a function of its own: it writes credentials (API keys), so it
 * holds no KMS permission, as `accounts` holds none, while the console's other function seals
 * values and writes no credential (infra/cdk/permissions.ts). Same sessions, same frame.
 */
export function createConsoleKeysApp(deps: Deps): Hono<ConsoleEnv> {
  return consoleApp(deps, 'console-keys', (app) => registerApiKeyRoutes(app, deps));
}
