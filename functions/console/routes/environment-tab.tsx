import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type * as Api from '../../../shared/api-objects.js';
import type { UserPrincipal } from '../../../shared/auth/authorization.js';
import type { Deps } from '../../../shared/deps.js';
import { winners, type Source } from '../../../shared/resolver.js';
import { directSecrets, variables as variableOps } from '../../../shared/services/entry-operations.js';
import { listEnvironmentSecrets, listVariables } from '../../../shared/services/environment-entries.js';
import { getEnvironment } from '../../../shared/services/environments.js';
import { listRequirements } from '../../../shared/services/requirements.js';
import { checkRuntime } from '../../../shared/services/runtime-check.js';
import { listGlobalSecrets } from '../../../shared/services/global-secrets.js';
import { tabPath, type EnvironmentTab } from '../components/environment-tabs.js';
import { secretChoices } from '../components/link-picker.js';
import { pageContext, principalOf, scopeOf, type ConsoleContext } from '../context.js';
import type { FormState } from '../forms.js';
import { EnvironmentPage, type EnvironmentView, type SeenEntry } from '../pages/environment.js';
import { page } from '../render.js';

/** "What the job will see": the precedence rule of shared/resolver.ts on names and sources only. */
function jobView(
  secrets: { name: string; source: Source; isFile: boolean; version: number }[],
  variables: { name: string; value: string; version: number }[],
): SeenEntry[] {
  const candidates = [
    ...secrets.map((s) => ({ name: s.name, source: s.source, isFile: s.isFile, version: s.version })),
    ...variables.map((v) => ({ name: v.name, source: 'variable' as const, isFile: false, version: v.version })),
  ];
  return Object.entries(winners(candidates).sources).map(([name, source]) => ({
    name,
    source,
    value: source === 'variable' ? variables.find((v) => v.name === name)?.value : undefined,
    overrides: candidates.filter((c) => c.name === name && c.source !== source).map((c) => c.source),
  }));
}

/** What one tab shows, and only that is read. */
async function tabView(
  deps: Deps,
  principal: UserPrincipal,
  env: Api.Environment,
  tab: EnvironmentTab,
): Promise<EnvironmentView> {
  switch (tab) {
    case 'secrets': {
      // The variables too: a global secret whose name one of them holds is shown, disabled, in the picker.
      const [secrets, variables, globals] = await Promise.all([
        listEnvironmentSecrets(deps, principal, env.id),
        listVariables(deps, principal, env.id),
        listGlobalSecrets(deps, principal, env.teamId ?? undefined),
      ]);
      return { tab, env, secrets, linkable: secretChoices(globals, secrets, variables) };
    }
    case 'variables':
      return { tab, env, variables: await listVariables(deps, principal, env.id) };
    case 'requirements': {
      const [requirements, check] = await Promise.all([
        listRequirements(deps, principal, env.id),
        checkRuntime(deps, principal, env.id),
      ]);
      return { tab, env, requirements, check };
    }
    case 'job-view': {
      const [secrets, variables] = await Promise.all([
        listEnvironmentSecrets(deps, principal, env.id),
        listVariables(deps, principal, env.id),
      ]);
      return { tab, env, seen: jobView(secrets, variables) };
    }
    case 'deleted': {
      const [deletedSecrets, deletedVariables] = await Promise.all([
        directSecrets.listDeleted(deps, principal, env.id),
        variableOps.listDeleted(deps, principal, env.id),
      ]);
      return { tab, env, deletedSecrets, deletedVariables };
    }
  }
}

/** A tab of the environment in the path; after a failed submit of one of its forms, with that form's errors. */
export async function environmentTab(
  c: ConsoleContext,
  deps: Deps,
  tab: EnvironmentTab,
  failed?: FormState,
  status: ContentfulStatusCode = 200,
) {
  const principal = principalOf(c);
  const env = await getEnvironment(deps, principal, c.req.param('envId')!);
  const [ctx, view] = await Promise.all([pageContext(c, deps), tabView(deps, principal, env, tab)]);
  const scope = scopeOf(ctx.scopes, env.teamId);
  return page(c, <EnvironmentPage ctx={ctx} scope={scope} view={view} failed={failed} />, status);
}

/** After a form of a tab succeeded: back to that tab (a GET, so a reload sends nothing again). */
export const backToTab = (c: ConsoleContext, tab: EnvironmentTab) =>
  c.redirect(tabPath(c.req.param('envId')!, tab), 303);
