import type * as Api from '../../../shared/api-objects.js';
import { SourceBadge, Time } from '../components/badges.js';
import { DeleteCard } from '../components/delete-card.js';
import { EntryFields, NEW_SECRET_VALUE, VARIABLE_VALUE } from '../components/entry-fields.js';
import { environmentLabel, environmentPath } from '../components/environment-link.js';
import { tabPath, type EnvironmentTab } from '../components/environment-tabs.js';
import { Expiry } from '../components/expiry.js';
import { CsrfField, FormActions } from '../components/fields.js';
import { Layout, PageHeader, withTeam } from '../components/layout.js';
import { ReadOnly } from '../components/read-only.js';
import { restorableFor } from '../components/recently-deleted.js';
import { canWrite, type Scope } from '../components/scope-switcher.js';
import { VersionsCard } from '../components/versions.js';
import type { PageContext } from '../context.js';
import { refusedForm, type FormState } from '../forms.js';

export type EntryKind = 'secret' | 'variable';

interface EntryPageProps {
  ctx: PageContext;
  scope: Scope;
  env: Api.Environment;
  kind: EntryKind;
  /** A direct secret has an expiry; a variable has none. */
  entry: { id: string; name: string; description: string | null; updatedAt: string; expiresAt?: string | null };
  versions: Api.ValueVersion[];
  edit: FormState;
  remove: FormState;
  rollback?: FormState | undefined;
}

/**
 * Edit, delete or roll back one direct secret or variable of an environment. A secret's value
 * field is always empty (leaving it empty keeps the value) and its versions never show one; a
 * variable's value is plain text, shown, and so are its versions'.
 */
export function EntryPage(props: EntryPageProps) {
  const { ctx, scope, env, kind, entry } = props;
  const envLabel = environmentLabel(env);
  // The tab that lists it, whose path its own is under.
  const tab = kind === 'secret' ? 'secrets' : 'variables';
  const action = `${environmentPath(env.id)}/${tab}/${entry.id}`;
  return (
    <Layout title={entry.name} viewer={ctx.viewer} section="environments" teamId={scope.teamId} notice={ctx.notice}>
      <PageHeader
        crumbs={[
          { href: withTeam('/console/environments', scope.teamId), label: 'Environments' },
          { href: tabPath(env.id, tab), label: envLabel },
        ]}
        title={<span class="mono">{entry.name}</span>}
        lead={
          <>
            <SourceBadge source={kind === 'secret' ? 'environment' : 'variable'} /> of {envLabel}, updated{' '}
            <Time at={entry.updatedAt} />.{' '}
            {entry.expiresAt === undefined ? null : <Expiry at={entry.expiresAt} none="No expiry." />}
          </>
        }
      />
      {canWrite(scope) ? (
        <div class="grid">
          <EditEntryCard {...props} action={action} tab={tab} />
          <DeleteCard
            title={`Delete ${kind}`}
            warning={`Jobs in ${envLabel} will no longer get ${entry.name}. ${restorableFor(ctx.recoveryDays)}`}
            name={entry.name}
            action={`${action}/delete`}
            csrfToken={ctx.viewer.csrfToken}
            state={props.remove}
          />
        </div>
      ) : (
        <ReadOnly role={scope.role} failed={refusedForm(props.edit, props.remove, props.rollback)} />
      )}
      <VersionsCard
        versions={props.versions}
        me={ctx.viewer.id}
        action={`${action}/rollback`}
        csrfToken={ctx.viewer.csrfToken}
        writable={canWrite(scope)}
        showValues={kind === 'variable'}
        failed={props.rollback}
      />
    </Layout>
  );
}

function EditEntryCard(props: EntryPageProps & { action: string; tab: EnvironmentTab }) {
  const { kind } = props;
  return (
    <section class="card" aria-labelledby="edit-heading">
      <h2 id="edit-heading">{`Edit ${kind}`}</h2>
      <form class="stack" method="post" action={props.action}>
        <CsrfField token={props.ctx.viewer.csrfToken} />
        <EntryFields
          state={props.edit}
          value={kind === 'secret' ? NEW_SECRET_VALUE : VARIABLE_VALUE}
          expires={kind === 'secret'}
        />
        <FormActions state={props.edit} label="Save changes">
          <a href={tabPath(props.env.id, props.tab)}>Cancel</a>
        </FormActions>
      </form>
    </section>
  );
}
