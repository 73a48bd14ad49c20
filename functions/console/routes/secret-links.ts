import type { Hono } from 'hono';
import type { Deps } from '../../../shared/deps.js';
import { getEnvironment } from '../../../shared/services/environments.js';
import { linkGlobalSecret, unlinkGlobalSecret } from '../../../shared/services/links.js';
import { environmentLabel } from '../components/environment-link.js';
import { withTeam } from '../components/layout.js';
import { LINK_ENVIRONMENT_FORM, unlinkEnvironmentForm } from '../components/secret-environments.js';
import { flash } from '../cookies.js';
import { principalOf, requestedTeam, type ConsoleContext, type ConsoleEnv } from '../context.js';
import { emptyForm, fromApiError } from '../forms.js';
import { secretPage } from './keys-and-secrets.js';

/** Every refusal of a link is about the environment picked, so it is shown beside the picker. */
const LINK_CONFLICTS = {
  name_taken: 'envId',
  scope_mismatch: 'envId',
  already_linked: 'envId',
  not_found: 'envId',
} as const;

/**
 * Link to Environment and Unlink on a global secret's own page: the same service functions as
 * an environment's Link Global Secret and Unlink (environment-links.ts), from the secret's side.
 */
export function registerSecretLinkRoutes(app: Hono<ConsoleEnv>, deps: Deps): void {
  app.post('/console/secrets/:id/links', (c) => link(c, deps));
  app.post('/console/secrets/:id/links/:envId/delete', (c) => unlink(c, deps));
}

const backToSecret = (c: ConsoleContext) =>
  c.redirect(withTeam(`/console/secrets/${c.req.param('id')!}`, requestedTeam(c)), 303);

async function link(c: ConsoleContext, deps: Deps) {
  const envId = c.get('fields').envId ?? '';
  if (envId === '') {
    const state = emptyForm(LINK_ENVIRONMENT_FORM);
    state.fieldErrors.envId = ['Choose an environment to link to.'];
    return secretPage(c, deps, { link: state }, 422);
  }
  let done: string;
  try {
    const env = await getEnvironment(deps, principalOf(c), envId);
    const linked = await linkGlobalSecret(deps, principalOf(c), env.id, c.req.param('id')!);
    done = `Global secret ${linked.secretName} linked to ${environmentLabel(env)}.`;
  } catch (err) {
    const { state, status } = fromApiError(LINK_ENVIRONMENT_FORM, { envId }, err, LINK_CONFLICTS);
    return secretPage(c, deps, { link: state }, status);
  }
  flash(c, done);
  return backToSecret(c);
}

async function unlink(c: ConsoleContext, deps: Deps) {
  const envId = c.req.param('envId')!;
  let done: string;
  try {
    const env = await getEnvironment(deps, principalOf(c), envId);
    const unlinked = await unlinkGlobalSecret(deps, principalOf(c), env.id, c.req.param('id')!);
    done = `Global secret ${unlinked.secretName} unlinked from ${environmentLabel(env)}.`;
  } catch (err) {
    const { state, status } = fromApiError(unlinkEnvironmentForm(envId), {}, err);
    return secretPage(c, deps, { link: state }, status);
  }
  flash(c, done);
  return backToSecret(c);
}
