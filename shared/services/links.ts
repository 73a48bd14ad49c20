import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import type { Principal } from '../auth/principal.js';
import { alreadyLinked, scopeMismatch } from '../conflicts.js';
import { entryCreate, entryHolder, findLinkEntry, linkEntryDelete, type LinkEntry } from '../data/entries.js';
import { deletedSecretLinksRemoved, secretsWithLinksPending } from '../data/deleted-secrets.js';
import {
  globalSecretExists,
  readGlobalSecret,
  secretLinkSeqBump,
  type GlobalSecretRecord,
} from '../data/global-secrets.js';
import { linkRemovalState, linksOf, secretLinkDelete, secretLinkPut } from '../data/links.js';
import {
  entryCountChange,
  pendingEnvironmentDeletes,
  readEnvironment,
  type EnvironmentRecord,
} from '../data/environments.js';
import { ApiError, notFound, type ErrorCode } from '../errors.js';
import { newId, now, requireId } from '../ids.js';
import type { OwnerKey } from '../owner-key.js';
import { mapLimit } from '../map-limit.js';
import { LIMITS } from '../rules.js';
import { TransactionFailed, transactWrite, type TableWrite } from '../storage/transact.js';
import { explainEntryFailure } from './entry-failures.js';
import { removeEnvironmentContents } from './environment-removal.js';
import { environmentFor } from './environments.js';

export interface LinkRef {
  ownerKey: OwnerKey;
  secretId: string;
  envId: string;
  /** The name the link's entry is under. */
  entryName: string;
}

const MAX_LINK_ATTEMPTS = 5;

const toLink = (link: LinkEntry): Api.Link => ({
  id: link.linkId,
  secretId: link.secretId,
  secretName: link.name,
  environmentId: link.envId,
  createdAt: link.createdAt,
});

export async function linkGlobalSecret(
  deps: Deps,
  principal: Principal,
  envId: string,
  secretId: string,
): Promise<Api.Link> {
  const env = await environmentFor(deps, principal, envId, 'write');
  requireId(secretId, 'Secret');
  await finishDeletes(deps, env.ownerKey);
  return toLink(await linkInto(deps, principal, env, secretId));
}

/** Links a secret of the environment's owner: the contract's 409s and 404s when it cannot. */
async function linkInto(
  deps: Deps,
  principal: Principal,
  env: EnvironmentRecord,
  secretId: string,
): Promise<LinkEntry> {
  for (let attempt = 1; ; attempt++) {
    const secret = await readGlobalSecret(deps.db, env.ownerKey, secretId);
    if (!secret) {
      if (await globalSecretExists(deps.db, secretId)) throw scopeMismatch();
      throw notFound('Secret');
    }
    const entry = newLinkEntry(env, secret);
    try {
      await transactWrite(deps.db, linkWrites(deps, principal, env, entry));
      return entry;
    } catch (err) {
      if (!(err instanceof TransactionFailed)) throw err;
      const holder = entryHolder(env.id, err.reasons[0]?.item);
      if (err.failedAt() === 0 && holder?.kind === 'link' && holder.secretId === secretId) throw alreadyLinked(holder);
      // The secret was renamed or deleted between our read and write: read it again.
      if (err.failedAt() === 3 && attempt < MAX_LINK_ATTEMPTS) continue;
      throw explainEntryFailure(err, env.id, entry.name, 0, 2, { action: 'link' });
    }
  }
}

/** Why a restored secret could not be linked again where it was. */
const RELINK_REFUSALS: Partial<Record<ErrorCode, Api.NotRelinked['reason']>> = {
  name_taken: 'name_taken',
  limit_exceeded: 'environment_full',
  not_found: 'environment_deleted',
};

/**
 * A restored secret linked again in the environments it was linked in, wherever its name is
 * still free; the others are named with the reason.
 */
export async function relink(
  deps: Deps,
  principal: Principal,
  secret: { ownerKey: OwnerKey; id: string },
  envIds: string[],
): Promise<{ relinked: string[]; notRelinked: Api.NotRelinked[] }> {
  const outcomes = await mapLimit(envIds, 8, async (environmentId): Promise<Api.NotRelinked | undefined> => {
    const env = await readEnvironment(deps.db, environmentId);
    // Deleted, or (never by the service) another owner's now: not this secret's to link.
    if (env?.ownerKey !== secret.ownerKey) return { environmentId, reason: 'environment_deleted' };
    try {
      await linkInto(deps, principal, env, secret.id);
      return undefined;
    } catch (err) {
      const reason = err instanceof ApiError ? RELINK_REFUSALS[err.code] : undefined;
      if (reason === undefined) throw err;
      return { environmentId, reason };
    }
  });
  return {
    relinked: envIds.filter((_, i) => outcomes[i] === undefined),
    notRelinked: outcomes.filter((o): o is Api.NotRelinked => o !== undefined),
  };
}

function newLinkEntry(env: EnvironmentRecord, secret: GlobalSecretRecord): LinkEntry {
  const at = now();
  return {
    envId: env.id,
    kind: 'link',
    id: secret.id,
    secretId: secret.id,
    linkId: newId(),
    name: secret.name,
    dekVersion: secret.sealed.dekVersion,
    secretVersion: secret.version,
    createdAt: at,
    updatedAt: at,
  };
}

/**
 * A link is its entry (the name's claim: first), its reverse index, one more entry in the
 * environment (second: within the limit) and a bump of the secret's link sequence, on the
 * condition that the secret still has the name linked (fourth).
 */
function linkWrites(deps: Deps, principal: Principal, env: EnvironmentRecord, entry: LinkEntry): TableWrite[] {
  return [
    entryCreate(entry),
    secretLinkPut({
      ownerKey: env.ownerKey,
      secretId: entry.secretId,
      envId: env.id,
      envOwner: env.owner,
      envName: env.name,
      createdAt: entry.createdAt,
    }),
    entryCountChange(env.id, 1, LIMITS.entriesPerEnvironment),
    secretLinkSeqBump(env.ownerKey, entry.secretId, entry.name),
    auditPut(deps, {
      owner: env.ownerKey,
      principal,
      action: 'link',
      target: { type: 'global_secret', id: entry.secretId, name: entry.name },
      environmentId: env.id,
    }),
  ];
}

export async function unlinkGlobalSecret(
  deps: Deps,
  principal: Principal,
  envId: string,
  secretId: string,
): Promise<Api.Link> {
  const env = await environmentFor(deps, principal, envId, 'write');
  requireId(secretId, 'Link');
  await finishDeletes(deps, env.ownerKey);
  const entry = await findLinkEntry(deps.db, env.id, secretId);
  if (!entry) throw notFound('Link');
  const removed = await removeLink(
    deps,
    { ownerKey: env.ownerKey, secretId, envId: env.id, entryName: entry.name },
    {
      extra: [
        auditPut(deps, {
          owner: env.ownerKey,
          principal,
          action: 'unlink',
          target: { type: 'global_secret', id: secretId, name: entry.name },
          environmentId: env.id,
        }),
      ],
    },
  );
  if (!removed) throw notFound('Link');
  return toLink(entry);
}

/**
 * Removes a link; false when another request removed it first. Removing a link takes its
 * entry and its reverse index together, lowers the environment's entry count and bumps the
 * secret's link sequence (so a concurrent rename or delete of the secret notices). The
 * environment or the secret may be gone (the caller deleting it says so in `gone`, else a
 * failed attempt finds out); then only what exists is touched.
 */
export async function removeLink(
  deps: Deps,
  link: LinkRef,
  options: { extra?: TableWrite[]; gone?: 'environment' | 'secret' } = {},
): Promise<boolean> {
  const extra = options.extra ?? [];
  let exists = { environment: options.gone !== 'environment', secret: options.gone !== 'secret' };
  for (let attempt = 0; ; attempt++) {
    try {
      await transactWrite(deps.db, [...linkRemovalWrites(link, exists), ...extra]);
      return true;
    } catch (err) {
      if (!(err instanceof TransactionFailed) || attempt >= 2) throw err;
      const state = await linkRemovalState(deps.db, link);
      exists = state;
      // A rename of the secret moved the entry to its new name: remove it there.
      const entryName = state.entryInPlace
        ? link.entryName
        : (await findLinkEntry(deps.db, link.envId, link.secretId))?.name;
      // Someone else removed this link first (with its reverse index): nothing left to do.
      if (entryName === undefined) return false;
      link = { ...link, entryName };
    }
  }
}

function linkRemovalWrites(link: LinkRef, exists: { environment: boolean; secret: boolean }): TableWrite[] {
  return [
    linkEntryDelete(link.envId, link.entryName, link.secretId),
    secretLinkDelete(link.ownerKey, link.secretId, link.envId),
    ...(exists.environment ? [entryCountChange(link.envId, -1)] : []),
    ...(exists.secret ? [secretLinkSeqBump(link.ownerKey, link.secretId)] : []),
  ];
}

/**
 * Finishes the owner's deletes of global secrets and environments. A delete of a global secret
 * removes its links after its own commit, in as many transactions as they need; then marks its
 * deleted copy done (it stays, restorable, until its purge time). A delete of an environment
 * removes its contents after its commit, then its mark (`removeEnvironmentContents`). Should
 * either stop half-way, the next global-secret, link or environment write of the owner finishes
 * it. Until then the leftover links resolve to nothing and are not listed (their secret is
 * gone), no link can be added (it needs the secret), and a deleted environment's leftovers have
 * no reader (its META is gone). True when it finished any.
 */
export async function finishDeletes(deps: Deps, ownerKey: OwnerKey): Promise<boolean> {
  const [deletedSecrets, deletedEnvironments] = await Promise.all([
    secretsWithLinksPending(deps.db, ownerKey),
    pendingEnvironmentDeletes(deps.db, ownerKey),
  ]);
  for (const envId of deletedEnvironments) await removeEnvironmentContents(deps, ownerKey, envId);
  for (const deleted of deletedSecrets) {
    const links = await linksOf(deps.db, ownerKey, deleted.id);
    await mapLimit(links, 8, (link) =>
      removeLink(
        deps,
        { ownerKey, secretId: deleted.id, envId: link.envId, entryName: deleted.name },
        { gone: 'secret' },
      ),
    );
    await transactWrite(deps.db, [deletedSecretLinksRemoved(ownerKey, deleted.id)]);
  }
  return deletedSecrets.length + deletedEnvironments.length > 0;
}
