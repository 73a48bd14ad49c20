import type * as Api from '../../../shared/api-objects.js';
import { Time } from '../components/badges.js';
import { CsrfField, FormActions, HiddenField, TextField, ValueField } from '../components/fields.js';
import { Layout, PageHeader, withTeam } from '../components/layout.js';
import { canWrite, ScopeSwitcher, type Scope } from '../components/scope-switcher.js';
import type { PageContext } from '../context.js';
import type { FormState } from '../forms.js';
import { TableHead } from '../components/table-head.js';

export const NAME_HINT = 'Uppercase letters, digits and underscores, starting with a letter. Example: MY_API_KEY';

/** Dashboard → Keys & Secrets: the global secrets of one scope, and Add Secret. */
export function KeysAndSecretsPage(props: {
  ctx: PageContext;
  scope: Scope;
  secrets: Api.GlobalSecretDetail[];
  add: FormState;
}) {
  const { ctx, scope, secrets } = props;
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
          {secrets.length === 0 ? (
            <p class="empty">No global secrets in this scope yet.</p>
          ) : (
            <table>
              <TableHead columns={['Name', 'Linked to', 'Updated']} />
              <tbody>
                {secrets.map((s) => (
                  <tr>
                    <td class="name">
                      {s.name}
                      {s.isFile ? <span class="badge badge-file">file</span> : null}
                      {s.description ? <span class="cell-note">{s.description}</span> : null}
                    </td>
                    <td>
                      {s.linkedEnvironments.length === 0 ? (
                        <span class="muted">No environment</span>
                      ) : (
                        <ul class="links-list">
                          {s.linkedEnvironments.map((e) => (
                            <li>
                              <a href={`/console/environments/${e.id}`}>{`${e.owner}/${e.name}`}</a>
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td>
                      <Time at={s.updatedAt} />
                    </td>
                    <td class="row-actions">
                      <a href={withTeam(`/console/secrets/${s.id}`, scope.teamId)} aria-label={`Edit ${s.name}`}>
                        Edit
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section class="card" aria-labelledby="add-secret-heading">
          <h2 id="add-secret-heading">Add Secret</h2>
          {canWrite(scope) ? (
            <form class="stack" method="post" action="/console/secrets">
              <CsrfField token={ctx.viewer.csrfToken} />
              <HiddenField name="teamId" value={scope.teamId} />
              <TextField state={props.add} name="name" label="Name" hint={NAME_HINT} kind="name" required />
              <ValueField
                state={props.add}
                name="value"
                label="Value"
                hint="Stored encrypted. It is never shown again, here or anywhere."
                required
                secret
              />
              <TextField state={props.add} name="description" label="Description" />
              <FormActions state={props.add} label="Add Secret" />
            </form>
          ) : (
            <ReadOnly role={scope.role} failed={props.add} />
          )}
        </section>
      </div>
    </Layout>
  );
}

/** In place of the forms for a team viewer; a refused (crafted) submit is still said in words. */
export const ReadOnly = (props: { role: string; failed?: FormState | undefined }) => (
  <div>
    <p class="readonly">
      Your role in this team is <strong>{props.role}</strong>: you can see names, sources and variables, but not change
      them.
    </p>
    {props.failed?.formError ? (
      <p class="form-error" role="alert" tabindex={-1} autofocus>
        {props.failed.formError}
      </p>
    ) : null}
  </div>
);
