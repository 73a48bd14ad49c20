import type { Hono } from 'hono';
import type { Deps } from '../../../shared/deps.js';
import type { ConsoleEnv } from '../context.js';
import { registerEntryHistoryRoutes } from './entry-history.js';
import { registerEntryRoutes } from './environment-entries.js';
import { registerEnvironmentLifecycleRoutes } from './environment-lifecycle.js';
import { registerLinkRoutes } from './environment-links.js';
import { registerRequirementRoutes } from './environment-requirements.js';
import { environmentTab } from './environment-tab.js';

/** The environments list, each environment's Secrets tab (with its requirements), the forms on it and the pages it leads to. */
export function registerEnvironmentRoutes(app: Hono<ConsoleEnv>, deps: Deps): void {
  registerEnvironmentLifecycleRoutes(app, deps);
  app.get('/console/environments/:envId', (c) => environmentTab(c, deps));
  registerEntryRoutes(app, deps, 'secret');
  registerLinkRoutes(app, deps);
  registerRequirementRoutes(app, deps);
  registerEntryRoutes(app, deps, 'variable');
  registerEntryHistoryRoutes(app, deps, 'secret');
  registerEntryHistoryRoutes(app, deps, 'variable');
}
