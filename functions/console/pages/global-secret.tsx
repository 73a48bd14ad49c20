import type * as Api from '../../../shared/api-objects.js';
import { Time } from '../components/badges.js';
import { DeleteCard } from '../components/delete-card.js';
import { EntryFields, NEW_SECRET_VALUE } from '../components/entry-fields.js';
import { EnvironmentLink } from '../components/environment-link.js';
import { CsrfField, FormActions, HiddenField } from '../components/fields.js';
import { Layout, PageHeader, withTeam } from '../components/layout.js';
import { ReadOnly } from '../components/read-only.js';
import { canWrite, type Scope } from '../components/scope-switcher.js';
import type { PageContext } from '../context.js';
import type { FormState } from '../forms.js';

interface GlobalSecretPageProps {
  ctx: PageContext;
  scope: Scope;
  secret: Api.GlobalSecretDetail;
  edit: FormState;
  remove: FormState;
}

/** One global secret: where it is linked, edit (the value field stays empty), delete with a confirmation. */
export function GlobalSecretPage(props: GlobalSecretPageProps) {
  const { ctx, scope, secret } = props;
  return (
    <Layout title={secret.name} viewer={ctx.viewer} section="secrets" teamId={scope.teamId} notice={ctx.notice}>
      <PageHeader
        crumbs={[{ href: withTeam('/console', scope.teamId), label: 'Keys & Secrets' }]}
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
            <EditGlobalSecretForm {...props} />
          ) : (
            <ReadOnly role={scope.role} failed={props.remove.formError ? props.remove : props.edit} />
          )}
        </section>
        <div>
          <LinkedEnvironments links={secret.linkedEnvironments} />
          {canWrite(scope) ? <DeleteGlobalSecretCard {...props} /> : null}
        </div>
      </div>
    </Layout>
  );
}

function EditGlobalSecretForm(props: GlobalSecretPageProps) {
  return (
    <form class="stack" method="post" action={`/console/secrets/${props.secret.id}`}>
      <CsrfField token={props.ctx.viewer.csrfToken} />
      <HiddenField name="teamId" value={props.scope.teamId} />
      <EntryFields state={props.edit} value={NEW_SECRET_VALUE} />
      <FormActions state={props.edit} label="Save changes" />
    </form>
  );
}

function LinkedEnvironments(props: { links: Api.GlobalSecretDetail['linkedEnvironments'] }) {
  return (
    <section class="card" aria-labelledby="linked-heading">
      <h2 id="linked-heading">Linked environments</h2>
      {props.links.length === 0 ? (
        <p class="empty">Not linked to any environment. Link it from an environment&rsquo;s Secrets tab.</p>
      ) : (
        <ul>
          {props.links.map((e) => (
            <li>
              <EnvironmentLink env={e} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Deleting a global secret also unlinks it: the warning says from how many environments. */
function DeleteGlobalSecretCard(props: GlobalSecretPageProps) {
  const { secret } = props;
  const links = secret.linkedEnvironments.length;
  return (
    <DeleteCard
      title="Delete secret"
      warning={
        links === 0
          ? 'The secret and its value are deleted for good.'
          : `The secret is deleted for good and unlinked from ${links} environment${links === 1 ? '' : 's'}: jobs there will no longer get ${secret.name}.`
      }
      name={secret.name}
      action={`/console/secrets/${secret.id}/delete`}
      csrfToken={props.ctx.viewer.csrfToken}
      teamId={props.scope.teamId}
      state={props.remove}
    />
  );
}
