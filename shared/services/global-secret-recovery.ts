import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { authorize } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import { globalNameTaken } from '../conflicts.js';
import { openValue, sealValue } from '../crypto/values.js';
import { deletedSecretTake, readDeletedSecret, readDeletedSecrets } from '../data/deleted-secrets.js';
import {
  secretCountChange,
  secretCreate,
  secretIdReclaim,
  secretNameClaim,
  type GlobalSecretRecord,
} from '../data/global-secrets.js';
import { deleteValueVersions } from '../data/value-versions.js';
import { notFound } from '../errors.js';
import { now, requireId } from '../ids.js';
import { ownerKeyOf, type Owner, type OwnerKey } from '../owner-key.js';
import { compareText } from '../pagination.js';
import { LIMITS } from '../rules.js';
import { TransactionFailed, transactWrite } from '../storage/transact.js';
import { deleteGlobalSecret, globalPlace, secretAudit, secretLimitReached, toGlobalSecret } from './global-secrets.js';
import { finishDeletes, relink } from './links.js';
import { optimistically } from './optimistic.js';
import { isRecoverable } from './recovery-window.js';
import { transactSealed } from './sealing.js';
import { scopeOwner } from './scope.js';

/** The scope's recently deleted global secrets, the latest delete first, each with the environments it was linked in. */
export async function listDeletedGlobalSecrets(
  deps: Deps,
  principal: Principal,
  teamId: string | undefined,
): Promise<Api.DeletedGlobalSecret[]> {
  const owner = scopeOwner(principal, teamId);
  await authorize(deps, principal, owner, 'read', 'Team');
  const deleted = await readDeletedSecrets(deps.db, ownerKeyOf(owner));
  return deleted
    .filter(isRecoverable)
    .sort((a, b) => compareText(b.deletedAt, a.deletedAt))
    .map((d) => ({
      ...toGlobalSecret(d.secret),
      linkedEnvironments: d.linkedEnvironments,
      deletedAt: d.deletedAt,
      purgeAt: d.purgeAt,
    }));
}

/** A deleted secret of the owner still within its window, its links all removed; or 404. */
async function recoverable(deps: Deps, principal: Principal, owner: Owner, secretId: string) {
  requireId(secretId, 'Secret');
  await authorize(deps, principal, owner, 'write', 'Secret');
  const ownerKey = ownerKeyOf(owner);
  await finishDeletes(deps, ownerKey);
  const deleted = await readDeletedSecret(deps.db, ownerKey, secretId);
  if (!deleted || !isRecoverable(deleted)) throw notFound('Secret');
  return deleted;
}

/**
 * Puts a deleted secret back, under its name or `name`, with its history, then links it again
 * wherever it was linked and its name is still free; the rest are reported with the reason.
 * Its value is sealed again under the owner's newest data key (it may have rotated since).
 */
export async function restoreGlobalSecret(
  deps: Deps,
  principal: Principal,
  secretId: string,
  teamId: string | undefined,
  name: string | undefined,
): Promise<Api.RestoredGlobalSecret> {
  const owner = scopeOwner(principal, teamId);
  const restored = await optimistically('secret', async () => {
    const deleted = await recoverable(deps, principal, owner, secretId);
    const secret = await resealed(deps, { ...deleted.secret, name: name ?? deleted.secret.name, updatedAt: now() });
    try {
      await transactSealed(deps, secret.ownerKey, secret.sealed.dekVersion, [
        secretNameClaim(secret.ownerKey, secret.name, secretId),
        secretCreate(secret),
        secretCountChange(secret.ownerKey, 1, LIMITS.globalSecretsPerOwner),
        deletedSecretTake(secret.ownerKey, secretId),
        secretIdReclaim(secretId),
        secretAudit(deps, principal, secret, 'restore'),
      ]);
    } catch (err) {
      if (!(err instanceof TransactionFailed)) throw err;
      if (err.failedAt() === 0) throw globalNameTaken(secret.name);
      if (err.failedAt() === 2) throw secretLimitReached();
      // Restored or purged by another request meanwhile.
      throw notFound('Secret');
    }
    return { secret, linkedTo: deleted.linkedEnvironments.map((e) => e.id) };
  });
  const { relinked, notRelinked } = await relink(deps, principal, restored.secret, restored.linkedTo);
  return { secret: toGlobalSecret(restored.secret), relinked, notRelinked };
}

async function resealed(deps: Deps, secret: GlobalSecretRecord): Promise<GlobalSecretRecord> {
  const value = await openValue(deps.dataKeys, secret.ownerKey, globalPlace(secret.id), secret.sealed);
  return { ...secret, sealed: await sealValue(deps.dataKeys, secret.ownerKey, globalPlace(secret.id), value) };
}

/**
 * `DELETE /secrets/{id}`: a live secret goes to recently deleted (with `purge`, then destroyed
 * too); with `purge`, one already deleted is destroyed. Its versions go with a purge.
 */
export async function removeGlobalSecret(
  deps: Deps,
  principal: Principal,
  secretId: string,
  teamId: string | undefined,
  purge: boolean,
): Promise<Api.GlobalSecret> {
  const owner = scopeOwner(principal, teamId);
  if (!purge) return toGlobalSecret(await deleteGlobalSecret(deps, principal, owner, secretId));
  // Not deleted yet: deleted first (404 if it is neither), so its links go as they always do.
  if (!(await readDeletedSecret(deps.db, ownerKeyOf(owner), requireId(secretId, 'Secret')))) {
    await deleteGlobalSecret(deps, principal, owner, secretId);
  }
  const deleted = await recoverable(deps, principal, owner, secretId);
  await purgeDeleted(deps, principal, deleted.secret.ownerKey, deleted.secret);
  return toGlobalSecret(deleted.secret);
}

async function purgeDeleted(
  deps: Deps,
  principal: Principal,
  ownerKey: OwnerKey,
  secret: GlobalSecretRecord,
): Promise<void> {
  try {
    await transactWrite(deps.db, [
      deletedSecretTake(ownerKey, secret.id),
      secretAudit(deps, principal, secret, 'purge'),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) throw notFound('Secret');
    throw err;
  }
  await deleteValueVersions(deps.db, secret.id);
}
