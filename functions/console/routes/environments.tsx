import type { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Deps } from '../../../shared/deps.js';
import { notFound } from '../../../shared/errors.js';
import { winningSources, type Source } from '../../../shared/resolver.js';
import {
  CreateEnvironmentSecretBody,
  CreateVariableBody,
  UpdateSecretBody,
  UpdateVariableBody,
} from '../../../shared/schemas.js';
import {
  createEnvironmentSecret,
  createVariable,
  deleteEnvironmentSecret,
  deleteVariable,
  listEnvironmentSecrets,
  listVariables,
  updateEnvironmentSecret,
  updateVariable,
} from '../../../shared/services/environment-entries.js';
import { linkGlobalSecret, unlinkGlobalSecret } from '../../../shared/services/links.js';
import { getEnvironment, listEnvironments } from '../../../shared/services/environments.js';
import { listGlobalSecrets } from '../../../shared/services/global-secrets.js';
import { flash } from '../cookies.js';
import { pageContext, requestedTeam, scopeOf, type ConsoleContext, type ConsoleEnv } from '../context.js';
import { emptyForm, fromApiError, fromZod, optional, type FormState } from '../forms.js';
import { EntryPage, type EntryKind } from '../pages/entry.js';
import { EnvironmentPage, type EnvironmentView, type SeenEntry } from '../pages/environment.js';
import { EnvironmentsPage } from '../pages/environments.js';
import { page } from '../render.js';
import { changedFields } from './shared.js';

/** Which field of a form a conflict is about: the name typed, or the secret picked. */
const NAME_CONFLICTS = { name_taken: 'name' } as const;
const LINK_CONFLICTS = {
  name_taken: 'secretId',
  scope_mismatch: 'secretId',
  already_linked: 'secretId',
  not_found: 'secretId',
} as const;

/** "What the job will see": the precedence rule of shared/resolver.ts on names and sources only. */
export function jobView(
  secrets: { name: string; source: Source; isFile: boolean }[],
  variables: { name: string; value: string }[],
): SeenEntry[] {
  const candidates = [
    ...secrets.map((s) => ({ name: s.name, source: s.source, isFile: s.isFile })),
    ...variables.map((v) => ({ name: v.name, source: 'variable' as const, isFile: false })),
  ];
  return Object.entries(winningSources(candidates)).map(([name, source]) => ({
    name,
    source,
    value: source === 'variable' ? variables.find((v) => v.name === name)?.value : undefined,
    overrides: candidates.filter((c) => c.name === name && c.source !== source).map((c) => c.source),
  }));
}

/** The environments list, each environment's Secrets tab, and the forms on it. */
export function registerEnvironmentRoutes(app: Hono<ConsoleEnv>, deps: Deps): void {
  const principalOf = (c: ConsoleContext) => c.get('session').principal;

  app.get('/console/environments', async (c) => {
    const ctx = await pageContext(c, deps);
    const scope = scopeOf(ctx.scopes, requestedTeam(c));
    const environments = await listEnvironments(deps, principalOf(c), scope.teamId ?? undefined);
    return page(c, <EnvironmentsPage ctx={ctx} scope={scope} environments={environments} />);
  });

  async function environmentPage(c: ConsoleContext, failed?: FormState, status: ContentfulStatusCode = 200) {
    const principal = principalOf(c);
    const env = await getEnvironment(deps, principal, c.req.param('envId')!);
    const ctx = await pageContext(c, deps);
    const scope = scopeOf(ctx.scopes, env.teamId);
    const [secrets, variables, globals] = await Promise.all([
      listEnvironmentSecrets(deps, principal, env.id),
      listVariables(deps, principal, env.id),
      listGlobalSecrets(deps, principal, env.teamId ?? undefined),
    ]);
    const linked = new Set(secrets.filter((s) => s.source === 'global-linked').map((s) => s.id));
    const view: EnvironmentView = {
      env,
      secrets,
      variables,
      linkable: globals.filter((g) => !linked.has(g.id)),
      seen: jobView(secrets, variables),
    };
    return page(c, <EnvironmentPage ctx={ctx} scope={scope} view={view} failed={failed} />, status);
  }

  async function entryPage(
    c: ConsoleContext,
    kind: EntryKind,
    failed: { edit?: FormState; remove?: FormState } = {},
    status: ContentfulStatusCode = 200,
  ) {
    const principal = principalOf(c);
    const env = await getEnvironment(deps, principal, c.req.param('envId')!);
    const id = c.req.param('id');
    const entry =
      kind === 'secret'
        ? (await listEnvironmentSecrets(deps, principal, env.id)).find((s) => s.id === id && s.source === 'environment')
        : (await listVariables(deps, principal, env.id)).find((v) => v.id === id);
    if (!entry) throw notFound(kind === 'secret' ? 'Secret' : 'Variable');
    const ctx = await pageContext(c, deps);
    const scope = scopeOf(ctx.scopes, env.teamId);
    const edit =
      failed.edit ??
      emptyForm('edit', {
        name: entry.name,
        description: entry.description ?? '',
        ...('value' in entry ? { value: entry.value } : {}),
      });
    return page(
      c,
      <EntryPage
        ctx={ctx}
        scope={scope}
        env={env}
        kind={kind}
        entry={entry}
        edit={edit}
        remove={failed.remove ?? emptyForm('delete')}
      />,
      status,
    );
  }

  const backTo = (c: ConsoleContext, anchor: string) =>
    c.redirect(`/console/environments/${c.req.param('envId')}${anchor}`, 303);

  app.get('/console/environments/:envId', (c) => environmentPage(c));

  // ---- direct secrets ----

  app.post('/console/environments/:envId/secrets', async (c) => {
    const fields = c.get('fields');
    const shown = { name: fields.name ?? '', description: fields.description ?? '' };
    const parsed = CreateEnvironmentSecretBody.safeParse({
      name: fields.name ?? '',
      value: fields.value ?? '',
      description: optional(fields.description),
    });
    if (!parsed.success) return environmentPage(c, fromZod('add-secret', shown, parsed.error), 422);
    try {
      await createEnvironmentSecret(deps, principalOf(c), c.req.param('envId'), parsed.data);
    } catch (err) {
      const { state, status } = fromApiError('add-secret', shown, err, NAME_CONFLICTS);
      return environmentPage(c, state, status);
    }
    flash(c, `Secret ${parsed.data.name} added.`);
    return backTo(c, '#secrets');
  });

  app.get('/console/environments/:envId/secrets/:id', (c) => entryPage(c, 'secret'));

  app.post('/console/environments/:envId/secrets/:id', (c) => updateEntry(c, 'secret'));

  app.post('/console/environments/:envId/secrets/:id/delete', (c) => deleteEntry(c, 'secret'));

  // ---- links ----

  app.post('/console/environments/:envId/links', async (c) => {
    const secretId = c.get('fields').secretId ?? '';
    if (secretId === '') {
      const state = emptyForm('link');
      state.fieldErrors.secretId = ['Choose a global secret to link.'];
      return environmentPage(c, state, 422);
    }
    let link;
    try {
      link = await linkGlobalSecret(deps, principalOf(c), c.req.param('envId'), secretId);
    } catch (err) {
      const { state, status } = fromApiError('link', { secretId }, err, LINK_CONFLICTS);
      return environmentPage(c, state, status);
    }
    flash(c, `Global secret ${link.secretName} linked.`);
    return backTo(c, '#secrets');
  });

  app.post('/console/environments/:envId/links/:secretId/delete', async (c) => {
    const secretId = c.req.param('secretId');
    let link;
    try {
      link = await unlinkGlobalSecret(deps, principalOf(c), c.req.param('envId'), secretId);
    } catch (err) {
      const { state, status } = fromApiError(`unlink-${secretId}`, {}, err);
      return environmentPage(c, state, status);
    }
    flash(c, `Global secret ${link.secretName} unlinked.`);
    return backTo(c, '#secrets');
  });

  // ---- variables ----

  app.post('/console/environments/:envId/variables', async (c) => {
    const fields = c.get('fields');
    // A variable is plain text: its value is shown again.
    const shown = { name: fields.name ?? '', value: fields.value ?? '', description: fields.description ?? '' };
    const parsed = CreateVariableBody.safeParse({
      name: fields.name ?? '',
      value: fields.value ?? '',
      description: optional(fields.description),
    });
    if (!parsed.success) return environmentPage(c, fromZod('add-variable', shown, parsed.error), 422);
    try {
      await createVariable(deps, principalOf(c), c.req.param('envId'), parsed.data);
    } catch (err) {
      const { state, status } = fromApiError('add-variable', shown, err, NAME_CONFLICTS);
      return environmentPage(c, state, status);
    }
    flash(c, `Variable ${parsed.data.name} added.`);
    return backTo(c, '#variables');
  });

  app.get('/console/environments/:envId/variables/:id', (c) => entryPage(c, 'variable'));

  app.post('/console/environments/:envId/variables/:id', (c) => updateEntry(c, 'variable'));

  app.post('/console/environments/:envId/variables/:id/delete', (c) => deleteEntry(c, 'variable'));

  // ---- edit and delete, for a direct secret or a variable ----

  async function updateEntry(c: ConsoleContext, kind: EntryKind) {
    const principal = principalOf(c);
    const envId = c.req.param('envId')!;
    const id = c.req.param('id')!;
    const fields = c.get('fields');
    const current =
      kind === 'secret'
        ? (await listEnvironmentSecrets(deps, principal, envId)).find((s) => s.id === id && s.source === 'environment')
        : (await listVariables(deps, principal, envId)).find((v) => v.id === id);
    if (!current) throw notFound(kind === 'secret' ? 'Secret' : 'Variable');
    const shown = {
      name: fields.name ?? '',
      description: fields.description ?? '',
      ...(kind === 'variable' ? { value: fields.value ?? '' } : {}),
    };
    const body = changedFields(current, fields);
    const parsed = (kind === 'secret' ? UpdateSecretBody : UpdateVariableBody).safeParse(body);
    if (!parsed.success) return entryPage(c, kind, { edit: fromZod('edit', shown, parsed.error) }, 422);
    try {
      if (kind === 'secret') await updateEnvironmentSecret(deps, principal, envId, id, parsed.data);
      else await updateVariable(deps, principal, envId, id, parsed.data);
    } catch (err) {
      const { state, status } = fromApiError('edit', shown, err, NAME_CONFLICTS);
      return entryPage(c, kind, { edit: state }, status);
    }
    flash(c, `${kind === 'secret' ? 'Secret' : 'Variable'} ${parsed.data.name ?? current.name} updated.`);
    return backTo(c, kind === 'secret' ? '#secrets' : '#variables');
  }

  async function deleteEntry(c: ConsoleContext, kind: EntryKind) {
    if (c.get('fields').confirm !== 'yes') {
      const remove = emptyForm('delete');
      remove.fieldErrors.confirm = ['Tick the box to confirm the deletion.'];
      return entryPage(c, kind, { remove }, 422);
    }
    const principal = principalOf(c);
    let deleted;
    try {
      deleted =
        kind === 'secret'
          ? await deleteEnvironmentSecret(deps, principal, c.req.param('envId')!, c.req.param('id')!)
          : await deleteVariable(deps, principal, c.req.param('envId')!, c.req.param('id')!);
    } catch (err) {
      const { state, status } = fromApiError('delete', {}, err);
      return entryPage(c, kind, { remove: state }, status);
    }
    flash(c, `${kind === 'secret' ? 'Secret' : 'Variable'} ${deleted.name} deleted.`);
    return backTo(c, kind === 'secret' ? '#secrets' : '#variables');
  }
}
