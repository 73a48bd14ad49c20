import type { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Deps } from '../../../shared/deps.js';
import { CreateEnvironmentBody } from '../../../shared/schemas.js';
import {
  createEnvironment,
  deleteEnvironment,
  getEnvironment,
  listEnvironments,
} from '../../../shared/services/environments.js';
import { CREATE_ENVIRONMENT_FORM, DELETE_ENVIRONMENT_FORM } from '../components/environment-forms.js';
import { environmentLabel, environmentPath } from '../components/environment-link.js';
import { withTeam } from '../components/layout.js';
import { flash } from '../cookies.js';
import { pageContext, principalOf, requestedTeam, scopeOf, type ConsoleContext, type ConsoleEnv } from '../context.js';
import { emptyForm, fromApiError, fromZod, type FormState } from '../forms.js';
import { EnvironmentsPage } from '../pages/environments.js';
import { page } from '../render.js';
import { environmentTab } from './environment-tab.js';

/** The environments list, New Environment on it, and Delete Environment on an environment's tab. */
export function registerEnvironmentLifecycleRoutes(app: Hono<ConsoleEnv>, deps: Deps): void {
  app.get('/console/environments', (c) => environmentsList(c, deps));
  app.post('/console/environments', (c) => create(c, deps));
  app.post('/console/environments/:envId/delete', (c) => remove(c, deps));
}

/** The environments of the requested scope; after a refused New Environment, with its errors. */
async function environmentsList(c: ConsoleContext, deps: Deps, failed?: FormState, status: ContentfulStatusCode = 200) {
  const ctx = await pageContext(c, deps);
  const scope = scopeOf(ctx.scopes, requestedTeam(c));
  // Every environment of the owner: at most the cap, small items, one Query.
  const { items: environments } = await listEnvironments(deps, principalOf(c), scope.teamId ?? undefined, {
    offset: 0,
    limit: deps.config.maxEnvironmentsPerOwner,
  });
  return page(c, <EnvironmentsPage ctx={ctx} scope={scope} environments={environments} failed={failed} />, status);
}

async function create(c: ConsoleContext, deps: Deps) {
  const name = c.get('fields').name ?? '';
  const shown = { name };
  const parsed = CreateEnvironmentBody.safeParse({ name, teamId: requestedTeam(c) });
  if (!parsed.success) return environmentsList(c, deps, fromZod(CREATE_ENVIRONMENT_FORM, shown, parsed.error), 422);
  let created: { id: string; owner: string; name: string };
  try {
    created = await createEnvironment(deps, principalOf(c), parsed.data);
  } catch (err) {
    const { state, status } = fromApiError(CREATE_ENVIRONMENT_FORM, shown, err, { name_taken: 'name' });
    return environmentsList(c, deps, state, status);
  }
  flash(c, `Environment ${environmentLabel(created)} created.`);
  return c.redirect(environmentPath(created.id), 303);
}

/**
 * Deleting an environment takes every direct secret, link and variable in it, with no way back:
 * the form asks for its name typed out, not a tick.
 */
async function remove(c: ConsoleContext, deps: Deps) {
  const envId = c.req.param('envId')!;
  const typed = (c.get('fields').confirm ?? '').trim();
  const principal = principalOf(c);
  const env = await getEnvironment(deps, principal, envId);
  if (typed !== env.name) {
    const state = emptyForm(DELETE_ENVIRONMENT_FORM, { confirm: typed });
    state.fieldErrors.confirm = [`Type ${env.name} to confirm the deletion.`];
    return environmentTab(c, deps, 'secrets', state, 422);
  }
  let deleted: { owner: string; name: string; teamId: string | null };
  try {
    deleted = await deleteEnvironment(deps, principal, envId);
  } catch (err) {
    const { state, status } = fromApiError(DELETE_ENVIRONMENT_FORM, {}, err);
    return environmentTab(c, deps, 'secrets', state, status);
  }
  flash(c, `Environment ${environmentLabel(deleted)} deleted, with its secrets, links and variables.`);
  return c.redirect(withTeam('/console/environments', deleted.teamId), 303);
}
