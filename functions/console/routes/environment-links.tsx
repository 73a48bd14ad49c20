import type { Hono } from 'hono';
import type { Deps } from '../../../shared/deps.js';
import { linkGlobalSecret, unlinkGlobalSecret } from '../../../shared/services/links.js';
import { flash } from '../cookies.js';
import { principalOf, type ConsoleContext, type ConsoleEnv } from '../context.js';
import { emptyForm, fromApiError } from '../forms.js';
import { backToTab, environmentTab } from './environment-tab.js';

/** Every refusal of a link is about the secret picked, so it is shown beside the picker. */
const LINK_CONFLICTS = {
  name_taken: 'secretId',
  scope_mismatch: 'secretId',
  already_linked: 'secretId',
  not_found: 'secretId',
} as const;

/** Link Global Secret and Unlink, on an environment's Secrets tab. */
export function registerLinkRoutes(app: Hono<ConsoleEnv>, deps: Deps): void {
  app.post('/console/environments/:envId/links', (c) => link(c, deps));
  app.post('/console/environments/:envId/links/:secretId/delete', (c) => unlink(c, deps));
}

async function link(c: ConsoleContext, deps: Deps) {
  const secretId = c.get('fields').secretId ?? '';
  if (secretId === '') {
    const state = emptyForm('link');
    state.fieldErrors.secretId = ['Choose a global secret to link.'];
    return environmentTab(c, deps, 'secrets', state, 422);
  }
  let linked: { secretName: string };
  try {
    linked = await linkGlobalSecret(deps, principalOf(c), c.req.param('envId')!, secretId);
  } catch (err) {
    const { state, status } = fromApiError('link', { secretId }, err, LINK_CONFLICTS);
    return environmentTab(c, deps, 'secrets', state, status);
  }
  flash(c, `Global secret ${linked.secretName} linked.`);
  return backToTab(c, 'secrets');
}

/** A refused unlink is shown beside the Unlink button of its row (the form `unlink-<id>`). */
async function unlink(c: ConsoleContext, deps: Deps) {
  const secretId = c.req.param('secretId')!;
  let unlinked: { secretName: string };
  try {
    unlinked = await unlinkGlobalSecret(deps, principalOf(c), c.req.param('envId')!, secretId);
  } catch (err) {
    const { state, status } = fromApiError(`unlink-${secretId}`, {}, err);
    return environmentTab(c, deps, 'secrets', state, status);
  }
  flash(c, `Global secret ${unlinked.secretName} unlinked.`);
  return backToTab(c, 'secrets');
}
