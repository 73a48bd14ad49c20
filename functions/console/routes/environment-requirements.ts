import type { Hono } from 'hono';
import type * as Api from '../../../shared/api-objects.js';
import type { Principal } from '../../../shared/auth/principal.js';
import type { Deps } from '../../../shared/deps.js';
import { conflict, notFound } from '../../../shared/errors.js';
import { EntryName, RequirementBody } from '../../../shared/schemas.js';
import { environmentFor } from '../../../shared/services/environments.js';
import { listRequirements, putRequirement, removeRequirement } from '../../../shared/services/requirements.js';
import { ADD_REQUIREMENT_FORM, removeRequirementForm } from '../components/requirements.js';
import { flash } from '../cookies.js';
import { principalOf, type ConsoleContext, type ConsoleEnv } from '../context.js';
import { fromApiError, fromZod, optional } from '../forms.js';
import { NAME_CONFLICTS } from './entry-forms.js';
import { backToTab, environmentTab } from './environment-tab.js';

/** The Add requirement form: the name of the path of `PUT …/requirements/{name}`, with its body. */
const NewRequirement = RequirementBody.extend({ name: EntryName });

/** Add requirement and Remove, on an environment's Requirements tab. */
export function registerRequirementRoutes(app: Hono<ConsoleEnv>, deps: Deps): void {
  app.post('/console/environments/:envId/requirements', (c) => addRequirement(c, deps));
  app.post('/console/environments/:envId/requirements/:name/delete', (c) => removeOne(c, deps));
}

/**
 * Requires a name the environment does not require yet. The contract's PUT is idempotent; an
 * Add of a listed name is refused instead, so that it does not overwrite its description
 * unseen. A reader is refused as such first, whatever the name.
 */
async function requireNew(
  deps: Deps,
  principal: Principal,
  envId: string,
  { name, ...input }: { name: string; description?: string | null | undefined; optional?: boolean | undefined },
): Promise<Api.Requirement> {
  await environmentFor(deps, principal, envId, 'write');
  if ((await listRequirements(deps, principal, envId)).some((r) => r.name === name)) {
    throw conflict(
      'name_taken',
      `${name} is already required in this environment. To change its description or whether it is optional, remove it and add it again.`,
    );
  }
  return putRequirement(deps, principal, envId, name, input);
}

async function addRequirement(c: ConsoleContext, deps: Deps) {
  const fields = c.get('fields');
  const checked = fields.optional === 'yes';
  const shown = { name: fields.name ?? '', description: fields.description ?? '', optional: checked ? 'yes' : '' };
  const parsed = NewRequirement.safeParse({
    name: fields.name ?? '',
    description: optional(fields.description),
    optional: checked,
  });
  if (!parsed.success) {
    return environmentTab(c, deps, 'requirements', fromZod(ADD_REQUIREMENT_FORM, shown, parsed.error), 422);
  }
  let required: Api.Requirement;
  try {
    required = await requireNew(deps, principalOf(c), c.req.param('envId')!, parsed.data);
  } catch (err) {
    const { state, status } = fromApiError(ADD_REQUIREMENT_FORM, shown, err, NAME_CONFLICTS);
    return environmentTab(c, deps, 'requirements', state, status);
  }
  flash(c, `Requirement ${required.name} added${required.optional ? ' (optional)' : ''}.`);
  return backToTab(c, 'requirements');
}

/**
 * A refused Remove is shown beside the Remove button of its row (the form `unrequire-<name>`).
 * A path that is no name (crafted) names no requirement, before any read.
 */
async function removeOne(c: ConsoleContext, deps: Deps) {
  const name = c.req.param('name')!;
  let removed: Api.Requirement;
  try {
    if (!EntryName.safeParse(name).success) throw notFound('Requirement');
    removed = await removeRequirement(deps, principalOf(c), c.req.param('envId')!, name);
  } catch (err) {
    const { state, status } = fromApiError(removeRequirementForm(name), {}, err);
    return environmentTab(c, deps, 'requirements', state, status);
  }
  flash(c, `Requirement ${removed.name} removed.`);
  return backToTab(c, 'requirements');
}
