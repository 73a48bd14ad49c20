import type { Hono } from 'hono';
import type { Deps } from '../../shared/deps.js';
import type { ConsoleEnv } from './context.js';
import { consoleApp } from './frame.js';
import { registerAssetRoutes } from './routes/assets.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerEnvironmentRoutes } from './routes/environments.js';
import { registerFileSecretRoutes } from './routes/file-secrets.js';
import { registerGlobalSecretHistoryRoutes } from './routes/global-secret-history.js';
import { registerKeysAndSecretsRoutes } from './routes/keys-and-secrets.js';
import { registerSecretLinkRoutes } from './routes/secret-links.js';

/**
 * The web console's pages of secrets and environments, its sign-in and its assets. Its API keys
 * page is a function of its own (keys-app.tsx).
 */
export function createConsoleApp(deps: Deps): Hono<ConsoleEnv> {
  return consoleApp(deps, 'console', (app) => {
    registerAssetRoutes(app);
    registerAuthRoutes(app, deps);
    registerKeysAndSecretsRoutes(app, deps);
    registerGlobalSecretHistoryRoutes(app, deps);
    registerSecretLinkRoutes(app, deps);
    registerEnvironmentRoutes(app, deps);
    registerFileSecretRoutes(app, deps);
  });
}
