import type { Hono } from 'hono';
import type { Deps } from '../../../shared/deps.js';
import { listEnvironments } from '../../../shared/services/environments.js';
import { pageContext, principalOf, requestedTeam, scopeOf, type ConsoleContext, type ConsoleEnv } from '../context.js';
import { EnvironmentsPage } from '../pages/environments.js';
import { page } from '../render.js';
import { registerEntryHistoryRoutes } from './entry-history.js';
import { registerEntryRoutes } from './environment-entries.js';
import { registerLinkRoutes } from './environment-links.js';
import { registerRequirementRoutes } from './environment-requirements.js';
import { environmentTab } from './environment-tab.js';

/** The environments list, each environment's Secrets tab (with its requirements), the forms on it and the pages it leads to. */
export function registerEnvironmentRoutes(app: Hono<ConsoleEnv>, deps: Deps): void {
  app.get('/console/environments', (c) => environmentsList(c, deps));
  app.get('/console/environments/:envId', (c) => environmentTab(c, deps));
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
