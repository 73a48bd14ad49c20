import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import { authorize, refuseMissing, type Action } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import { deleteDeletedEntries, readDeletedEntries } from '../data/deleted-entries.js';
import { readPartition, deleteEntries } from '../data/entries.js';
import { deleteRequirements } from '../data/requirements.js';
import {
  environmentCreate,
  environmentDelete,
  environmentView,
  listEnvironmentsOf,
  readEnvironment,
  readEnvironmentNamed,
  type EnvironmentRecord,
} from '../data/environments.js';
import { readSlug } from '../data/slugs.js';
import { readTeam } from '../data/teams.js';
import { readUser } from '../data/users.js';
import { conflict, notFound } from '../errors.js';
import { newId, now, requireId } from '../ids.js';
import { ownerKeyOf, ownerOf, type Owner } from '../owner-key.js';
import { deleteValueVersions } from '../data/value-versions.js';
import { mapLimit } from '../map-limit.js';
import { compareText } from '../pagination.js';
import { EnvironmentName, Slug } from '../schemas.js';
import { TransactionFailed, transactWrite } from '../storage/transact.js';
import { removeLink } from './links.js';
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
  const env: EnvironmentRecord = {
    id: newId(),
    owner: await ownerSlug(deps, owner),
    name: input.name,
    ...ownerFields(owner),
    createdAt: now(),
    ownerKey: ownerKeyOf(owner),
    entryCount: 0,
  };
  try {
    await transactWrite(deps.db, [
      ...environmentCreate(env),
      auditPut(deps, {
        owner: env.ownerKey,
        principal,
        action: 'create',
        target: { type: 'environment', id: env.id, name: env.name },
        environmentId: env.id,
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) {
      throw conflict(
        'name_taken',
        `An environment named ${env.name} already exists for ${env.owner}. Choose another name.`,
      );
    }
    throw err;
  }
  return environmentView(env);
}

export async function listEnvironments(
  deps: Deps,
  principal: Principal,
  teamId: string | undefined,
): Promise<Api.Environment[]> {
  const owner = scopeOwner(principal, teamId);
  await authorize(deps, principal, owner, 'read', 'Team');
  const environments = await listEnvironmentsOf(deps.db, ownerKeyOf(owner));
  return environments.sort((a, b) => compareText(a.name, b.name));
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

export async function deleteEnvironment(deps: Deps, principal: Principal, envId: string): Promise<Api.Environment> {
  const env = await environmentFor(deps, principal, envId, 'write');
  try {
    await transactWrite(deps.db, [
      ...environmentDelete(env),
      auditPut(deps, {
        owner: env.ownerKey,
        principal,
        action: 'delete',
        target: { type: 'environment', id: env.id, name: env.name },
        environmentId: env.id,
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) throw notFound('Environment');
    throw err;
  }
  // The environment is gone for every reader from here on (no META); its entries follow,
  // then every value it held: its deleted entries and all their versions.
  const removed = await removeEntries(deps, env);
  await removeValues(deps, env.id, removed);
  return environmentView(env);
}

/** The environment's recently deleted entries, and the versions of those and of `entryIds`. */
async function removeValues(deps: Deps, envId: string, entryIds: string[]): Promise<void> {
  const deleted = await readDeletedEntries(deps.db, envId);
  const ids = [...entryIds, ...deleted.map((d) => d.entry.id)];
  await mapLimit(ids, 8, (id) => deleteValueVersions(deps.db, id));
  await deleteDeletedEntries(deps.db, deleted);
}

/**
 * Deletes the entries and requirements of a deleted environment, and says which direct
 * secrets and variables it deleted. Links go with their reverse index and a bump
 * of their secret's link sequence (so a concurrent rename of that secret retries); the rest
 * in batches. Repeated until the partition reads empty, so an entry written by a racing
 * rename is removed too.
 */
async function removeEntries(deps: Deps, env: EnvironmentRecord): Promise<string[]> {
  const removed: string[] = [];
  for (let round = 0; round < 5; round++) {
    const { entries, requirements } = await readPartition(deps.db, env.id);
    if (entries.length === 0 && requirements.length === 0) break;
    await deleteRequirements(deps.db, requirements);
    await Promise.all(
      entries.flatMap((entry) =>
        entry.kind === 'link'
          ? [
              removeLink(
                deps,
                { ownerKey: env.ownerKey, secretId: entry.secretId, envId: env.id, entryName: entry.name },
                { gone: 'environment' },
              ),
            ]
          : [],
      ),
    );
    const own = entries.filter((e) => e.kind !== 'link');
    await deleteEntries(deps.db, own);
    removed.push(...own.map((e) => e.id));
  }
  return removed;
}
