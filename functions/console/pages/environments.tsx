import type * as Api from '../../../shared/api-objects.js';
import { Time } from '../components/badges.js';
import { EnvironmentLink } from '../components/environment-link.js';
import { CREATE_ENVIRONMENT_FORM, NewEnvironmentCard } from '../components/environment-forms.js';
import { Layout, PageHeader } from '../components/layout.js';
import { ReadOnly } from '../components/read-only.js';
import { canWrite, ScopeSwitcher, type Scope } from '../components/scope-switcher.js';
import { Table } from '../components/table.js';
import type { PageContext } from '../context.js';
import { stateFor, type FormState } from '../forms.js';

/** The environments of one scope, each leading to its Secrets tab, and New Environment (`failed`: its refused submit). */
export function EnvironmentsPage(props: {
  ctx: PageContext;
  scope: Scope;
  environments: Api.Environment[];
  failed?: FormState | undefined;
}) {
  const { ctx, scope, environments } = props;
  return (
    <Layout title="Environments" viewer={ctx.viewer} section="environments" teamId={scope.teamId} notice={ctx.notice}>
      <PageHeader
        title="Environments"
        lead="Open an environment for its Secrets tab: direct secrets, linked global secrets and variables."
      />
      <ScopeSwitcher scopes={ctx.scopes} current={scope} path="/console/environments" />
      <section class="card" aria-labelledby="environments-heading">
        <h2 id="environments-heading" class="visually-hidden">
          Environments
        </h2>
        {environments.length === 0 ? (
          <p class="empty">No environments in this scope yet.</p>
        ) : (
          <Table>
            <thead>
              <tr>
                <th scope="col">Environment</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {environments.map((e) => (
                <tr>
                  <td class="name">
                    <EnvironmentLink env={e} />
                  </td>
                  <td>
                    <Time at={e.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </section>
      {canWrite(scope) ? (
        <NewEnvironmentCard
          csrfToken={ctx.viewer.csrfToken}
          teamId={scope.teamId}
          whose={scope.teamId ? `team ${scope.label}` : `you (${scope.label})`}
          state={stateFor(CREATE_ENVIRONMENT_FORM, props.failed)}
        />
      ) : (
        <ReadOnly role={scope.role} failed={props.failed} />
      )}
    </Layout>
  );
}
