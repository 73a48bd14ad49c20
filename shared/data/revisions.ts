import type { Db } from '../storage/client.js';
import type { OwnerKey } from '../owner-key.js';
import { getItem, type Item, type Key } from '../storage/item.js';
import type { TableWrite } from '../storage/transact.js';
import { keys } from './keys.js';

/**
 * Revisions of what runtime reads keep in a container (shared/services/environment-partitions.ts):
 * an environment's goes up by one in the transaction of every write that changes what the Query
 * of its partition returns (META, entries, values, requirements); an owner's with every write of
 * one of its global secrets' items. A container keeps its copy while the revision is the one it
 * read before the copy. Writes of anything else never touch them.
 */
const bump = (key: Key) => ({
  Update: { Key: key, UpdateExpression: 'ADD rev :one', ExpressionAttributeValues: { ':one': 1 } },
});

const alongsideOf = <W extends TableWrite>(key: Key, write: W): W => ({
  ...write,
  alongside: [...(write.alongside ?? []), bump(key)],
});

/** The write with the revision bump of its environment alongside (one per transaction, however many writes ask). */
export const bumpingRevision = <W extends TableWrite>(envId: string, write: W): W =>
  alongsideOf(keys.environmentRevision(envId), write);

/** The write with the bump of the owner's secrets' revision alongside. */
export const bumpingOwnerRevision = <W extends TableWrite>(owner: OwnerKey, write: W): W =>
  alongsideOf(keys.ownerRevision(owner), write);

/** The environment's revision now, read consistently; undefined for one no write has bumped (or one deleted). */
export async function readRevision(db: Db, envId: string): Promise<number | undefined> {
  return revisionOf(await getItem(db, keys.environmentRevision(envId)));
}

/** The owner's secrets' revision now, read consistently; undefined before any write bumped it. */
export async function readOwnerRevision(db: Db, owner: OwnerKey): Promise<number | undefined> {
  return revisionOf(await getItem(db, keys.ownerRevision(owner)));
}

export const revisionOf = (item: Item | undefined): number | undefined => item?.rev as number | undefined;
