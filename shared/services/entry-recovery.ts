import type { Deps } from '../deps.js';
import type { Principal } from '../auth/principal.js';
import { openValue } from '../crypto/values.js';
import {
  deletedEntryTake,
  readDeletedEntries,
  readDeletedEntry,
  type DeletedEntryRecord,
} from '../data/deleted-entries.js';
import { entryCreate, type OwnEntry } from '../data/entries.js';
import { entryCountChange, type EnvironmentRecord } from '../data/environments.js';
import { deleteValueVersions } from '../data/value-versions.js';
import { notFound } from '../errors.js';
import { now, requireId } from '../ids.js';
import { compareText } from '../pagination.js';
import { LIMITS } from '../rules.js';
import { TransactionFailed, transactWrite } from '../storage/transact.js';
import { explainEntryFailure } from './entry-failures.js';
import { environmentFor } from './environments.js';
import {
  deleteEntry,
  entryAudit,
  entryPlace,
  findOwnEntry,
  sealEntryValue,
  sealedVersion,
  TARGET,
  type EntryOf,
  type OwnKind,
} from './environment-entries.js';
import { optimistically } from './optimistic.js';
import { isRecoverable } from './recovery-window.js';
import { transactSealed } from './sealing.js';

/** A deleted entry of `kind` as it was, with its delete and purge times. */
export type DeletedEntryOf<K extends OwnKind> = { entry: EntryOf<K>; deletedAt: string; purgeAt: string };

/** The environment's recently deleted entries of `kind`, the latest delete first. */
export async function listDeletedEntries<K extends OwnKind>(
  deps: Deps,
  principal: Principal,
  envId: string,
  kind: K,
): Promise<DeletedEntryOf<K>[]> {
  const env = await environmentFor(deps, principal, envId, 'read');
  const deleted = await readDeletedEntries(deps.db, env.id);
  return deleted
    .filter((d): d is DeletedEntryOf<K> => d.entry.kind === kind && isRecoverable(d))
    .sort((a, b) => compareText(b.deletedAt, a.deletedAt));
}

/** A deleted entry of `kind` still within its window, or 404. */
async function recoverable<K extends OwnKind>(deps: Deps, env: EnvironmentRecord, kind: K, id: string) {
  requireId(id, TARGET[kind].what);
  const deleted: DeletedEntryRecord | undefined = await readDeletedEntry(deps.db, env.id, id);
  if (!deleted || deleted.entry.kind !== kind || !isRecoverable(deleted)) throw notFound(TARGET[kind].what);
  return deleted as DeletedEntryOf<K>;
}

/**
 * Puts a deleted entry back under its name, or `name`, with its history. A secret is sealed
 * again under the owner's newest data key (it may have rotated since the delete).
 */
export function restoreEntry<K extends OwnKind>(
  deps: Deps,
  principal: Principal,
  envId: string,
  kind: K,
  id: string,
  name: string | undefined,
): Promise<EntryOf<K>> {
  return optimistically(TARGET[kind].what.toLowerCase(), async () => {
    const env = await environmentFor(deps, principal, envId, 'write');
    const { entry } = await recoverable(deps, env, kind, id);
    const restored = await resealed(deps, env, { ...entry, name: name ?? entry.name, updatedAt: now() });
    try {
      await transactSealed(deps, env.ownerKey, sealedVersion(restored), [
        entryCreate(restored),
        entryCountChange(env.id, 1, LIMITS.entriesPerEnvironment),
        deletedEntryTake(env.id, id),
        entryAudit(deps, principal, env, restored, 'restore'),
      ]);
    } catch (err) {
      if (!(err instanceof TransactionFailed)) throw err;
      // Restored or purged by another request meanwhile: it is no longer deleted.
      if (err.failedAt() === 2) throw notFound(TARGET[kind].what);
      throw explainEntryFailure(err, env.id, restored.name, 0, 1, { action: 'restore', kind });
    }
    return restored as EntryOf<K>;
  });
}

async function resealed(deps: Deps, env: EnvironmentRecord, entry: OwnEntry): Promise<OwnEntry> {
  if (entry.kind !== 'secret') return entry;
  const value = await openValue(deps.dataKeys, env.ownerKey, entryPlace(env, entry.id), entry.sealed);
  return { ...entry, sealed: await sealEntryValue(deps, env, entry.id, value) };
}

/**
 * `DELETE`: a live entry goes to recently deleted (or, with `purge`, is destroyed); with
 * `purge`, one already deleted is destroyed too. Its versions go with a purge.
 */
export async function removeEntry<K extends OwnKind>(
  deps: Deps,
  principal: Principal,
  envId: string,
  kind: K,
  id: string,
  purge: boolean,
): Promise<EntryOf<K>> {
  const env = await environmentFor(deps, principal, envId, 'write');
  const live = await findOwnEntry(deps, env, kind, id);
  if (live) return deleteEntry(deps, principal, env, live, purge);
  if (!purge) throw notFound(TARGET[kind].what);
  const { entry } = await recoverable(deps, env, kind, id);
  try {
    await transactWrite(deps.db, [deletedEntryTake(env.id, id), entryAudit(deps, principal, env, entry, 'purge')]);
  } catch (err) {
    if (err instanceof TransactionFailed) throw notFound(TARGET[kind].what);
    throw err;
  }
  await deleteValueVersions(deps.db, id);
  return entry;
}
