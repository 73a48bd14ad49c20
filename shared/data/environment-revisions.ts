import type { Db } from '../storage/client.js';
import { getItem, type Item } from '../storage/item.js';
import type { TableWrite } from '../storage/transact.js';
import { keys } from './keys.js';

/**
 * An environment's revision goes up by one in the transaction of every write that changes what
 * the runtime read's Query of its partition returns (META, entries, values, requirements). A
 * container keeps its copy of the partition while the revision is the one it read with it
 * (shared/services/environment-partitions.ts). Writes of other partitions never touch it.
 */
const revisionBump = (envId: string) => ({
  Update: {
    Key: keys.environmentRevision(envId),
    UpdateExpression: 'ADD rev :one',
    ExpressionAttributeValues: { ':one': 1 },
  },
});

/** The write with the revision bump of its environment alongside (one per transaction, however many writes ask). */
export const bumpingRevision = <W extends TableWrite>(envId: string, write: W): W => ({
  ...write,
  alongside: [...(write.alongside ?? []), revisionBump(envId)],
});

/** The revision now, read consistently; undefined for an environment no write has bumped (or one deleted). */
export async function readRevision(db: Db, envId: string): Promise<number | undefined> {
  const item = await getItem(db, keys.environmentRevision(envId));
  return revisionOf(item);
}

export const revisionOf = (item: Item | undefined): number | undefined => item?.rev as number | undefined;
