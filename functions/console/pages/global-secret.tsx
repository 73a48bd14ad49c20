import type * as Api from '../../../shared/api-objects.js';
import { Time } from '../components/badges.js';
import { DeleteCard } from '../components/delete-card.js';
import { EntryFields, NEW_SECRET_VALUE } from '../components/entry-fields.js';
import { Expiry } from '../components/expiry.js';
import { CsrfField, FormActions, HiddenField } from '../components/fields.js';
import { Layout, PageHeader, withTeam } from '../components/layout.js';
import { ReadOnly } from '../components/read-only.js';
import { restorableFor } from '../components/recently-deleted.js';
import type { LinkChoice } from '../components/link-picker.js';
import { SecretEnvironments } from '../components/secret-environments.js';
import { canWrite, type Scope } from '../components/scope-switcher.js';
import { VersionsCard } from '../components/versions.js';
import type { PageContext } from '../context.js';
import { refusedForm, type FormState } from '../forms.js';

interface GlobalSecretPageProps {
  ctx: PageContext;
  scope: Scope;
  secret: Api.GlobalSecretDetail;
  versions: Api.ValueVersion[];
  edit: FormState;
  remove: FormState;
  rollback?: FormState | undefined;
  /** Where it can be linked (undefined for a reader), and a refused Link or Unlink. */
  linkChoices: LinkChoice[] | undefined;
  link?: FormState | undefined;
}

/**
 * One global secret: where it is linked, edit (the value field stays empty), delete with a
 * confirmation, and its versions (never a value) with Roll back.
 */
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
            <Time at={secret.updatedAt} />. <Expiry at={secret.expiresAt} none="No expiry." />
          </>
        }
      />
      <div class="grid">
        <section class="card" aria-labelledby="edit-heading">
          <h2 id="edit-heading">Edit secret</h2>
          {canWrite(scope) ? (
            <EditGlobalSecretForm {...props} />
          ) : (
            <ReadOnly role={scope.role} failed={refusedForm(props.edit, props.remove, props.rollback, props.link)} />
          )}
        </section>
        <div>
          <SecretEnvironments
            secret={secret}
            teamId={scope.teamId}
            csrfToken={ctx.viewer.csrfToken}
            choices={props.linkChoices}
            failed={props.link}
          />
          {canWrite(scope) ? <DeleteGlobalSecretCard {...props} /> : null}
        </div>
      </div>
      <VersionsCard
        versions={props.versions}
        me={ctx.viewer.id}
        action={`/console/secrets/${secret.id}/rollback`}
        csrfToken={ctx.viewer.csrfToken}
        teamId={scope.teamId}
        writable={canWrite(scope)}
        showValues={false}
        failed={props.rollback}
      />
    </Layout>
  );
}

function EditGlobalSecretForm(props: GlobalSecretPageProps) {
  return (
    <form class="stack" method="post" action={`/console/secrets/${props.secret.id}`}>
      <CsrfField token={props.ctx.viewer.csrfToken} />
      <HiddenField name="teamId" value={props.scope.teamId} />
      <EntryFields state={props.edit} value={NEW_SECRET_VALUE} expires />
      <FormActions state={props.edit} label="Save changes" />
    </form>
  );
}

/**
 * Deleting a global secret also unlinks it: the warning says from how many environments, and
 * that a restore within the recovery window links it again where its name is still free.
 */
function DeleteGlobalSecretCard(props: GlobalSecretPageProps) {
  const { secret } = props;
  const links = secret.linkedEnvironments.length;
  const restorable = restorableFor(props.ctx.recoveryDays);
  return (
    <DeleteCard
      title="Delete secret"
      warning={
        links === 0
          ? `The secret is deleted. ${restorable}`
          : `The secret is deleted and unlinked from ${links} environment${links === 1 ? '' : 's'}: jobs there will no longer get ${secret.name}. ${restorable} Restoring it links it again where its name is still free.`
      }
      name={secret.name}
      action={`/console/secrets/${secret.id}/delete`}
      csrfToken={props.ctx.viewer.csrfToken}
      teamId={props.scope.teamId}
      state={props.remove}
    />
  );
}
