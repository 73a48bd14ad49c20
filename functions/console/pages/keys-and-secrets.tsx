import type * as Api from '../../../shared/api-objects.js';
import { Time } from '../components/badges.js';
import { EntryFields } from '../components/entry-fields.js';
import { EnvironmentLink } from '../components/environment-link.js';
import { ExpiryCell } from '../components/expiry.js';
import { FileSecretCard } from '../components/file-secret-card.js';
import { CsrfField, FormActions, HiddenField } from '../components/fields.js';
import { Layout, PageHeader, withTeam } from '../components/layout.js';
import { ReadOnly } from '../components/read-only.js';
import { RecentlyDeleted } from '../components/recently-deleted.js';
import { canWrite, ScopeSwitcher, type Scope } from '../components/scope-switcher.js';
import { TableHead } from '../components/table-head.js';
import { Table } from '../components/table.js';
import type { PageContext } from '../context.js';
import { stateFor, type FormState } from '../forms.js';

interface KeysAndSecretsPageProps {
  ctx: PageContext;
  scope: Scope;
  secrets: Api.GlobalSecretDetail[];
  deleted: Api.DeletedGlobalSecret[];
  /** The form a failed submit re-shows (Add Secret, or a Restore). */
  failed?: FormState | undefined;
}

/** Dashboard → Keys & Secrets: the global secrets of one scope, Add Secret, and the recently deleted. */
export function KeysAndSecretsPage(props: KeysAndSecretsPageProps) {
  const { ctx, scope } = props;
  const whose = scope.teamId ? `Global secrets of team ${scope.label}` : 'Your personal global secrets';
  return (
    <Layout title="Keys & Secrets" viewer={ctx.viewer} section="secrets" teamId={scope.teamId} notice={ctx.notice}>
      <PageHeader
        title="Keys & Secrets"
        lead={`${whose}: created once, linked to any environment of the same scope. Values are encrypted and never shown here.`}
      />
      <ScopeSwitcher scopes={ctx.scopes} current={scope} path="/console" />
      <div class="grid grid-wide">
        <section class="card" aria-labelledby="secrets-heading">
          <h2 id="secrets-heading">Global secrets</h2>
          <GlobalSecretsTable secrets={props.secrets} teamId={scope.teamId} />
        </section>
        <section class="card" aria-labelledby="add-secret-heading">
          <h2 id="add-secret-heading">Add Secret</h2>
          {canWrite(scope) ? <AddGlobalSecretForm {...props} /> : <ReadOnly role={scope.role} failed={props.failed} />}
        </section>
        {canWrite(scope) ? (
          <FileSecretCard
            action="/console/file-secrets"
            csrfToken={ctx.viewer.csrfToken}
            teamId={scope.teamId}
            hint="A global secret whose value is a file: a certificate, a key file, a config."
            failed={props.failed}
          />
        ) : null}
      </div>
      <DeletedGlobalSecrets {...props} />
    </Layout>
  );
}

function GlobalSecretsTable(props: { secrets: Api.GlobalSecretDetail[]; teamId: string | null }) {
  if (props.secrets.length === 0) return <p class="empty">No global secrets in this scope yet.</p>;
  return (
    <Table>
      <TableHead columns={['Name', 'Linked to', 'Expiry', 'Updated']} />
      <tbody>
        {props.secrets.map((s) => (
          <tr>
            <td class="name">
              {s.name}
              {s.isFile ? <span class="badge badge-file">file</span> : null}
              {s.description ? <span class="cell-note">{s.description}</span> : null}
            </td>
            <td>
              <LinkedTo links={s.linkedEnvironments} />
            </td>
            <td>
              <ExpiryCell at={s.expiresAt} />
            </td>
            <td>
              <Time at={s.updatedAt} />
            </td>
            <td class="row-actions">
              <a href={withTeam(`/console/secrets/${s.id}`, props.teamId)} aria-label={`Edit ${s.name}`}>
                Edit
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

function LinkedTo(props: { links: Api.GlobalSecretDetail['linkedEnvironments'] }) {
  if (props.links.length === 0) return <span class="muted">No environment</span>;
  return (
    <ul class="links-list">
      {props.links.map((e) => (
        <li>
          <EnvironmentLink env={e} />
        </li>
      ))}
    </ul>
  );
}

function AddGlobalSecretForm(props: KeysAndSecretsPageProps) {
  const state = stateFor('add-secret', props.failed);
  return (
    <form class="stack" method="post" action="/console/secrets">
      <CsrfField token={props.ctx.viewer.csrfToken} />
      <HiddenField name="teamId" value={props.scope.teamId} />
      <EntryFields
        state={state}
        value={{
          label: 'Value',
          hint: 'Stored encrypted. It is never shown again, here or anywhere.',
          required: true,
          secret: true,
        }}
        expires
      />
      <FormActions state={state} label="Add Secret" />
    </form>
  );
}

/** The scope's recently deleted global secrets, each with the environments it was linked in. */
function DeletedGlobalSecrets(props: KeysAndSecretsPageProps) {
  const { ctx, scope } = props;
  return (
    <RecentlyDeleted
      items={props.deleted.map((s) => ({
        id: s.id,
        name: s.name,
        deletedAt: s.deletedAt,
        purgeAt: s.purgeAt,
        detail: <LinkedTo links={s.linkedEnvironments} />,
        action: `/console/secrets/${s.id}/restore`,
      }))}
      detailColumn="Was linked to"
      hint="A restored secret is linked again in those environments where its name is still free."
      empty="No global secret deleted recently in this scope."
      recoveryDays={ctx.recoveryDays}
      csrfToken={ctx.viewer.csrfToken}
      teamId={scope.teamId}
      writable={canWrite(scope)}
      failed={props.failed}
    />
  );
}
