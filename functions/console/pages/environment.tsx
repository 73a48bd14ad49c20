import type * as Api from '../../../shared/api-objects.js';
import { compareText } from '../../../shared/pagination.js';
import type { Source } from '../../../shared/resolver.js';
import { SOURCE_LABELS, SourceBadge, Time } from '../components/badges.js';
import { EntryFields, VARIABLE_VALUE } from '../components/entry-fields.js';
import { DeleteEnvironmentCard, DELETE_ENVIRONMENT_FORM } from '../components/environment-forms.js';
import { environmentLabel, environmentPath } from '../components/environment-link.js';
import { ENVIRONMENT_TABS, EnvironmentTabs, tabPath } from '../components/environment-tabs.js';
import { ExpiryCell } from '../components/expiry.js';
import { FileSecretCard } from '../components/file-secret-card.js';
import { CsrfField, FormActions, FormError } from '../components/fields.js';
import { LinkPicker, type LinkChoice } from '../components/link-picker.js';
import { Layout, PageHeader, withTeam } from '../components/layout.js';
import { ReadOnly } from '../components/read-only.js';
import { RecentlyDeleted, type DeletedItem } from '../components/recently-deleted.js';
import { RequirementsSection } from '../components/requirements.js';
import { canWrite, type Scope } from '../components/scope-switcher.js';
import { TableHead } from '../components/table-head.js';
import { Table } from '../components/table.js';
import type { PageContext } from '../context.js';
import { orphanedError, stateFor, type FormState } from '../forms.js';

/** One name as a job sees it: the source that wins, and the ones it overrides. */
export interface SeenEntry {
  name: string;
  source: Source;
  /** Only a variable's value: secret values are never shown. */
  value?: string | undefined;
  overrides: Source[];
}

/** What each tab is drawn from, beside the environment: only what that tab shows is read. */
interface SecretsView {
  env: Api.Environment;
  secrets: Api.EnvironmentSecret[];
  /** Global secrets of the environment's scope not linked here yet: the picker's choices. */
  linkable: LinkChoice[];
}

interface VariablesView {
  env: Api.Environment;
  variables: Api.Variable[];
}

interface RequirementsView {
  env: Api.Environment;
  /** The names its code reads, and how they stand in the runtime set (never a value). */
  requirements: Api.Requirement[];
  check: Api.RuntimeCheck;
}

interface DeletedView {
  env: Api.Environment;
  deletedSecrets: Api.DeletedEnvironmentSecret[];
  deletedVariables: Api.DeletedVariable[];
}

export type EnvironmentView =
  | ({ tab: 'secrets' } & SecretsView)
  | ({ tab: 'variables' } & VariablesView)
  | ({ tab: 'requirements' } & RequirementsView)
  | { tab: 'job-view'; env: Api.Environment; seen: SeenEntry[] }
  | ({ tab: 'deleted' } & DeletedView);

/** What a tab is drawn from; `failed` is the form a failed submit re-shows. */
interface TabProps<View> {
  ctx: PageContext;
  scope: Scope;
  view: View;
  failed?: FormState | undefined;
}

/**
 * One of an environment's tabs: Secrets (its direct and linked secrets, Add Secret, Link
 * Global Secret, Add File Secret, Delete Environment), Variables, Requirements (and whether a
 * job can start), what the job will see, and its recently deleted direct secrets and variables.
 */
export function EnvironmentPage(props: TabProps<EnvironmentView>) {
  const { ctx, scope, view } = props;
  const label = environmentLabel(view.env);
  const title = `${ENVIRONMENT_TABS[view.tab].label} · ${label}`;
  return (
    <Layout title={title} viewer={ctx.viewer} section="environments" teamId={scope.teamId} notice={ctx.notice}>
      <PageHeader
        crumbs={[{ href: withTeam('/console/environments', scope.teamId), label: 'Environments' }]}
        title={label}
        lead={`${scope.teamId ? `Team ${scope.label}` : 'Personal'} environment. Secrets are encrypted and injected at runtime; variables are plain text.`}
      />
      <EnvironmentTabs envId={view.env.id} current={view.tab} />
      {canWrite(scope) || view.tab === 'job-view' ? null : <ReadOnly role={scope.role} failed={props.failed} />}
      <TabContent {...props} />
    </Layout>
  );
}

function TabContent(props: TabProps<EnvironmentView>) {
  const { view } = props;
  switch (view.tab) {
    case 'secrets':
      return <SecretsTab {...props} view={view} />;
    case 'variables':
      return <VariablesSection {...props} view={view} />;
    case 'requirements':
      return (
        <RequirementsSection
          envId={view.env.id}
          requirements={view.requirements}
          check={view.check}
          csrfToken={props.ctx.viewer.csrfToken}
          writable={canWrite(props.scope)}
          failed={props.failed}
        />
      );
    case 'job-view':
      return <JobViewSection seen={view.seen} />;
    case 'deleted':
      return <DeletedEntries {...props} view={view} />;
  }
}

function SecretsTab(props: TabProps<SecretsView>) {
  return (
    <>
      <section class="card" id="secrets" aria-labelledby="secrets-heading">
        <h2 id="secrets-heading">Secrets</h2>
        <SecretsTable {...props} />
      </section>
      {canWrite(props.scope) ? (
        <>
          <div class="grid">
            <AddSecretCard {...props} />
            <LinkCard {...props} />
            <FileSecretCard
              action={`${environmentPath(props.view.env.id)}/file-secrets`}
              csrfToken={props.ctx.viewer.csrfToken}
              hint="A direct secret whose value is a file: only this environment has it."
              failed={props.failed}
            />
          </div>
          <DeleteEnvironmentCard
            env={props.view.env}
            csrfToken={props.ctx.viewer.csrfToken}
            state={stateFor(DELETE_ENVIRONMENT_FORM, props.failed)}
          />
        </>
      ) : null}
    </>
  );
}

function SecretsTable(props: TabProps<SecretsView>) {
  const { view } = props;
  // An unlink refused for a row that is no longer there (unlinked meanwhile): said above the table.
  const linked = view.secrets.filter((s) => s.source === 'global-linked');
  const orphan = orphanedError(
    props.failed,
    'unlink-',
    linked.map((s) => `unlink-${s.id}`),
    canWrite(props.scope),
  );
  if (view.secrets.length === 0) {
    return (
      <>
        <FormError message={orphan} />
        <p class="empty">No secrets yet: add one, or link a global secret.</p>
      </>
    );
  }
  return (
    <>
      <FormError message={orphan} />
      <Table>
        <TableHead columns={['Name', 'Source', 'Description', 'Expiry', 'Updated']} />
        <tbody>
          {view.secrets.map((secret) => (
            <SecretRow {...props} secret={secret} />
          ))}
        </tbody>
      </Table>
    </>
  );
}

function SecretRow(props: TabProps<SecretsView> & { secret: Api.EnvironmentSecret }) {
  const { secret: s } = props;
  return (
    <tr>
      <td class="name">
        {s.name}
        {s.isFile ? <span class="badge badge-file">file</span> : null}
      </td>
      <td>
        <SourceBadge source={s.source} />
      </td>
      <td>{s.description ?? <span class="muted">—</span>}</td>
      <td>
        <ExpiryCell at={s.expiresAt} />
      </td>
      <td>
        <Time at={s.updatedAt} />
      </td>
      <td class="row-actions">
        {s.source === 'environment' ? <DirectSecretActions {...props} /> : <LinkedSecretActions {...props} />}
      </td>
    </tr>
  );
}

function DirectSecretActions(props: TabProps<SecretsView> & { secret: Api.EnvironmentSecret }) {
  const { secret } = props;
  if (!canWrite(props.scope)) return null;
  return (
    <a href={`${environmentPath(props.view.env.id)}/secrets/${secret.id}`} aria-label={`Edit ${secret.name}`}>
      Edit
    </a>
  );
}

/** A linked secret's row: a way to its global secret, and Unlink with any error of its own. */
function LinkedSecretActions(props: TabProps<SecretsView> & { secret: Api.EnvironmentSecret }) {
  const { secret, scope, failed } = props;
  return (
    <>
      <a href={withTeam(`/console/secrets/${secret.id}`, scope.teamId)} aria-label={`Global secret ${secret.name}`}>
        Global secret
      </a>
      {canWrite(scope) ? (
        <form method="post" action={`${environmentPath(props.view.env.id)}/links/${secret.id}/delete`}>
          {' · '}
          <CsrfField token={props.ctx.viewer.csrfToken} />
          <button type="submit" class="button-link" aria-label={`Unlink ${secret.name}`}>
            Unlink
          </button>
          <FormError message={failed?.form === `unlink-${secret.id}` ? failed.formError : undefined} />
        </form>
      ) : null}
    </>
  );
}

function AddSecretCard(props: TabProps<SecretsView>) {
  const state = stateFor('add-secret', props.failed);
  return (
    <section class="card" aria-labelledby="add-secret-heading">
      <h2 id="add-secret-heading">Add Secret</h2>
      <p class="hint">A direct secret: only this environment has it.</p>
      <form class="stack" method="post" action={`${environmentPath(props.view.env.id)}/secrets`}>
        <CsrfField token={props.ctx.viewer.csrfToken} />
        <EntryFields
          state={state}
          value={{ label: 'Value', hint: 'Stored encrypted; never shown again.', required: true, secret: true }}
          expires
        />
        <FormActions state={state} label="Add Secret" />
      </form>
    </section>
  );
}

/** The picker of the scope's global secrets not linked here yet; those whose name is used here disabled, with why. */
function LinkCard(props: TabProps<SecretsView>) {
  const { scope, view } = props;
  return (
    <section class="card" aria-labelledby="link-heading">
      <h2 id="link-heading">Link Global Secret</h2>
      <p class="hint">
        Pick a global secret of {scope.teamId ? `team ${scope.label}` : 'your personal scope'} (see{' '}
        <a href={withTeam('/console', scope.teamId)}>Keys &amp; Secrets</a>). Its name becomes an entry of this
        environment.
      </p>
      <LinkPicker
        action={`${environmentPath(view.env.id)}/links`}
        csrfToken={props.ctx.viewer.csrfToken}
        state={stateFor('link', props.failed)}
        name="secretId"
        label="Global secret"
        placeholder="Choose a secret…"
        choices={view.linkable}
        button="Link Global Secret"
        nothing={
          view.linkable.length === 0
            ? 'No global secret to link: this scope has none that is not linked here already.'
            : 'No global secret can be linked: the name of each one left is already used here.'
        }
      />
    </section>
  );
}

function VariablesSection(props: TabProps<VariablesView>) {
  const writable = canWrite(props.scope);
  return (
    <section class="card" id="variables" aria-labelledby="variables-heading">
      <h2 id="variables-heading">Variables</h2>
      <p class="hint">Plain-text configuration, readable by everyone who can see this environment.</p>
      <div class={writable ? 'split' : undefined}>
        <VariablesTable variables={props.view.variables} envId={props.view.env.id} writable={writable} />
        {writable ? <AddVariableForm {...props} /> : null}
      </div>
    </section>
  );
}

function VariablesTable(props: { variables: Api.Variable[]; envId: string; writable: boolean }) {
  if (props.variables.length === 0) return <p class="empty">No variables yet.</p>;
  return (
    <Table>
      <TableHead columns={['Name', 'Value', 'Description']} />
      <tbody>
        {props.variables.map((v) => (
          <tr>
            <td class="name">{v.name}</td>
            <td class="value">{v.value}</td>
            <td>{v.description ?? <span class="muted">—</span>}</td>
            <td class="row-actions">
              {props.writable ? (
                <a href={`${environmentPath(props.envId)}/variables/${v.id}`} aria-label={`Edit ${v.name}`}>
                  Edit
                </a>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

function AddVariableForm(props: TabProps<VariablesView>) {
  const state = stateFor('add-variable', props.failed);
  return (
    <form
      class="stack"
      method="post"
      action={tabPath(props.view.env.id, 'variables')}
      aria-labelledby="add-variable-heading"
    >
      <h3 id="add-variable-heading">Add Variable</h3>
      <CsrfField token={props.ctx.viewer.csrfToken} />
      <EntryFields state={state} value={VARIABLE_VALUE} />
      <FormActions state={state} label="Add Variable" />
    </form>
  );
}

function JobViewSection(props: { seen: SeenEntry[] }) {
  return (
    <section class="card" id="job-view" aria-labelledby="job-view-heading">
      <h2 id="job-view-heading">What the job will see</h2>
      <p class="precedence">
        When a name is set in more than one place, the highest wins: <SourceBadge source="variable" /> (lowest) &lt;{' '}
        <SourceBadge source="global-linked" /> &lt; <SourceBadge source="environment" /> (highest).
      </p>
      <JobView seen={props.seen} />
    </section>
  );
}

function JobView(props: { seen: SeenEntry[] }) {
  if (props.seen.length === 0) return <p class="empty">Nothing yet: a job would start with no secrets or variables.</p>;
  return (
    <Table>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Source that wins</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {props.seen.map((e) => (
          <tr>
            <td class="name">
              {e.name}
              {e.overrides.length > 0 ? (
                <span class="cell-note">{`Also set as ${e.overrides.map((s) => SOURCE_LABELS[s].toLowerCase()).join(', ')}: not used.`}</span>
              ) : null}
            </td>
            <td>
              <SourceBadge source={e.source} />
            </td>
            <td class="value">
              {e.value !== undefined ? e.value : <span class="hidden-value">Secret value, not shown</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

/** The environment's recently deleted direct secrets and variables, the latest delete first. */
function DeletedEntries(props: TabProps<DeletedView>) {
  const { ctx, scope, view } = props;
  const row = (e: { id: string; name: string; deletedAt: string; purgeAt: string }, kind: 'secrets' | 'variables') => ({
    id: e.id,
    name: e.name,
    deletedAt: e.deletedAt,
    purgeAt: e.purgeAt,
    detail: <SourceBadge source={kind === 'secrets' ? 'environment' : 'variable'} />,
    action: `${environmentPath(view.env.id)}/${kind}/${e.id}/restore`,
  });
  const items: DeletedItem[] = [
    ...view.deletedSecrets.map((s) => row(s, 'secrets')),
    ...view.deletedVariables.map((v) => row(v, 'variables')),
  ].sort((a, b) => compareText(b.deletedAt, a.deletedAt));
  return (
    <RecentlyDeleted
      items={items}
      detailColumn="Kind"
      empty="No direct secret or variable deleted recently in this environment."
      recoveryDays={ctx.recoveryDays}
      csrfToken={ctx.viewer.csrfToken}
      writable={canWrite(scope)}
      failed={props.failed}
    />
  );
}
