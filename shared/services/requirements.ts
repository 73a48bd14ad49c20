import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import type { Principal } from '../auth/principal.js';
import type { EnvironmentRecord } from '../data/environments.js';
import { requirementCountChange } from '../data/environments.js';
import {
  readRequirement,
  readRequirements,
  requirementChange,
  requirementCreate,
  requirementDelete,
  type RequirementRecord,
} from '../data/requirements.js';
import { conflict, notFound } from '../errors.js';
import { now } from '../ids.js';
import { compareText } from '../pagination.js';
import { LIMITS } from '../rules.js';
import { TransactionFailed, transactWrite } from '../storage/transact.js';
import { environmentFor } from './environments.js';
import { optimistically, StaleRead } from './optimistic.js';

/**
 * An environment's requirements: the names its code reads. The runtime read refuses a set
 * that lacks a required one (shared/services/runtime.ts), and the check reports it first.
 */
export const toRequirement = (r: RequirementRecord): Api.Requirement => ({
  name: r.name,
  description: r.description,
  optional: r.optional,
  createdAt: r.createdAt,
});

export async function listRequirements(deps: Deps, principal: Principal, envId: string): Promise<Api.Requirement[]> {
  const env = await environmentFor(deps, principal, envId, 'read');
  const requirements = await readRequirements(deps.db, env.id);
  return requirements.map(toRequirement).sort((a, b) => compareText(a.name, b.name));
}

const requirementAudit = (
  deps: Deps,
  principal: Principal,
  env: EnvironmentRecord,
  name: string,
  action: 'require' | 'unrequire',
) =>
  auditPut(deps, {
    owner: env.ownerKey,
    principal,
    action,
    target: { type: 'requirement', id: name, name },
    environmentId: env.id,
  });

/** `PUT`: requires the name, or changes its description and optional flag (idempotent). */
export async function putRequirement(
  deps: Deps,
  principal: Principal,
  envId: string,
  name: string,
  input: { description?: string | null | undefined; optional?: boolean | undefined },
): Promise<Api.Requirement> {
  const env = await environmentFor(deps, principal, envId, 'write');
  return optimistically('requirement', async () => {
    const existing = await readRequirement(deps.db, env.id, name);
    const requirement: RequirementRecord = {
      envId: env.id,
      name,
      description: input.description ?? null,
      optional: input.optional === true,
      createdAt: existing?.createdAt ?? now(),
    };
    const audit = requirementAudit(deps, principal, env, name, 'require');
    try {
      await transactWrite(
        deps.db,
        existing
          ? [requirementChange(requirement), audit]
          : [
              requirementCreate(requirement),
              requirementCountChange(env.id, 1, LIMITS.requirementsPerEnvironment),
              audit,
            ],
      );
    } catch (err) {
      if (!(err instanceof TransactionFailed)) throw err;
      if (existing || err.failedAt() === 0) throw new StaleRead(); // required or removed meanwhile: read again
      if (!err.reasons[1]?.item) throw notFound('Environment');
      throw conflict(
        'limit_exceeded',
        `An environment holds at most ${LIMITS.requirementsPerEnvironment} requirements.`,
      );
    }
    return toRequirement(requirement);
  });
}

export async function removeRequirement(
  deps: Deps,
  principal: Principal,
  envId: string,
  name: string,
): Promise<Api.Requirement> {
  const env = await environmentFor(deps, principal, envId, 'write');
  const existing = await readRequirement(deps.db, env.id, name);
  if (!existing) throw notFound('Requirement');
  try {
    await transactWrite(deps.db, [
      requirementDelete(env.id, name),
      requirementCountChange(env.id, -1),
      requirementAudit(deps, principal, env, name, 'unrequire'),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) throw notFound('Requirement');
    throw err;
  }
  return toRequirement(existing);
}
