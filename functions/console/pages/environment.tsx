import type * as Api from '../../../shared/api-objects.js';
import type { Source } from '../../../shared/resolver.js';
import { SOURCE_LABELS, SourceBadge, Time } from '../components/badges.js';
import { CsrfField, FormActions, SelectField, TextField, ValueField } from '../components/fields.js';
import { Layout, PageHeader, withTeam } from '../components/layout.js';
import { canWrite, type Scope } from '../components/scope-switcher.js';
import type { PageContext } from '../context.js';
import { stateFor, type FormState } from '../forms.js';
import { NAME_HINT, ReadOnly } from './keys-and-secrets.js';
import { TableHead } from '../components/table-head.js';

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
  linkable: Api.GlobalSecret[];
  seen: SeenEntry[];
}

const label = (env: Api.Environment) => `${env.owner}/${env.name}`;

/** An environment's Secrets tab: its secrets with their source, Add Secret, Link Global Secret, Variables, the job's view. */
export function EnvironmentPage(props: { ctx: PageContext; scope: Scope; view: EnvironmentView; failed?: FormState }) {
  const { ctx, scope, view, failed } = props;
  const { env } = view;
  const base = `/console/environments/${env.id}`;
  const writable = canWrite(scope);
  return (
    <Layout title={label(env)} viewer={ctx.viewer} section="environments" teamId={scope.teamId} notice={ctx.notice}>
      <PageHeader
        crumbs={[{ href: withTeam('/console/environments', scope.teamId), label: 'Environments' }]}
        title={label(env)}
        lead={`${scope.teamId ? `Team ${scope.label}` : 'Personal'} environment. Secrets are encrypted and injected at runtime; variables are plain text.`}
      />
      <nav class="sections tabs" aria-label="Secrets tab">
        <ul>
          <li>
            <a href="#secrets" aria-current="page">
              Secrets
            </a>
          </li>
          <li>
            <a href="#variables">Variables</a>
          </li>
          <li>
            <a href="#job-view">What the job will see</a>
          </li>
        </ul>
      </nav>

      <section class="card" id="secrets" aria-labelledby="secrets-heading">
        <h2 id="secrets-heading">Secrets</h2>
        <SecretsTable view={view} base={base} ctx={ctx} scope={scope} failed={failed} />
      </section>

      {writable ? (
        <div class="grid">
          <section class="card" aria-labelledby="add-secret-heading">
            <h2 id="add-secret-heading">Add Secret</h2>
            <p class="hint">A direct secret: only this environment has it.</p>
            <form class="stack" method="post" action={`${base}/secrets`}>
              <CsrfField token={ctx.viewer.csrfToken} />
              <TextField
                state={stateFor('add-secret', failed)}
                name="name"
                label="Name"
                hint={NAME_HINT}
                kind="name"
                required
              />
              <ValueField
                state={stateFor('add-secret', failed)}
                name="value"
                label="Value"
                hint="Stored encrypted; never shown again."
                required
                secret
              />
              <TextField state={stateFor('add-secret', failed)} name="description" label="Description" />
              <FormActions state={stateFor('add-secret', failed)} label="Add Secret" />
            </form>
          </section>
          <section class="card" aria-labelledby="link-heading">
            <h2 id="link-heading">Link Global Secret</h2>
            <p class="hint">
              Pick a global secret of {scope.teamId ? `team ${scope.label}` : 'your personal scope'} (see{' '}
              <a href={withTeam('/console', scope.teamId)}>Keys &amp; Secrets</a>). Its name becomes an entry of this
              environment.
            </p>
            <form class="stack" method="post" action={`${base}/links`}>
              <CsrfField token={ctx.viewer.csrfToken} />
              <SelectField
                state={stateFor('link', failed)}
                name="secretId"
                label="Global secret"
                placeholder={view.linkable.length === 0 ? 'No global secret left to link' : 'Choose a secret…'}
                options={view.linkable.map((s) => ({ value: s.id, label: s.name }))}
                required
              />
              <FormActions state={stateFor('link', failed)} label="Link Global Secret" />
            </form>
          </section>
        </div>
      ) : (
        <ReadOnly role={scope.role} failed={failed} />
      )}

      <section class="card" id="variables" aria-labelledby="variables-heading">
        <h2 id="variables-heading">Variables</h2>
        <p class="hint">Plain-text configuration, readable by everyone who can see this environment.</p>
        <div class={writable ? 'split' : undefined}>
          <VariablesTable view={view} base={base} writable={writable} />
          {writable ? (
            <form class="stack" method="post" action={`${base}/variables`} aria-labelledby="add-variable-heading">
              <h3 id="add-variable-heading">Add Variable</h3>
              <CsrfField token={ctx.viewer.csrfToken} />
              <TextField
                state={stateFor('add-variable', failed)}
                name="name"
                label="Name"
                hint={NAME_HINT}
                kind="name"
                required
              />
              <ValueField state={stateFor('add-variable', failed)} name="value" label="Value" required />
              <TextField state={stateFor('add-variable', failed)} name="description" label="Description" />
              <FormActions state={stateFor('add-variable', failed)} label="Add Variable" />
            </form>
          ) : null}
        </div>
      </section>

      <section class="card" id="job-view" aria-labelledby="job-view-heading">
        <h2 id="job-view-heading">What the job will see</h2>
        <p class="precedence">
          When a name is set in more than one place, the highest wins: <SourceBadge source="variable" /> (lowest) &lt;{' '}
          <SourceBadge source="global-linked" /> &lt; <SourceBadge source="environment" /> (highest).
        </p>
        <JobView seen={view.seen} />
      </section>
    </Layout>
  );
}

function SecretsTable(props: {
  view: EnvironmentView;
  base: string;
  ctx: PageContext;
  scope: Scope;
  failed: FormState | undefined;
}) {
  const { view, base, ctx, scope, failed } = props;
  // An unlink refused for a row that is no longer there (unlinked meanwhile): said above the table.
  const orphan =
    failed?.form.startsWith('unlink-') && !view.secrets.some((s) => failed.form === `unlink-${s.id}`)
      ? failed.formError
      : undefined;
  const alert = orphan ? (
    <p class="form-error" role="alert" tabindex={-1} autofocus>
      {orphan}
    </p>
  ) : null;
  if (view.secrets.length === 0) {
    return (
      <>
        {alert}
        <p class="empty">No secrets yet: add one, or link a global secret.</p>
      </>
    );
  }
  return (
    <>
      {alert}
      <table>
        <TableHead columns={['Name', 'Source', 'Description', 'Updated']} />
        <tbody>
          {view.secrets.map((s) => (
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
                <Time at={s.updatedAt} />
              </td>
              <td class="row-actions">
                {s.source === 'environment' ? (
                  canWrite(scope) ? (
                    <a href={`${base}/secrets/${s.id}`} aria-label={`Edit ${s.name}`}>
                      Edit
                    </a>
                  ) : null
                ) : (
                  <>
                    <a href={withTeam(`/console/secrets/${s.id}`, scope.teamId)} aria-label={`Global secret ${s.name}`}>
                      Global secret
                    </a>
                    {canWrite(scope) ? (
                      <form method="post" action={`${base}/links/${s.id}/delete`}>
                        {' · '}
                        <CsrfField token={ctx.viewer.csrfToken} />
                        <button type="submit" class="button-link" aria-label={`Unlink ${s.name}`}>
                          Unlink
                        </button>
                        {failed?.form === `unlink-${s.id}` && failed.formError ? (
                          <p class="form-error" role="alert" tabindex={-1} autofocus>
                            {failed.formError}
                          </p>
                        ) : null}
                      </form>
                    ) : null}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function VariablesTable(props: { view: EnvironmentView; base: string; writable: boolean }) {
  const { view, base } = props;
  if (view.variables.length === 0) return <p class="empty">No variables yet.</p>;
  return (
    <table>
      <TableHead columns={['Name', 'Value', 'Description']} />
      <tbody>
        {view.variables.map((v) => (
          <tr>
            <td class="name">{v.name}</td>
            <td class="value">{v.value}</td>
            <td>{v.description ?? <span class="muted">—</span>}</td>
            <td class="row-actions">
              {props.writable ? (
                <a href={`${base}/variables/${v.id}`} aria-label={`Edit ${v.name}`}>
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
