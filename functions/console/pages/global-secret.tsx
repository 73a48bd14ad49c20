import type * as Api from '../../../shared/api-objects.js';
import { Time } from '../components/badges.js';
import { ConfirmField, CsrfField, FormActions, HiddenField, TextField, ValueField } from '../components/fields.js';
import { Layout, PageHeader, withTeam } from '../components/layout.js';
import { canWrite, type Scope } from '../components/scope-switcher.js';
import type { PageContext } from '../context.js';
import type { FormState } from '../forms.js';
import { NAME_HINT, ReadOnly } from './keys-and-secrets.js';

/** One global secret: where it is linked, edit (the value field stays empty), delete with a confirmation. */
export function GlobalSecretPage(props: {
  ctx: PageContext;
  scope: Scope;
  secret: Api.GlobalSecretDetail;
  edit: FormState;
  remove: FormState;
}) {
  const { ctx, scope, secret } = props;
  const home = withTeam('/console', scope.teamId);
  const action = (suffix = '') => `/console/secrets/${secret.id}${suffix}`;
  const links = secret.linkedEnvironments;
  return (
    <Layout title={secret.name} viewer={ctx.viewer} section="secrets" teamId={scope.teamId} notice={ctx.notice}>
      <PageHeader
        crumbs={[{ href: home, label: 'Keys & Secrets' }]}
        title={<span class="mono">{secret.name}</span>}
        lead={
          <>
            Global secret of {scope.teamId ? `team ${scope.label}` : 'your personal scope'}, updated{' '}
            <Time at={secret.updatedAt} />.
          </>
        }
      />
      <div class="grid">
        <section class="card" aria-labelledby="edit-heading">
          <h2 id="edit-heading">Edit secret</h2>
          {canWrite(scope) ? (
            <form class="stack" method="post" action={action()}>
              <CsrfField token={ctx.viewer.csrfToken} />
              <HiddenField name="teamId" value={scope.teamId} />
              <TextField state={props.edit} name="name" label="Name" hint={NAME_HINT} kind="name" required />
              <ValueField
                state={props.edit}
                name="value"
                label="New value"
                hint="Leave empty to keep the current value, which is never shown."
                secret
              />
              <TextField state={props.edit} name="description" label="Description" />
              <FormActions state={props.edit} label="Save changes" />
            </form>
          ) : (
            <ReadOnly role={scope.role} failed={props.remove.formError ? props.remove : props.edit} />
          )}
        </section>
        <div>
          <section class="card" aria-labelledby="linked-heading">
            <h2 id="linked-heading">Linked environments</h2>
            {links.length === 0 ? (
              <p class="empty">Not linked to any environment. Link it from an environment&rsquo;s Secrets tab.</p>
            ) : (
              <ul>
                {links.map((e) => (
                  <li>
                    <a href={`/console/environments/${e.id}`}>{`${e.owner}/${e.name}`}</a>
                  </li>
                ))}
              </ul>
            )}
          </section>
          {canWrite(scope) ? (
            <section class="card card-danger" aria-labelledby="delete-heading">
              <h2 id="delete-heading">Delete secret</h2>
              <p>
                {links.length === 0
                  ? 'The secret and its value are deleted for good.'
                  : `The secret is deleted for good and unlinked from ${links.length} environment${links.length === 1 ? '' : 's'}: jobs there will no longer get ${secret.name}.`}
              </p>
              <form class="stack" method="post" action={action('/delete')}>
                <CsrfField token={ctx.viewer.csrfToken} />
                <HiddenField name="teamId" value={scope.teamId} />
                <ConfirmField state={props.remove} name="confirm" label={`Yes, delete ${secret.name}`} />
                <FormActions state={props.remove} label="Delete secret" danger />
              </form>
            </section>
          ) : null}
        </div>
      </div>
    </Layout>
  );
}
