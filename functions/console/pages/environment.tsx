import type * as Api from '../../../shared/api-objects.js';
import { compareText } from '../../../shared/pagination.js';
import type { Source } from '../../../shared/resolver.js';
import { SOURCE_LABELS, SourceBadge, Time } from '../components/badges.js';
import { EntryFields, VARIABLE_VALUE } from '../components/entry-fields.js';
import { DeleteEnvironmentCard, DELETE_ENVIRONMENT_FORM } from '../components/environment-forms.js';
import { environmentLabel, environmentPath } from '../components/environment-link.js';
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

export interface EnvironmentView {
  env: Api.Environment;
  secrets: Api.EnvironmentSecret[];
  variables: Api.Variable[];
  /** Global secrets of the environment's scope not linked here yet: the picker's choices. */
  linkable: LinkChoice[];
  seen: SeenEntry[];
  /** The names its code reads, and how they stand in the runtime set (never a value). */
  requirements: Api.Requirement[];
  check: Api.RuntimeCheck;
  deletedSecrets: Api.DeletedEnvironmentSecret[];
  deletedVariables: Api.DeletedVariable[];
}

/** What the page and each of its sections are drawn from; `failed` is the form a failed submit re-shows. */
interface TabProps {
  ctx: PageContext;
  scope: Scope;
  view: EnvironmentView;
  failed?: FormState | undefined;
}

/**
 * An environment's Secrets tab: its secrets with their source and expiry, Add Secret, Link
 * Global Secret, its requirements and whether a job can start, Variables, the job's view, and
 * its recently deleted direct secrets and variables.
 */
export function EnvironmentPage(props: TabProps) {
  const { ctx, scope, view } = props;
  const label = environmentLabel(view.env);
  return (
    <Layout title={label} viewer={ctx.viewer} section="environments" teamId={scope.teamId} notice={ctx.notice}>
      <PageHeader
        crumbs={[{ href: withTeam('/console/environments', scope.teamId), label: 'Environments' }]}
        title={label}
        lead={`${scope.teamId ? `Team ${scope.label}` : 'Personal'} environment. Secrets are encrypted and injected at runtime; variables are plain text.`}
      />
      <TabSections />
      <section class="card" id="secrets" aria-labelledby="secrets-heading">
        <h2 id="secrets-heading">Secrets</h2>
        <SecretsTable {...props} />
      </section>
      {canWrite(scope) ? (
        <div class="grid">
          <AddSecretCard {...props} />
          <LinkCard {...props} />
          <FileSecretCard
            action={`${environmentPath(view.env.id)}/file-secrets`}
            csrfToken={ctx.viewer.csrfToken}
            hint="A direct secret whose value is a file: only this environment has it."
            failed={props.failed}
          />
        </div>
      ) : (
        <ReadOnly role={scope.role} failed={props.failed} />
      )}
      <RequirementsSection
        envId={view.env.id}
        requirements={view.requirements}
        check={view.check}
        csrfToken={ctx.viewer.csrfToken}
        writable={canWrite(scope)}
        failed={props.failed}
      />
      <VariablesSection {...props} />
      <JobViewSection seen={view.seen} />
      <DeletedEntries {...props} />
      {canWrite(scope) ? (
        <DeleteEnvironmentCard
          env={view.env}
          csrfToken={ctx.viewer.csrfToken}
          state={stateFor(DELETE_ENVIRONMENT_FORM, props.failed)}
        />
      ) : null}
    </Layout>
  );
}

const TabSections = () => (
  <nav class="sections tabs" aria-label="Secrets tab">
    <ul>
      <li>
        <a href="#secrets" aria-current="page">
          Secrets
        </a>
      </li>
      <li>
        <a href="#requirements">Requirements</a>
      </li>
      <li>
        <a href="#variables">Variables</a>
      </li>
      <li>
        <a href="#job-view">What the job will see</a>
      </li>
      <li>
        <a href="#recently-deleted">Recently deleted</a>
      </li>
    </ul>
  </nav>
);

function SecretsTable(props: TabProps) {
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
      <table>
        <TableHead columns={['Name', 'Source', 'Description', 'Expiry', 'Updated']} />
        <tbody>
          {view.secrets.map((secret) => (
            <SecretRow {...props} secret={secret} />
          ))}
        </tbody>
      </table>
    </>
  );
}

function SecretRow(props: TabProps & { secret: Api.EnvironmentSecret }) {
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

function DirectSecretActions(props: TabProps & { secret: Api.EnvironmentSecret }) {
  const { secret } = props;
  if (!canWrite(props.scope)) return null;
  return (
    <a href={`${environmentPath(props.view.env.id)}/secrets/${secret.id}`} aria-label={`Edit ${secret.name}`}>
      Edit
    </a>
  );
}

/** A linked secret's row: a way to its global secret, and Unlink with any error of its own. */
function LinkedSecretActions(props: TabProps & { secret: Api.EnvironmentSecret }) {
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

function AddSecretCard(props: TabProps) {
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
function LinkCard(props: TabProps) {
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

function VariablesSection(props: TabProps) {
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
    <table>
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
    </table>
  );
}

function AddVariableForm(props: TabProps) {
  const state = stateFor('add-variable', props.failed);
  return (
    <form
      class="stack"
      method="post"
      action={`${environmentPath(props.view.env.id)}/variables`}
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
    <table>
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
    </table>
  );
}

/** The environment's recently deleted direct secrets and variables, the latest delete first. */
function DeletedEntries(props: TabProps) {
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
