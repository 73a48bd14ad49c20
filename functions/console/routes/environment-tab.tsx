import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Deps } from '../../../shared/deps.js';
import { winners, type Source } from '../../../shared/resolver.js';
import { directSecrets, variables as variableOps } from '../../../shared/services/entry-operations.js';
import { listEnvironmentSecrets, listVariables } from '../../../shared/services/environment-entries.js';
import { getEnvironment } from '../../../shared/services/environments.js';
import { listRequirements } from '../../../shared/services/requirements.js';
import { checkRuntime } from '../../../shared/services/runtime-check.js';
import { listGlobalSecrets } from '../../../shared/services/global-secrets.js';
import { environmentPath } from '../components/environment-link.js';
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

/** The Secrets tab of the environment in the path; after a failed submit, with that form's errors. */
export async function environmentTab(
  c: ConsoleContext,
  deps: Deps,
  failed?: FormState,
  status: ContentfulStatusCode = 200,
) {
  const principal = principalOf(c);
  const env = await getEnvironment(deps, principal, c.req.param('envId')!);
  const ctx = await pageContext(c, deps);
  const scope = scopeOf(ctx.scopes, env.teamId);
  const [secrets, variables, globals, deletedSecrets, deletedVariables, requirements, check] = await Promise.all([
    listEnvironmentSecrets(deps, principal, env.id),
    listVariables(deps, principal, env.id),
    listGlobalSecrets(deps, principal, env.teamId ?? undefined),
    directSecrets.listDeleted(deps, principal, env.id),
    variableOps.listDeleted(deps, principal, env.id),
    listRequirements(deps, principal, env.id),
    checkRuntime(deps, principal, env.id),
  ]);
  const view: EnvironmentView = {
    env,
    secrets,
    variables,
    linkable: secretChoices(globals, secrets, variables),
    seen: jobView(secrets, variables),
    requirements,
    check,
    deletedSecrets,
    deletedVariables,
  };
  return page(c, <EnvironmentPage ctx={ctx} scope={scope} view={view} failed={failed} />, status);
}

/** After a form of the tab succeeded: back to the tab, at the section it changed. */
export const backToTab = (c: ConsoleContext, anchor: '#secrets' | '#requirements' | '#variables') =>
  c.redirect(`${environmentPath(c.req.param('envId')!)}${anchor}`, 303);
