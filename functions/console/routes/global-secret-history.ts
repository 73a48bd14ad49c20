import type { Hono } from 'hono';
import type * as Api from '../../../shared/api-objects.js';
import type { Deps } from '../../../shared/deps.js';
import { listDeletedGlobalSecrets, restoreGlobalSecret } from '../../../shared/services/global-secret-recovery.js';
import { rollbackGlobalSecret } from '../../../shared/services/global-secrets.js';
import { withTeam } from '../components/layout.js';
import { rollbackForm } from '../components/versions.js';
import { flash } from '../cookies.js';
import { principalOf, requestedTeam, type ConsoleContext, type ConsoleEnv } from '../context.js';
import { fromApiError } from '../forms.js';
import { NAME_CONFLICTS } from './entry-forms.js';
import { chosenVersion, restoreRequest, rolledBack } from './history-forms.js';
import { dashboard, secretPage } from './keys-and-secrets.js';
import { restoredNotice } from './restored-notice.js';

/** Roll back, on a global secret's page, and Restore, under Keys & Secrets → Recently deleted. */
export function registerGlobalSecretHistoryRoutes(app: Hono<ConsoleEnv>, deps: Deps): void {
  app.post('/console/secrets/:id/rollback', (c) => rollback(c, deps));
  app.post('/console/secrets/:id/restore', (c) => restore(c, deps));
}

async function rollback(c: ConsoleContext, deps: Deps) {
  const chosen = chosenVersion(c.get('fields'));
  if ('failed' in chosen) return secretPage(c, deps, { rollback: chosen.failed }, 422);
  const teamId = requestedTeam(c);
  let secret: { id: string; name: string; version: number };
  try {
    secret = await rollbackGlobalSecret(deps, principalOf(c), c.req.param('id')!, teamId, chosen.version);
  } catch (err) {
    const { state, status } = fromApiError(rollbackForm(chosen.version), {}, err);
    return secretPage(c, deps, { rollback: state }, status);
  }
  flash(c, rolledBack('Secret', secret.name, chosen.version, secret.version));
  return c.redirect(withTeam(`/console/secrets/${secret.id}`, teamId), 303);
}

/** A restore onto a name used again since is refused beside the form's name field. */
async function restore(c: ConsoleContext, deps: Deps) {
  const id = c.req.param('id')!;
  const request = restoreRequest(id, c.get('fields'));
  if (request.failed) return dashboard(c, deps, request.failed, 422);
  const teamId = requestedTeam(c);
  const principal = principalOf(c);
  let deleted: Api.DeletedGlobalSecret | undefined;
  let restored: Api.RestoredGlobalSecret;
  try {
    // Read first: where it was linked, to name those environments in the notice.
    deleted = (await listDeletedGlobalSecrets(deps, principal, teamId)).find((d) => d.id === id);
    restored = await restoreGlobalSecret(deps, principal, id, teamId, request.name);
  } catch (err) {
    const { state, status } = fromApiError(request.form, request.shown, err, NAME_CONFLICTS);
    return dashboard(c, deps, state, status);
  }
  flash(c, await restoredNotice(deps, principal, deleted, restored));
  return c.redirect(withTeam('/console', teamId), 303);
}
