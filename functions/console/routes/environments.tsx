import type { Hono } from 'hono';
import type { Deps } from '../../../shared/deps.js';
import { listEnvironments } from '../../../shared/services/environments.js';
import { ENVIRONMENT_TABS, type EnvironmentTab } from '../components/environment-tabs.js';
import { pageContext, principalOf, requestedTeam, scopeOf, type ConsoleContext, type ConsoleEnv } from '../context.js';
import { EnvironmentsPage } from '../pages/environments.js';
import { page } from '../render.js';
import { registerEntryHistoryRoutes } from './entry-history.js';
import { registerEntryRoutes } from './environment-entries.js';
import { registerLinkRoutes } from './environment-links.js';
import { registerRequirementRoutes } from './environment-requirements.js';
import { environmentTab } from './environment-tab.js';

/** The environments list, each environment's tabs, the forms on them and the pages they lead to. */
export function registerEnvironmentRoutes(app: Hono<ConsoleEnv>, deps: Deps): void {
  app.get('/console/environments', (c) => environmentsList(c, deps));
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

async function environmentsList(c: ConsoleContext, deps: Deps) {
  const ctx = await pageContext(c, deps);
  const scope = scopeOf(ctx.scopes, requestedTeam(c));
  // Every environment of the owner: at most the cap, small items, one Query.
  const { items: environments } = await listEnvironments(deps, principalOf(c), scope.teamId ?? undefined, {
    offset: 0,
    limit: deps.config.maxEnvironmentsPerOwner,
  });
  return page(c, <EnvironmentsPage ctx={ctx} scope={scope} environments={environments} />);
}
