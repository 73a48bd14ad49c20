import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import type { AuditAction } from '../data/audit-events.js';
import { deletedSecretPut } from '../data/deleted-secrets.js';
import { authorize } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import { globalNameTaken, nameTakenInLinkedEnvironments } from '../conflicts.js';
import { openValue, sealValue, type ValuePlace } from '../crypto/values.js';
import {
  entryCreate,
  entryReserve,
  linkHintsUpdate,
  linkEntryDelete,
  linkEntryOverReservation,
  readEntriesNamed,
  reservationRelease,
  reservedIn,
  type EntryInfo,
} from '../data/entries.js';
import {
  listGlobalSecretsOf,
  readGlobalSecret,
  secretCountChange,
  secretCreate,
  secretDelete,
  secretIdClaim,
  secretIdRelease,
  secretNameClaim,
  secretNameRelease,
  secretNameReleaseOf,
  secretRenameBegin,
  secretRenameEnd,
  secretUpdate,
  type GlobalSecretChange,
  type GlobalSecretRecord,
  type SecretRename,
} from '../data/global-secrets.js';
import { linksOf, type SecretLinkRecord } from '../data/links.js';
import { pendingEnvironmentDeletes } from '../data/environments.js';
import { ApiError, conflict, notFound } from '../errors.js';
import { newId, now, requireId } from '../ids.js';
import { chunksOf } from '../chunks.js';
import { mapLimit } from '../map-limit.js';
import { ownerKeyOf, type Owner, type OwnerKey } from '../owner-key.js';
import { compareText } from '../pagination.js';
import { requireValueForKind } from '../schemas.js';
import { LIMITS } from '../rules.js';
import { TransactionFailed, transactWrite, type TableWrite } from '../storage/transact.js';
import { environmentLabel } from './environments.js';
import { finishDeletes } from './links.js';
import { optimistically, StaleRead } from './optimistic.js';
import { purgeTime } from './recovery-window.js';
import { transactSealed } from './sealing.js';
import { keptVersion, listVersions, requireVersion, versionWrites } from './value-history.js';
import { ownerFields, scopeOwner } from './scope.js';
import { errorName } from '../logger.js';

/**
 * A rename touches 4 items and the owner's revision, plus 3 per linked environment (the link
 * entry's two writes and the environment's revision), and with a new value its version (2) and
 * the data key check (1); TransactWriteItems takes 100.
 */
const MAX_LINKS_PER_RENAME = 30;
/**
 * Environments per transaction of a rename in chunks: one reservation each (no revision: no
 * reader sees one), or a move of two writes and the revision.
 */
const RESERVATIONS_PER_WRITE = 100;
const MOVES_PER_WRITE = 33;
/** How long an uncommitted rename in chunks holds its reservations before a later write may undo it. */
const RENAME_HOLD_SECONDS = 60;
/** Past the hold, how long a reservation lasts for a committed rename to be finished by a later write. */
const RESERVATION_TTL_SECONDS = 7 * 24 * 3600;

type SecretInput = {
  name?: string | undefined;
  value?: string | undefined;
  description?: string | null | undefined;
  expiresAt?: string | null | undefined;
};

export const toGlobalSecret = (secret: GlobalSecretRecord): Api.GlobalSecret => ({
  id: secret.id,
  name: secret.name,
  description: secret.description,
  isFile: secret.isFile,
  userId: secret.userId,
  teamId: secret.teamId,
  version: secret.version,
  expiresAt: secret.expiresAt,
  createdAt: secret.createdAt,
  updatedAt: secret.updatedAt,
});

export const toEnvironmentRef = (link: SecretLinkRecord): Api.EnvironmentRef => ({
  id: link.envId,
  owner: link.envOwner,
  name: link.envName,
});

export async function secretInScope(
  deps: Deps,
  principal: Principal,
  owner: Owner,
  secretId: string,
  action: 'read' | 'write',
): Promise<GlobalSecretRecord> {
  requireId(secretId, 'Secret');
  await authorize(deps, principal, owner, action, 'Secret');
  const secret = await readGlobalSecret(deps.db, ownerKeyOf(owner), secretId);
  if (!secret) throw notFound('Secret');
  if (action === 'write' && secret.rename) {
    await settleRename(deps, secret, secret.rename);
    throw new StaleRead();
  }
  return secret;
}

export async function listGlobalSecrets(
  deps: Deps,
  principal: Principal,
  teamId: string | undefined,
): Promise<Api.GlobalSecret[]> {
  const owner = scopeOwner(principal, teamId);
  await authorize(deps, principal, owner, 'read', 'Team');
  const secrets = await listGlobalSecretsOf(deps.db, ownerKeyOf(owner));
  return secrets.sort((a, b) => compareText(a.name, b.name));
}

/** The owner's global secrets, each with the environments linking it (the console's dashboard). */
export async function listGlobalSecretsWithLinks(
  deps: Deps,
  principal: Principal,
  teamId: string | undefined,
): Promise<Api.GlobalSecretDetail[]> {
  const secrets = await listGlobalSecrets(deps, principal, teamId);
  const ownerKey = ownerKeyOf(scopeOwner(principal, teamId));
  const gone = await environmentsBeingDeleted(deps, ownerKey);
  return mapLimit(secrets, 8, async (secret) => ({
    ...secret,
    linkedEnvironments: (await linksOf(deps.db, ownerKey, secret.id))
      .filter((link) => !gone.has(link.envId))
      .map(toEnvironmentRef)
      .sort((a, b) => compareText(environmentLabel(a), environmentLabel(b))),
  }));
}

export function createGlobalSecret(
  deps: Deps,
  principal: Principal,
  input: SecretInput & {
    name: string;
    value: string;
    isFile?: boolean | undefined;
    teamId?: string | null | undefined;
  },
): Promise<Api.GlobalSecret> {
  const owner = scopeOwner(principal, input.teamId);
  return optimistically('secret', async () => {
    await authorize(deps, principal, owner, 'write', 'Team');
    const ownerKey = ownerKeyOf(owner);
    await finishDeletes(deps, ownerKey);
    const id = newId();
    const at = now();
    const secret: GlobalSecretRecord = {
      id,
      name: input.name,
      description: input.description ?? null,
      isFile: input.isFile === true,
      ...ownerFields(owner),
      version: 1,
      expiresAt: input.expiresAt ?? null,
      createdAt: at,
      updatedAt: at,
      ownerKey,
      sealed: await sealValue(deps.dataKeys, ownerKey, globalPlace(id), input.value),
      linkSeq: 0,
    };
    try {
      await transactSealed(deps, ownerKey, secret.sealed.dekVersion, [
        secretNameClaim(ownerKey, secret.name, id),
        secretCreate(secret),
        secretIdClaim(ownerKey, id),
        secretCountChange(ownerKey, 1, LIMITS.globalSecretsPerOwner),
        secretAudit(deps, principal, secret, 'create'),
        ...versionWrites(principal, id, 1, { sealed: secret.sealed }, at),
      ]);
    } catch (err) {
      if (err instanceof TransactionFailed) {
        if (err.failedAt() === 0) throw globalNameTaken(input.name);
        throw secretLimitReached();
      }
      throw err;
    }
    return toGlobalSecret(secret);
  });
}

export const secretLimitReached = () =>
  conflict('limit_exceeded', `An owner holds at most ${LIMITS.globalSecretsPerOwner} global secrets.`);

/** Where a global secret's value belongs: bound into its seal, so a copy elsewhere fails to open. */
export const globalPlace = (secretId: string): ValuePlace => ({ kind: 'global', secretId });

/** The audit event of a change to a global secret, under the name it has after the change. */
export const secretAudit = (
  deps: Deps,
  principal: Principal,
  secret: { ownerKey: OwnerKey; id: string; name: string },
  action: AuditAction,
) =>
  auditPut(deps, {
    owner: secret.ownerKey,
    principal,
    action,
    target: { type: 'global_secret', id: secret.id, name: secret.name },
  });

export async function getGlobalSecret(
  deps: Deps,
  principal: Principal,
  secretId: string,
  teamId: string | undefined,
): Promise<Api.GlobalSecretDetail> {
  const owner = scopeOwner(principal, teamId);
  const secret = await secretInScope(deps, principal, owner, secretId, 'read');
  const [links, gone] = await Promise.all([
    linksOf(deps.db, secret.ownerKey, secretId),
    environmentsBeingDeleted(deps, secret.ownerKey),
  ]);
  const linked = links.filter((link) => !gone.has(link.envId));
  return { ...toGlobalSecret(secret), linkedEnvironments: linked.map(toEnvironmentRef) };
}

/**
 * Deleted environments whose contents a stopped delete left (the owner's next write removes
 * them, `finishDeletes`): their links are still stored, but no reader lists them.
 */
async function environmentsBeingDeleted(deps: Deps, ownerKey: OwnerKey): Promise<Set<string>> {
  return new Set(await pendingEnvironmentDeletes(deps.db, ownerKey));
}

export async function updateGlobalSecret(
  deps: Deps,
  principal: Principal,
  secretId: string,
  teamId: string | undefined,
  input: SecretInput,
  ifMatch?: number,
): Promise<Api.GlobalSecret> {
  const owner = scopeOwner(principal, teamId);
  await finishDeletes(deps, ownerKeyOf(owner));
  return optimistically('secret', async () => {
    const secret = await secretInScope(deps, principal, owner, secretId, 'write');
    requireVersion('secret', secret.version, ifMatch);
    if (input.value !== undefined) requireValueForKind(input.value, secret.isFile);
    const renaming = input.name !== undefined && input.name !== secret.name;
    return renaming
      ? renameGlobalSecret(deps, principal, secret, { ...input, name: input.name! })
      : changeGlobalSecret(deps, principal, secret, input, 'update');
  });
}

/** A rollback writes a new version holding the value of a kept one: history is never rewritten. */
export async function rollbackGlobalSecret(
  deps: Deps,
  principal: Principal,
  secretId: string,
  teamId: string | undefined,
  version: number,
): Promise<Api.GlobalSecret> {
  const owner = scopeOwner(principal, teamId);
  await finishDeletes(deps, ownerKeyOf(owner));
  return optimistically('secret', async () => {
    const secret = await secretInScope(deps, principal, owner, secretId, 'write');
    const { content } = await keptVersion(deps, secretId, version);
    if (!('sealed' in content)) throw notFound('Version');
    const value = await openValue(deps.dataKeys, secret.ownerKey, globalPlace(secretId), content.sealed);
    return changeGlobalSecret(deps, principal, secret, { value }, 'rollback');
  });
}

/** The kept versions of a global secret: who wrote each and when, never a value. */
export async function listGlobalSecretVersions(
  deps: Deps,
  principal: Principal,
  secretId: string,
  teamId: string | undefined,
): Promise<Api.ValueVersion[]> {
  const secret = await secretInScope(deps, principal, scopeOwner(principal, teamId), secretId, 'read');
  return listVersions(deps, secretId, secret, false);
}

/** What a change writes: the name (kept or new), any new description or value (one version on), and when. */
async function changeOf(deps: Deps, secret: GlobalSecretRecord, input: SecretInput): Promise<GlobalSecretChange> {
  return {
    name: input.name ?? secret.name,
    ...(input.description === undefined ? {} : { description: input.description }),
    ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt }),
    ...(input.value === undefined
      ? {}
      : {
          sealed: await sealValue(deps.dataKeys, secret.ownerKey, globalPlace(secret.id), input.value),
          version: secret.version + 1,
        }),
    updatedAt: now(),
  };
}

/** What a link entry knows of its secret's value. */
const hintsOf = (secret: GlobalSecretRecord) => ({
  dekVersion: secret.sealed.dekVersion,
  secretVersion: secret.version,
});

/**
 * After a change of value (`dekVersion` set): each link entry told the new version and data
 * key, so that a runtime read names it in its audit event and batches its key before reading
 * the secret. Outside the change's transaction, which it would outgrow: until it lands a
 * runtime read finds the hint stale and corrects itself (shared/services/runtime.ts).
 */
async function withLinksTold(
  deps: Deps,
  secret: GlobalSecretRecord,
  dekVersion: number | undefined,
): Promise<GlobalSecretRecord> {
  if (dekVersion === undefined) return secret;
  const links = await linksOf(deps.db, secret.ownerKey, secret.id);
  await mapLimit(links, 8, (link) =>
    // A link removed meanwhile has no entry to tell.
    transactWrite(deps.db, [linkHintsUpdate(link.envId, secret.name, secret.id, hintsOf(secret))]).catch(
      (err: unknown) => {
        if (!(err instanceof TransactionFailed)) throw err;
      },
    ),
  ).catch((err: unknown) =>
    deps.logger.warn('link hints of a changed global secret left stale', {
      secretId: secret.id,
      error: errorName(err),
    }),
  );
  return secret;
}

/** A new value's version item and the data key version it is sealed under (none when the value stays). */
function newValueOf(principal: Principal, secret: GlobalSecretRecord, change: GlobalSecretChange) {
  const { sealed, version } = change;
  if (sealed === undefined || version === undefined) return { dekVersion: undefined, writes: [] };
  return {
    dekVersion: sealed.dekVersion,
    writes: versionWrites(principal, secret.id, version, { sealed }, change.updatedAt),
  };
}

async function changeGlobalSecret(
  deps: Deps,
  principal: Principal,
  secret: GlobalSecretRecord,
  input: SecretInput,
  action: 'update' | 'rollback',
): Promise<Api.GlobalSecret> {
  const change = await changeOf(deps, secret, input);
  const newValue = newValueOf(principal, secret, change);
  try {
    await transactSealed(deps, secret.ownerKey, newValue.dekVersion, [
      // Still under the name we read: a rename meanwhile moved its claim and link entries, and
      // writing the old name back would leave them pointing at a name the secret no longer has.
      secretUpdate(secret, change),
      secretAudit(deps, principal, secret, action),
      ...newValue.writes,
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) throw new StaleRead();
    throw err;
  }
  return toGlobalSecret(await withLinksTold(deps, { ...secret, ...change }, newValue.dekVersion));
}

/**
 * A rename claims the new name in the owner's scope and renames the entry in every linked
 * environment, all in one transaction: either every place has the new name or none has.
 * Linked to more environments than one transaction holds, it goes in chunks (`renameInChunks`).
 */
async function renameGlobalSecret(
  deps: Deps,
  principal: Principal,
  secret: GlobalSecretRecord,
  input: SecretInput & { name: string },
): Promise<Api.GlobalSecret> {
  const links = await linksOf(deps.db, secret.ownerKey, secret.id);
  await refuseTakenName(deps, links, input.name);
  const change = { ...(await changeOf(deps, secret, input)), name: input.name };
  if (links.length > MAX_LINKS_PER_RENAME) return renameInChunks(deps, principal, secret, links, change);
  const moves = await linkEntryMoves(deps, secret, links, input.name, change.updatedAt);
  const newValue = newValueOf(principal, secret, change);
  try {
    await transactSealed(deps, secret.ownerKey, newValue.dekVersion, [
      secretUpdate(secret, change),
      secretNameRelease(secret.ownerKey, secret.name),
      secretNameClaim(secret.ownerKey, input.name, secret.id),
      ...moves,
      secretAudit(deps, principal, { ...secret, name: input.name }, 'rename'),
      ...newValue.writes,
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) {
      if (err.failedAt() === 2) throw globalNameTaken(input.name);
      throw new StaleRead();
    }
    throw err;
  }
  return toGlobalSecret(await withLinksTold(deps, { ...secret, ...change }, newValue.dekVersion));
}

/** The new name taken in a linked environment: 409 naming each. */
async function refuseTakenName(deps: Deps, links: SecretLinkRecord[], name: string): Promise<void> {
  const holders = await readEntriesNamed(
    deps.db,
    links.map((l) => ({ envId: l.envId, name })),
  );
  const taken = links
    .map((l, i) => ({ environment: environmentLabel({ owner: l.envOwner, name: l.envName }), holder: holders[i] }))
    .filter((p): p is { environment: string; holder: EntryInfo } => p.holder !== undefined);
  if (taken.length > 0) throw nameTakenInLinkedEnvironments(name, taken);
}

/**
 * A rename in chunks. Begun: the secret marked with the rename (on the condition that it is
 * unchanged) and the new name claimed. Reserved: the new name in every linked environment,
 * in chunks, a reservation no reader sees as an entry. Committed: the secret's new name, in
 * one transaction on the condition that no link or unlink came meanwhile. Then each
 * environment's link entry moves onto its reservation. Until the commit every reader sees
 * the old name; a conflict before it undoes the reservations. Should the process stop, the
 * mark on the secret tells the next write of it to finish (committed) or undo (expired) it.
 */
async function renameInChunks(
  deps: Deps,
  principal: Principal,
  secret: GlobalSecretRecord,
  links: SecretLinkRecord[],
  change: GlobalSecretChange & { name: string },
): Promise<Api.GlobalSecret> {
  const rename: SecretRename = {
    id: newId(),
    from: secret.name,
    to: change.name,
    expiresAt: Math.floor(Date.now() / 1000) + RENAME_HOLD_SECONDS,
    envIds: links.map((l) => l.envId),
  };
  await beginRename(deps, secret, rename);
  try {
    await reserveNewName(deps, links, rename);
    const newValue = newValueOf(principal, secret, change);
    await transactSealed(deps, secret.ownerKey, newValue.dekVersion, [
      secretUpdate(secret, change, rename.id),
      secretNameRelease(secret.ownerKey, secret.name),
      secretAudit(deps, principal, { ...secret, name: change.name }, 'rename'),
      ...newValue.writes,
    ]);
  } catch (err) {
    // Not committed: a failed condition or a failed reservation. Anything else may have
    // committed, and is left to the next write to settle by the mark.
    if (err instanceof TransactionFailed || err instanceof ApiError || err instanceof StaleRead) {
      await undoRename(deps, secret, rename);
      throw err instanceof TransactionFailed ? new StaleRead() : err;
    }
    throw err;
  }
  // Each link entry moves with what it knows of the secret's value (finishRename).
  await finishRename(deps, { ...secret, ...change }, rename);
  return toGlobalSecret({ ...secret, ...change });
}

async function beginRename(deps: Deps, secret: GlobalSecretRecord, rename: SecretRename): Promise<void> {
  try {
    await transactWrite(deps.db, [
      secretRenameBegin(secret, rename),
      secretNameClaim(secret.ownerKey, rename.to, secret.id),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) throw err.failedAt() === 1 ? globalNameTaken(rename.to) : new StaleRead();
    throw err;
  }
}

/** The new name reserved in every environment; where it is taken, 409 naming them. */
async function reserveNewName(deps: Deps, links: SecretLinkRecord[], rename: SecretRename): Promise<void> {
  // One chunk after another: an undo after a failure then finds every reservation made.
  for (const chunk of chunksOf(links, RESERVATIONS_PER_WRITE)) {
    try {
      await transactWrite(
        deps.db,
        chunk.map((l) => entryReserve(l.envId, rename.to, rename.id, rename.expiresAt + RESERVATION_TTL_SECONDS)),
      );
    } catch (err) {
      if (!(err instanceof TransactionFailed)) throw err;
      // Taken since our check (named), or held by another rename's reservation (read again).
      await refuseTakenName(deps, links, rename.to);
      throw new StaleRead();
    }
  }
}

/** An uncommitted rename undone: its reservations, then its name claim and mark together. */
async function undoRename(deps: Deps, secret: GlobalSecretRecord, rename: SecretRename): Promise<void> {
  const held = await reservedIn(deps.db, rename.envIds, rename.to, rename.id);
  await mapLimit(chunksOf([...held], RESERVATIONS_PER_WRITE), 4, (chunk) =>
    transactWrite(
      deps.db,
      chunk.map((envId) => reservationRelease(envId, rename.to, rename.id)),
    ),
  );
  await endRename(
    deps,
    secretNameReleaseOf(secret.ownerKey, rename.to, secret.id),
    secretRenameEnd(secret.ownerKey, secret.id, rename.id, rename.from),
  );
}

/** The rename's last transaction; a failed condition means another write ended it first. */
async function endRename(deps: Deps, ...writes: TableWrite[]): Promise<void> {
  try {
    await transactWrite(deps.db, writes);
  } catch (err) {
    if (!(err instanceof TransactionFailed)) throw err;
  }
}

/**
 * A committed rename finished: each environment's link entry moved onto its reservation (or
 * the reservation dropped where the link went meanwhile), then the mark removed. A move that
 * lost a race with an unlink is read again. Moves already made read as done.
 */
async function finishRename(deps: Deps, secret: GlobalSecretRecord, rename: SecretRename): Promise<void> {
  const { envIds } = rename;
  for (let attempt = 0; ; attempt++) {
    const [entries, held] = await Promise.all([
      readEntriesNamed(
        deps.db,
        envIds.map((envId) => ({ envId, name: rename.from })),
      ),
      reservedIn(deps.db, envIds, rename.to, rename.id),
    ]);
    const moves = envIds.flatMap((envId, i) => {
      const entry = entries[i];
      if (entry?.kind !== 'link' || entry.secretId !== secret.id) {
        return held.has(envId) ? [[reservationRelease(envId, rename.to, rename.id)]] : [];
      }
      const moved = { ...entry, name: rename.to, updatedAt: secret.updatedAt, ...hintsOf(secret) };
      // Without its reservation (expired by ttl before anyone finished), onto a free name.
      const put = held.has(envId) ? linkEntryOverReservation(moved, rename.id) : entryCreate(moved);
      return [[linkEntryDelete(envId, rename.from, secret.id), put]];
    });
    try {
      for (const chunk of chunksOf(moves, MOVES_PER_WRITE)) await transactWrite(deps.db, chunk.flat());
      await endRename(deps, secretRenameEnd(secret.ownerKey, secret.id, rename.id, rename.to));
      return;
    } catch (err) {
      if (!(err instanceof TransactionFailed) || attempt >= 2) throw err;
    }
  }
}

/** A rename found marked on the secret: finished if committed, undone once its hold expired. */
async function settleRename(deps: Deps, secret: GlobalSecretRecord, rename: SecretRename): Promise<void> {
  if (secret.name === rename.to) await finishRename(deps, secret, rename);
  else if (rename.expiresAt < Date.now() / 1000) await undoRename(deps, secret, rename);
}

/** Each linked environment's entry moved from the secret's name to `name`; a stale read retries. */
async function linkEntryMoves(
  deps: Deps,
  secret: GlobalSecretRecord,
  links: SecretLinkRecord[],
  name: string,
  updatedAt: string,
): Promise<TableWrite[]> {
  const entries = await readEntriesNamed(
    deps.db,
    links.map((l) => ({ envId: l.envId, name: secret.name })),
  );
  return entries.flatMap((entry) => {
    if (entry?.kind !== 'link' || entry.secretId !== secret.id) throw new StaleRead();
    return [linkEntryDelete(entry.envId, secret.name, secret.id), entryCreate({ ...entry, name, updatedAt })];
  });
}

/**
 * A delete takes the secret, its name and id claims and its count in one transaction, and
 * keeps a copy of it with the environments linking it (restorable until its purge time,
 * global-secret-recovery.ts): from that commit on no reader finds the secret and no link to it
 * can be made. Its links go after, by `finishDeletes`, which the next write of the owner runs
 * again should this one stop half-way.
 */
export async function deleteGlobalSecret(
  deps: Deps,
  principal: Principal,
  owner: Owner,
  secretId: string,
): Promise<GlobalSecretRecord> {
  await finishDeletes(deps, ownerKeyOf(owner));
  const secret = await optimistically('secret', async () => {
    const secret = await secretInScope(deps, principal, owner, secretId, 'write');
    const links = await linksOf(deps.db, secret.ownerKey, secretId);
    const deletedAt = now();
    try {
      await transactWrite(deps.db, [
        // Unchanged since read: under the name its claim and link entries have, with the links we list.
        secretDelete(secret),
        secretNameRelease(secret.ownerKey, secret.name),
        secretIdRelease(secretId, deletedAt),
        secretCountChange(secret.ownerKey, -1),
        deletedSecretPut({
          secret,
          linkedEnvironments: links.map(toEnvironmentRef),
          deletedAt,
          purgeAt: purgeTime(deps, deletedAt),
          linksPending: true,
        }),
        secretAudit(deps, principal, secret, 'delete'),
      ]);
    } catch (err) {
      // Deleted meanwhile (the fresh read is a 404), renamed, linked or unlinked since our read.
      if (err instanceof TransactionFailed) throw new StaleRead();
      throw err;
    }
    return secret;
  });
  await finishDeletes(deps, secret.ownerKey).catch((err: unknown) =>
    // Committed: the secret is deleted for every reader; what is left the next write removes.
    deps.logger.warn('links of a deleted global secret left for the next write', {
      secretId,
      error: errorName(err),
    }),
  );
  return secret;
}
