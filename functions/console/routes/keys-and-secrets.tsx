import type { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Deps } from '../../../shared/deps.js';
import { CreateGlobalSecretBody, UpdateSecretBody } from '../../../shared/schemas.js';
import {
  createGlobalSecret,
  deleteGlobalSecret,
  getGlobalSecret,
  listGlobalSecretsWithLinks,
  updateGlobalSecret,
} from '../../../shared/services/global-secrets.js';
import { withTeam } from '../components/layout.js';
import { flash } from '../cookies.js';
import { pageContext, requestedTeam, scopeOf, type ConsoleContext, type ConsoleEnv } from '../context.js';
import { emptyForm, fromApiError, fromZod, optional, type FormState } from '../forms.js';
import { GlobalSecretPage } from '../pages/global-secret.js';
import { KeysAndSecretsPage } from '../pages/keys-and-secrets.js';
import { page } from '../render.js';
import { changedFields } from './shared.js';

/** Dashboard → Keys & Secrets, and each global secret's page. */
export function registerKeysAndSecretsRoutes(app: Hono<ConsoleEnv>, deps: Deps): void {
  async function dashboard(c: ConsoleContext, add = emptyForm('add-secret'), status: ContentfulStatusCode = 200) {
    const ctx = await pageContext(c, deps);
    const scope = scopeOf(ctx.scopes, requestedTeam(c));
    const principal = c.get('session').principal;
    const listed = await listGlobalSecretsWithLinks(deps, principal, scope.teamId ?? undefined);
    return page(c, <KeysAndSecretsPage ctx={ctx} scope={scope} secrets={listed} add={add} />, status);
  }

  async function secretPage(
    c: ConsoleContext,
    failed: { edit?: FormState; remove?: FormState } = {},
    status: ContentfulStatusCode = 200,
  ) {
    const ctx = await pageContext(c, deps);
    const scope = scopeOf(ctx.scopes, requestedTeam(c));
    const secret = await getGlobalSecret(
      deps,
      c.get('session').principal,
      c.req.param('id')!,
      scope.teamId ?? undefined,
    );
    const edit = failed.edit ?? emptyForm('edit', { name: secret.name, description: secret.description ?? '' });
    return page(
      c,
      <GlobalSecretPage
        ctx={ctx}
        scope={scope}
        secret={secret}
        edit={edit}
        remove={failed.remove ?? emptyForm('delete')}
      />,
      status,
    );
  }

  app.get('/console', (c) => dashboard(c));

  app.post('/console/secrets', async (c) => {
    const fields = c.get('fields');
    // What the form shows again after a failure: never the value.
    const shown = { name: fields.name ?? '', description: fields.description ?? '' };
    const parsed = CreateGlobalSecretBody.safeParse({
      name: fields.name ?? '',
      value: fields.value ?? '',
      description: optional(fields.description),
      teamId: requestedTeam(c),
    });
    if (!parsed.success) return dashboard(c, fromZod('add-secret', shown, parsed.error), 422);
    try {
      await createGlobalSecret(deps, c.get('session').principal, parsed.data);
    } catch (err) {
      const { state, status } = fromApiError('add-secret', shown, err, { name_taken: 'name' });
      return dashboard(c, state, status);
    }
    flash(c, `Secret ${parsed.data.name} added.`);
    return c.redirect(withTeam('/console', requestedTeam(c)), 303);
  });

  app.get('/console/secrets/:id', (c) => secretPage(c));

  app.post('/console/secrets/:id', async (c) => {
    const fields = c.get('fields');
    const principal = c.get('session').principal;
    const teamId = requestedTeam(c);
    const current = await getGlobalSecret(deps, principal, c.req.param('id'), teamId);
    const shown = { name: fields.name ?? '', description: fields.description ?? '' };
    const parsed = UpdateSecretBody.safeParse(changedFields(current, fields));
    if (!parsed.success) return secretPage(c, { edit: fromZod('edit', shown, parsed.error) }, 422);
    try {
      await updateGlobalSecret(deps, principal, current.id, teamId, parsed.data);
    } catch (err) {
      const { state, status } = fromApiError('edit', shown, err, { name_taken: 'name' });
      return secretPage(c, { edit: state }, status);
    }
    flash(c, `Secret ${parsed.data.name ?? current.name} updated.`);
    return c.redirect(withTeam(`/console/secrets/${current.id}`, teamId), 303);
  });

  app.post('/console/secrets/:id/delete', async (c) => {
    const principal = c.get('session').principal;
    const teamId = requestedTeam(c);
    if (c.get('fields').confirm !== 'yes') {
      const remove = emptyForm('delete');
      remove.fieldErrors.confirm = ['Tick the box to confirm the deletion.'];
      return secretPage(c, { remove }, 422);
    }
    let deleted;
    try {
      deleted = await deleteGlobalSecret(deps, principal, c.req.param('id'), teamId);
    } catch (err) {
      const { state, status } = fromApiError('delete', {}, err);
      return secretPage(c, { remove: state }, status);
    }
    flash(c, `Secret ${deleted.name} deleted.`);
    return c.redirect(withTeam('/console', teamId), 303);
  });
}
