import type { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Deps } from '../../../shared/deps.js';
import { CreateGlobalSecretBody, UpdateSecretBody } from '../../../shared/schemas.js';
import {
  createGlobalSecret,
  getGlobalSecret,
  listGlobalSecretsWithLinks,
  updateGlobalSecret,
} from '../../../shared/services/global-secrets.js';
import { removeGlobalSecret } from '../../../shared/services/global-secret-recovery.js';
import { withTeam } from '../components/layout.js';
import { flash } from '../cookies.js';
import { pageContext, principalOf, requestedTeam, scopeOf, type ConsoleContext, type ConsoleEnv } from '../context.js';
import { emptyForm, fromApiError, fromZod } from '../forms.js';
import { GlobalSecretPage } from '../pages/global-secret.js';
import { KeysAndSecretsPage } from '../pages/keys-and-secrets.js';
import { page } from '../render.js';
import {
  changedFields,
  NAME_CONFLICTS,
  newEntryFields,
  shownAgain,
  unconfirmedDeletion,
  type FailedEdit,
} from './entry-forms.js';

/** Dashboard → Keys & Secrets, and each global secret's page. */
export function registerKeysAndSecretsRoutes(app: Hono<ConsoleEnv>, deps: Deps): void {
  app.get('/console', (c) => dashboard(c, deps));
  app.post('/console/secrets', (c) => addSecret(c, deps));
  app.get('/console/secrets/:id', (c) => secretPage(c, deps));
  app.post('/console/secrets/:id', (c) => updateSecret(c, deps));
  app.post('/console/secrets/:id/delete', (c) => deleteSecret(c, deps));
}

/** The global secrets of the requested scope; after a failed Add Secret, with its errors. */
async function dashboard(
  c: ConsoleContext,
  deps: Deps,
  add = emptyForm('add-secret'),
  status: ContentfulStatusCode = 200,
) {
  const ctx = await pageContext(c, deps);
  const scope = scopeOf(ctx.scopes, requestedTeam(c));
  const listed = await listGlobalSecretsWithLinks(deps, principalOf(c), scope.teamId ?? undefined);
  return page(c, <KeysAndSecretsPage ctx={ctx} scope={scope} secrets={listed} add={add} />, status);
}

/** One global secret's page; after a failed edit or delete, with that form's errors. */
async function secretPage(c: ConsoleContext, deps: Deps, failed: FailedEdit = {}, status: ContentfulStatusCode = 200) {
  const ctx = await pageContext(c, deps);
  const scope = scopeOf(ctx.scopes, requestedTeam(c));
  const secret = await getGlobalSecret(deps, principalOf(c), c.req.param('id')!, scope.teamId ?? undefined);
  const edit = failed.edit ?? emptyForm('edit', { name: secret.name, description: secret.description ?? '' });
  const remove = failed.remove ?? emptyForm('delete');
  return page(c, <GlobalSecretPage ctx={ctx} scope={scope} secret={secret} edit={edit} remove={remove} />, status);
}

async function addSecret(c: ConsoleContext, deps: Deps) {
  const fields = c.get('fields');
  const shown = shownAgain(fields);
  const parsed = CreateGlobalSecretBody.safeParse({ ...newEntryFields(fields), teamId: requestedTeam(c) });
  if (!parsed.success) return dashboard(c, deps, fromZod('add-secret', shown, parsed.error), 422);
  try {
    await createGlobalSecret(deps, principalOf(c), parsed.data);
  } catch (err) {
    const { state, status } = fromApiError('add-secret', shown, err, NAME_CONFLICTS);
    return dashboard(c, deps, state, status);
  }
  flash(c, `Secret ${parsed.data.name} added.`);
  return c.redirect(withTeam('/console', requestedTeam(c)), 303);
}

async function updateSecret(c: ConsoleContext, deps: Deps) {
  const fields = c.get('fields');
  const teamId = requestedTeam(c);
  const current = await getGlobalSecret(deps, principalOf(c), c.req.param('id')!, teamId);
  const shown = shownAgain(fields);
  const parsed = UpdateSecretBody.safeParse(changedFields(current, fields));
  if (!parsed.success) return secretPage(c, deps, { edit: fromZod('edit', shown, parsed.error) }, 422);
  try {
    await updateGlobalSecret(deps, principalOf(c), current.id, teamId, parsed.data);
  } catch (err) {
    const { state, status } = fromApiError('edit', shown, err, NAME_CONFLICTS);
    return secretPage(c, deps, { edit: state }, status);
  }
  flash(c, `Secret ${parsed.data.name ?? current.name} updated.`);
  return c.redirect(withTeam(`/console/secrets/${current.id}`, teamId), 303);
}

async function deleteSecret(c: ConsoleContext, deps: Deps) {
  const unconfirmed = unconfirmedDeletion(c.get('fields'));
  if (unconfirmed) return secretPage(c, deps, { remove: unconfirmed }, 422);
  const teamId = requestedTeam(c);
  let deleted: { name: string };
  try {
    deleted = await removeGlobalSecret(deps, principalOf(c), c.req.param('id')!, teamId, false);
  } catch (err) {
    const { state, status } = fromApiError('delete', {}, err);
    return secretPage(c, deps, { remove: state }, status);
  }
  flash(c, `Secret ${deleted.name} deleted.`);
  return c.redirect(withTeam('/console', teamId), 303);
}
