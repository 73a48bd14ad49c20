import type { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Deps } from '../../../shared/deps.js';
import { CreateGlobalSecretBody, UpdateSecretBody } from '../../../shared/schemas.js';
import {
  createGlobalSecret,
  getGlobalSecret,
  listGlobalSecretVersions,
  listGlobalSecretsWithLinks,
  updateGlobalSecret,
} from '../../../shared/services/global-secrets.js';
import { listDeletedGlobalSecrets, removeGlobalSecret } from '../../../shared/services/global-secret-recovery.js';
import { linkCandidates } from '../../../shared/services/link-candidates.js';
import { withTeam } from '../components/layout.js';
import { environmentChoices } from '../components/link-picker.js';
import { canWrite } from '../components/scope-switcher.js';
import { restorableFor } from '../components/recently-deleted.js';
import { flash } from '../cookies.js';
import { pageContext, principalOf, requestedTeam, scopeOf, type ConsoleContext, type ConsoleEnv } from '../context.js';
import { emptyForm, fromApiError, fromZod, type FormState } from '../forms.js';
import { GlobalSecretPage } from '../pages/global-secret.js';
import { KeysAndSecretsPage } from '../pages/keys-and-secrets.js';
import { page } from '../render.js';
import {
  changedFields,
  expiryField,
  NAME_CONFLICTS,
  newEntryFields,
  shownAgain,
  unconfirmedDeletion,
  type FailedEdit,
} from './entry-forms.js';

/**
 * Dashboard → Keys & Secrets, and each global secret's page (their Roll back and Restore:
 * global-secret-history.ts).
 */
export function registerKeysAndSecretsRoutes(app: Hono<ConsoleEnv>, deps: Deps): void {
  app.get('/console', (c) => dashboard(c, deps));
  app.post('/console/secrets', (c) => addSecret(c, deps));
  app.get('/console/secrets/:id', (c) => secretPage(c, deps));
  app.post('/console/secrets/:id', (c) => updateSecret(c, deps));
  app.post('/console/secrets/:id/delete', (c) => deleteSecret(c, deps));
}

/**
 * The global secrets of the requested scope and its recently deleted ones; after a failed
 * Add Secret or Restore, with that form's errors.
 */
export async function dashboard(c: ConsoleContext, deps: Deps, failed?: FormState, status: ContentfulStatusCode = 200) {
  const ctx = await pageContext(c, deps);
  const scope = scopeOf(ctx.scopes, requestedTeam(c));
  const teamId = scope.teamId ?? undefined;
  const [listed, deleted] = await Promise.all([
    listGlobalSecretsWithLinks(deps, principalOf(c), teamId),
    listDeletedGlobalSecrets(deps, principalOf(c), teamId),
  ]);
  return page(
    c,
    <KeysAndSecretsPage ctx={ctx} scope={scope} secrets={listed} deleted={deleted} failed={failed} />,
    status,
  );
}

/** One global secret's page with its versions; after a failed edit, delete or roll back, with that form's errors. */
export async function secretPage(
  c: ConsoleContext,
  deps: Deps,
  failed: FailedEdit = {},
  status: ContentfulStatusCode = 200,
) {
  const ctx = await pageContext(c, deps);
  const scope = scopeOf(ctx.scopes, requestedTeam(c));
  const teamId = scope.teamId ?? undefined;
  const [secret, versions] = await Promise.all([
    getGlobalSecret(deps, principalOf(c), c.req.param('id')!, teamId),
    listGlobalSecretVersions(deps, principalOf(c), c.req.param('id')!, teamId),
  ]);
  const linkChoices = canWrite(scope)
    ? environmentChoices(await linkCandidates(deps, principalOf(c), secret))
    : undefined;
  const forms = {
    edit:
      failed.edit ??
      emptyForm('edit', {
        name: secret.name,
        description: secret.description ?? '',
        expiresAt: expiryField(secret.expiresAt),
      }),
    remove: failed.remove ?? emptyForm('delete'),
    rollback: failed.rollback,
    link: failed.link,
    linkChoices,
  };
  return page(c, <GlobalSecretPage ctx={ctx} scope={scope} secret={secret} versions={versions} {...forms} />, status);
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
  flash(c, `Secret ${deleted.name} deleted. ${restorableFor(deps.config.recoveryDays)}`);
  return c.redirect(withTeam('/console', teamId), 303);
}
