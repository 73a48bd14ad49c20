import type * as Api from '../../../shared/api-objects.js';
import { SourceBadge, Time } from '../components/badges.js';
import { ConfirmField, CsrfField, FormActions, TextField, ValueField } from '../components/fields.js';
import { Layout, PageHeader, withTeam } from '../components/layout.js';
import { canWrite, type Scope } from '../components/scope-switcher.js';
import type { PageContext } from '../context.js';
import type { FormState } from '../forms.js';
import { NAME_HINT, ReadOnly } from './keys-and-secrets.js';

export type EntryKind = 'secret' | 'variable';

/**
 * Edit or delete one direct secret or variable of an environment. A secret's value field is
 * always empty (leaving it empty keeps the value); a variable's value is plain text and shown.
 */
export function EntryPage(props: {
  ctx: PageContext;
  scope: Scope;
  env: Api.Environment;
  kind: EntryKind;
  entry: { id: string; name: string; description: string | null; updatedAt: string };
  edit: FormState;
  remove: FormState;
}) {
  const { ctx, scope, env, kind, entry } = props;
  const envLabel = `${env.owner}/${env.name}`;
  const envPath = `/console/environments/${env.id}`;
  const action = `${envPath}/${kind === 'secret' ? 'secrets' : 'variables'}/${entry.id}`;
  const what = kind === 'secret' ? 'secret' : 'variable';
  return (
    <Layout title={entry.name} viewer={ctx.viewer} section="environments" teamId={scope.teamId} notice={ctx.notice}>
      <PageHeader
        crumbs={[
          { href: withTeam('/console/environments', scope.teamId), label: 'Environments' },
          { href: `${envPath}${kind === 'secret' ? '#secrets' : '#variables'}`, label: envLabel },
        ]}
        title={<span class="mono">{entry.name}</span>}
        lead={
          <>
            <SourceBadge source={kind === 'secret' ? 'environment' : 'variable'} /> of {envLabel}, updated{' '}
            <Time at={entry.updatedAt} />.
          </>
        }
      />
      {canWrite(scope) ? (
        <div class="grid">
          <section class="card" aria-labelledby="edit-heading">
            <h2 id="edit-heading">{`Edit ${what}`}</h2>
            <form class="stack" method="post" action={action}>
              <CsrfField token={ctx.viewer.csrfToken} />
              <TextField state={props.edit} name="name" label="Name" hint={NAME_HINT} kind="name" required />
              {kind === 'secret' ? (
                <ValueField
                  state={props.edit}
                  name="value"
                  label="New value"
                  hint="Leave empty to keep the current value, which is never shown."
                  secret
                />
              ) : (
                <ValueField state={props.edit} name="value" label="Value" required />
              )}
              <TextField state={props.edit} name="description" label="Description" />
              <FormActions state={props.edit} label="Save changes">
                <a href={envPath}>Cancel</a>
              </FormActions>
            </form>
          </section>
          <section class="card card-danger" aria-labelledby="delete-heading">
            <h2 id="delete-heading">{`Delete ${what}`}</h2>
            <p>{`Jobs in ${envLabel} will no longer get ${entry.name}.`}</p>
            <form class="stack" method="post" action={`${action}/delete`}>
              <CsrfField token={ctx.viewer.csrfToken} />
              <ConfirmField state={props.remove} name="confirm" label={`Yes, delete ${entry.name}`} />
              <FormActions state={props.remove} label={`Delete ${what}`} danger />
            </form>
          </section>
        </div>
      ) : (
        <ReadOnly role={scope.role} failed={props.remove.formError ? props.remove : props.edit} />
      )}
    </Layout>
  );
}
