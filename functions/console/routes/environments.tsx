import type { Hono } from 'hono';
import type { Deps } from '../../../shared/deps.js';
import { ENVIRONMENT_TABS, type EnvironmentTab } from '../components/environment-tabs.js';
import type { ConsoleEnv } from '../context.js';
import { registerEntryHistoryRoutes } from './entry-history.js';
import { registerEntryRoutes } from './environment-entries.js';
import { registerEnvironmentLifecycleRoutes } from './environment-lifecycle.js';
import { registerLinkRoutes } from './environment-links.js';
import { registerRequirementRoutes } from './environment-requirements.js';
import { environmentTab } from './environment-tab.js';

/** The environments list, each environment's tabs, the forms on them and the pages they lead to. */
export function registerEnvironmentRoutes(app: Hono<ConsoleEnv>, deps: Deps): void {
  registerEnvironmentLifecycleRoutes(app, deps);
  for (const tab of Object.keys(ENVIRONMENT_TABS) as EnvironmentTab[]) {
    app.get(`/console/environments/:envId${ENVIRONMENT_TABS[tab].path}`, (c) => environmentTab(c, deps, tab));
  }
  // Where Add Secret posts: opened again (a refused submit's address), it is the Secrets tab.
  app.get('/console/environments/:envId/secrets', (c) => environmentTab(c, deps, 'secrets'));
  registerEntryRoutes(app, deps, 'secret');
  registerLinkRoutes(app, deps);
  registerRequirementRoutes(app, deps);
  registerEntryRoutes(app, deps, 'variable');
  registerEntryHistoryRoutes(app, deps, 'secret');
  registerEntryHistoryRoutes(app, deps, 'variable');
}
