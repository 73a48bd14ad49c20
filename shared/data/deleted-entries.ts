import type { Db } from '../storage/client.js';
import { getItem, type Item } from '../storage/item.js';
import { queryAll, queryPageAfter } from '../storage/query.js';
import type { TableWrite } from '../storage/transact.js';
import { entryFields, LEFTOVERS_PAGE, toEntry, type Leftovers, type OwnEntry } from './entries.js';
import { keys } from './keys.js';

/** A recently deleted direct secret or variable: the entry as it was, until `purgeAt`. */
export interface DeletedEntryRecord {
  entry: OwnEntry;
  deletedAt: string;
  /** From then on it is gone: a read never shows it, whether or not TTL has removed it yet. */
  purgeAt: string;
}

/** A copy holds its value itself (entryFields), in its own partition that only restores and purges read. */
function toDeletedEntry(envId: string, item: Item): DeletedEntryRecord {
  return {
    entry: toEntry(envId, item, item) as OwnEntry,
    deletedAt: item.deletedAt as string,
    purgeAt: item.purgeAt as string,
  };
}

/** An environment's recently deleted entries (expired ones included: the caller filters by `purgeAt`). */
export async function readDeletedEntries(db: Db, envId: string): Promise<DeletedEntryRecord[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.deletedEntryPartition(envId) },
    ConsistentRead: true,
  });
  return items.map((item) => toDeletedEntry(envId, item));
}

export async function readDeletedEntry(
  db: Db,
  envId: string,
  entryId: string,
): Promise<DeletedEntryRecord | undefined> {
  const item = await getItem(db, keys.deletedEntry(envId, entryId));
  return item && toDeletedEntry(envId, item);
}

// ---- writes ----

export const deletedEntryPut = (deleted: DeletedEntryRecord): TableWrite => ({
  Put: {
    Item: {
      ...keys.deletedEntry(deleted.entry.envId, deleted.entry.id),
      ...entryFields(deleted.entry),
      deletedAt: deleted.deletedAt,
      purgeAt: deleted.purgeAt,
      ttl: Math.ceil(Date.parse(deleted.purgeAt) / 1000),
    },
  },
});

/** The deleted copy taken (a restore or a purge), if it is still there. */
export const deletedEntryTake = (envId: string, entryId: string): TableWrite => ({
  Delete: { Key: keys.deletedEntry(envId, entryId), ConditionExpression: 'attribute_exists(pk)' },
});

/** A page of a deleted environment's recently deleted entries: each is a value, with its versions. */
export async function deletedEntryLeftovers(db: Db, envId: string, after: string | undefined): Promise<Leftovers> {
  const page = await queryPageAfter(db, keys.deletedEntryPartition(envId), undefined, after, LEFTOVERS_PAGE);
  return {
    keys: page.items.map((item) => ({ pk: item.pk as string, sk: item.sk as string })),
    valueIds: page.items.map((item) => item.id as string),
    last: page.last,
  };
}
