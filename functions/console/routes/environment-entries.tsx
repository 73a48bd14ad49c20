import type { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { UserPrincipal } from '../../../shared/auth/authorization.js';
import type { Deps } from '../../../shared/deps.js';
import { notFound } from '../../../shared/errors.js';
import {
  CreateEnvironmentSecretBody,
  CreateVariableBody,
  UpdateSecretBody,
  UpdateVariableBody,
} from '../../../shared/schemas.js';
import { directSecrets, variables } from '../../../shared/services/entry-operations.js';
import { listEnvironmentSecrets, listVariables } from '../../../shared/services/environment-entries.js';
import { getEnvironment } from '../../../shared/services/environments.js';
import { restorableFor } from '../components/recently-deleted.js';
import { flash } from '../cookies.js';
import { pageContext, principalOf, scopeOf, type ConsoleContext, type ConsoleEnv } from '../context.js';
import { emptyForm, fromApiError, fromZod } from '../forms.js';
import { EntryPage, type EntryKind } from '../pages/entry.js';
import { page } from '../render.js';
import { backToTab, environmentTab } from './environment-tab.js';
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
 * What a direct secret and a variable differ in, for the routes that add, edit and delete
 * them, and that roll them back and restore them (entry-history.ts).
 */
export const KINDS = {
  secret: {
    noun: 'Secret',
    /** Where they are listed (the environment's tab of that name) and their own paths are. */
    path: 'secrets',
    addForm: 'add-secret',
    /** A secret's value is never shown again; a variable's is plain text. */
    showsValue: false,
    createBody: CreateEnvironmentSecretBody,
    updateBody: UpdateSecretBody,
    operations: directSecrets,
    /** Only a direct secret: a linked one is edited as the global secret it is. */
    find: async (deps: Deps, principal: UserPrincipal, envId: string, id: string | undefined) =>
      (await listEnvironmentSecrets(deps, principal, envId)).find((s) => s.id === id && s.source === 'environment'),
  },
  variable: {
    noun: 'Variable',
    path: 'variables',
    addForm: 'add-variable',
    showsValue: true,
    createBody: CreateVariableBody,
    updateBody: UpdateVariableBody,
    operations: variables,
    find: async (deps: Deps, principal: UserPrincipal, envId: string, id: string | undefined) =>
      (await listVariables(deps, principal, envId)).find((v) => v.id === id),
  },
} as const;

/** Add, the edit page, edit and delete of an environment's direct secrets, or of its variables. */
export function registerEntryRoutes(app: Hono<ConsoleEnv>, deps: Deps, kind: EntryKind): void {
  const path = `/console/environments/:envId/${KINDS[kind].path}`;
  app.post(path, (c) => addEntry(c, deps, kind));
  app.get(`${path}/:id`, (c) => entryPage(c, deps, kind));
  app.post(`${path}/:id`, (c) => updateEntry(c, deps, kind));
  app.post(`${path}/:id/delete`, (c) => deleteEntry(c, deps, kind));
}

/** The entry the path names, of this kind; any other is not found. */
async function entryOf(c: ConsoleContext, deps: Deps, kind: EntryKind) {
  const entry = await KINDS[kind].find(deps, principalOf(c), c.req.param('envId')!, c.req.param('id'));
  if (!entry) throw notFound(KINDS[kind].noun);
  return entry;
}

async function addEntry(c: ConsoleContext, deps: Deps, kind: EntryKind) {
  const { addForm, createBody, operations, noun, showsValue } = KINDS[kind];
  const fields = c.get('fields');
  const shown = shownAgain(fields, { value: showsValue });
  const parsed = createBody.safeParse(newEntryFields(fields));
  if (!parsed.success) return environmentTab(c, deps, KINDS[kind].path, fromZod(addForm, shown, parsed.error), 422);
  try {
    await operations.create(deps, principalOf(c), c.req.param('envId')!, parsed.data);
  } catch (err) {
    const { state, status } = fromApiError(addForm, shown, err, NAME_CONFLICTS);
    return environmentTab(c, deps, KINDS[kind].path, state, status);
  }
  flash(c, `${noun} ${parsed.data.name} added.`);
  return backToTab(c, KINDS[kind].path);
}

/**
 * The edit page of a direct secret or a variable, with its versions; after a failed submit,
 * with that form's errors.
 */
export async function entryPage(
  c: ConsoleContext,
  deps: Deps,
  kind: EntryKind,
  failed: FailedEdit = {},
  status: ContentfulStatusCode = 200,
) {
  const env = await getEnvironment(deps, principalOf(c), c.req.param('envId')!);
  const entry = await entryOf(c, deps, kind);
  const versions = await KINDS[kind].operations.versions(deps, principalOf(c), env.id, entry.id);
  const ctx = await pageContext(c, deps);
  const scope = scopeOf(ctx.scopes, env.teamId);
  const edit =
    failed.edit ??
    emptyForm('edit', {
      name: entry.name,
      description: entry.description ?? '',
      ...('value' in entry ? { value: entry.value } : { expiresAt: expiryField(entry.expiresAt) }),
    });
  const forms = { edit, remove: failed.remove ?? emptyForm('delete'), rollback: failed.rollback };
  return page(
    c,
    <EntryPage ctx={ctx} scope={scope} env={env} kind={kind} entry={entry} versions={versions} {...forms} />,
    status,
  );
}

async function updateEntry(c: ConsoleContext, deps: Deps, kind: EntryKind) {
  const { updateBody, operations, noun, showsValue } = KINDS[kind];
  const current = await entryOf(c, deps, kind);
  const fields = c.get('fields');
  const shown = shownAgain(fields, { value: showsValue });
  const parsed = updateBody.safeParse(changedFields(current, fields));
  if (!parsed.success) return entryPage(c, deps, kind, { edit: fromZod('edit', shown, parsed.error) }, 422);
  try {
    await operations.update(deps, principalOf(c), c.req.param('envId')!, current.id, parsed.data);
  } catch (err) {
    const { state, status } = fromApiError('edit', shown, err, NAME_CONFLICTS);
    return entryPage(c, deps, kind, { edit: state }, status);
  }
  flash(c, `${noun} ${parsed.data.name ?? current.name} updated.`);
  return backToTab(c, KINDS[kind].path);
}

async function deleteEntry(c: ConsoleContext, deps: Deps, kind: EntryKind) {
  const unconfirmed = unconfirmedDeletion(c.get('fields'));
  if (unconfirmed) return entryPage(c, deps, kind, { remove: unconfirmed }, 422);
  let deleted: { name: string };
  try {
    deleted = await KINDS[kind].operations.remove(deps, principalOf(c), c.req.param('envId')!, c.req.param('id')!);
  } catch (err) {
    const { state, status } = fromApiError('delete', {}, err);
    return entryPage(c, deps, kind, { remove: state }, status);
  }
  flash(c, `${KINDS[kind].noun} ${deleted.name} deleted. ${restorableFor(deps.config.recoveryDays)}`);
  return backToTab(c, KINDS[kind].path);
}
