import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import { authorize, refuseMissing, type Action } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import { limitReached } from '../conflicts.js';
import {
  countEnvironmentClaims,
  environmentCountChange,
  environmentCreate,
  environmentDelete,
  environmentDeleteMark,
  environmentPageOf,
  environmentView,
  readEnvironment,
  readEnvironmentNamed,
  type EnvironmentRecord,
} from '../data/environments.js';
import { ownerCountStart, readOwnerCount } from '../data/owner-counts.js';
import { readSlug } from '../data/slugs.js';
import { readTeam } from '../data/teams.js';
import { readUser } from '../data/users.js';
import { conflict, notFound } from '../errors.js';
import { newId, now, requireId } from '../ids.js';
import { ownerKeyOf, ownerOf, type Owner, type OwnerKey } from '../owner-key.js';
import { EnvironmentName, Slug } from '../schemas.js';
import { TransactionFailed, transactWrite, type TableWrite } from '../storage/transact.js';
import { removeEnvironmentContents } from './environment-removal.js';
import { finishDeletes } from './links.js';
import { ownerFields, scopeOwner } from './scope.js';

/** `owner/name`, as people and the CLI name an environment. */
export const environmentLabel = (env: { owner: string; name: string }) => `${env.owner}/${env.name}`;

/** An environment the caller may act on, or the contract's 404/403. */
export async function environmentFor(
  deps: Deps,
  principal: Principal,
  envId: string,
  action: Action,
): Promise<EnvironmentRecord> {
  requireId(envId, 'Environment');
  const env = await readEnvironment(deps.db, envId);
  if (!env) return refuseMissing(deps, principal, 'Environment');
  await authorize(deps, principal, { ...ownerOf(env), envId }, action, 'Environment');
  return env;
}

/** One environment the caller may read, as the API shows it. */
export async function getEnvironment(deps: Deps, principal: Principal, envId: string): Promise<Api.Environment> {
  return environmentView(await environmentFor(deps, principal, envId, 'read'));
}

async function ownerSlug(deps: Deps, owner: Owner): Promise<string> {
  const profile = 'userId' in owner ? await readUser(deps.db, owner.userId) : await readTeam(deps.db, owner.teamId);
  if (!profile) throw notFound('teamId' in owner ? 'Team' : 'User');
  return profile.slug;
}

export async function createEnvironment(
  deps: Deps,
  principal: Principal,
  input: { name: string; teamId?: string | null | undefined },
): Promise<Api.Environment> {
  const owner = scopeOwner(principal, input.teamId);
  await authorize(deps, principal, owner, 'write', 'Team');
  const ownerKey = ownerKeyOf(owner);
  await finishDeletes(deps, ownerKey);
  const env: EnvironmentRecord = {
    id: newId(),
    owner: await ownerSlug(deps, owner),
    name: input.name,
    ...ownerFields(owner),
    createdAt: now(),
    ownerKey,
    entryCount: 0,
  };
  const max = deps.config.maxEnvironmentsPerOwner;
  const refused = (failed: TransactionFailed) =>
    failed.failedAt() === 0
      ? conflict('name_taken', `An environment named ${env.name} already exists for ${env.owner}. Choose another name.`)
      : limitReached(`An owner holds at most ${max} environments`, 'MAX_ENVIRONMENTS_PER_OWNER');
  await counted(deps, ownerKey, refused, [
    ...environmentCreate(env),
    environmentCountChange(ownerKey, 1, max),
    auditPut(deps, {
      owner: env.ownerKey,
      principal,
      action: 'create',
      target: { type: 'environment', id: env.id, name: env.name },
      environmentId: env.id,
    }),
  ]);
  return environmentView(env);
}

/** Where the owner's environment count is in the transactions of `counted`. */
const COUNT_AT = 2;

/**
 * Commits a create or delete of an environment with the change of the owner's count (third).
 * An owner whose environments were never counted (made before the count existed) is counted
 * from their name claims, once, and the transaction sent again; any other failed condition is
 * `refused`'s error.
 */
async function counted(
  deps: Deps,
  ownerKey: OwnerKey,
  refused: (failed: TransactionFailed) => Error,
  writes: TableWrite[],
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await transactWrite(deps.db, writes);
      return;
    } catch (err) {
      if (!(err instanceof TransactionFailed)) throw err;
      const uncounted =
        err.failedAt() === COUNT_AT && err.reasons[COUNT_AT]?.item?.environmentCount === undefined && attempt === 1;
      if (!uncounted) throw refused(err);
      await environmentCountOf(deps, ownerKey);
    }
  }
}

/** The owner's environment count; counted from the name claims the first time (environments made before it). */
async function environmentCountOf(deps: Deps, ownerKey: OwnerKey): Promise<number> {
  const count = await readOwnerCount(deps.db, ownerKey, 'environmentCount');
  if (count !== undefined) return count;
  return ownerCountStart(deps.db, ownerKey, 'environmentCount', await countEnvironmentClaims(deps.db, ownerKey));
}

/** A page of the owner's environments by name, and how many they are (the owner's count: no Query of them all). */
export async function listEnvironments(
  deps: Deps,
  principal: Principal,
  teamId: string | undefined,
  paging: { offset: number; limit: number },
): Promise<{ items: Api.Environment[]; totalCount: number }> {
  const owner = scopeOwner(principal, teamId);
  await authorize(deps, principal, owner, 'read', 'Team');
  const ownerKey = ownerKeyOf(owner);
  const [items, totalCount] = await Promise.all([
    environmentPageOf(deps.db, ownerKey, paging.offset, paging.limit),
    environmentCountOf(deps, ownerKey),
  ]);
  return { items, totalCount };
}

/** `GET /environmentshub/{owner}/{name}/@latest`: by the owner's slug and the name. */
export async function environmentBySlug(
  deps: Deps,
  principal: Principal,
  slug: string,
  name: string,
): Promise<Api.Environment> {
  // Anything the schemas would refuse names no environment: it cannot reach a key.
  if (!Slug.safeParse(slug).success || !EnvironmentName.safeParse(name).success) {
    throw notFound('Environment');
  }
  const claim = await readSlug(deps.db, slug);
  if (!claim) throw notFound('Environment');
  const owner: Owner = claim.kind === 'team' ? { teamId: claim.id } : { userId: claim.id };
  // Whoever may not read the owner's environments learns nothing of their names: refused
  // before the name is looked up, the same 404 whether it exists or not.
  await authorize(deps, principal, owner, 'read', 'Environment');
  const env = await readEnvironmentNamed(deps.db, ownerKeyOf(owner), name);
  if (!env) throw notFound('Environment');
  return env;
}

/**
 * A delete takes META, the name claim and one from the owner's count, and writes the mark that
 * its contents are still to be removed (`environmentDeleteMark`), in one transaction: from then on no reader finds the
 * environment. Its contents go after (`removeEnvironmentContents`), every page of them, before
 * the answer; should that stop half-way, the mark tells the owner's next write to finish it.
 */
export async function deleteEnvironment(deps: Deps, principal: Principal, envId: string): Promise<Api.Environment> {
  const env = await environmentFor(deps, principal, envId, 'write');
  await counted(deps, env.ownerKey, () => notFound('Environment'), [
    ...environmentDelete(env),
    environmentCountChange(env.ownerKey, -1),
    environmentDeleteMark(env, now()),
    auditPut(deps, {
      owner: env.ownerKey,
      principal,
      action: 'delete',
      target: { type: 'environment', id: env.id, name: env.name },
      environmentId: env.id,
    }),
  ]);
  await removeEnvironmentContents(deps, env.ownerKey, env.id);
  // Any other delete of the owner's that stopped half-way.
  await finishDeletes(deps, env.ownerKey);
  return environmentView(env);
}
