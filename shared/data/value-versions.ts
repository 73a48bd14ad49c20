import type { SealedValue } from '../crypto/values.js';
import type { Db } from '../storage/client.js';
import { deleteItems, getItem, type Item } from '../storage/item.js';
import { queryPrefix } from '../storage/query.js';
import type { TableWrite } from '../storage/transact.js';
import { keys } from './keys.js';

/** Who wrote a version: the actor of its audit event, without the key. */
export interface VersionAuthor {
  type: string;
  id: string;
}

/**
 * One kept version of a value: a global secret's or a direct secret's (sealed, under the same
 * place as the value itself), or a variable's (plain). Kept apart from the environment's
 * partition, so that the runtime read's Query never reads history.
 */
export interface ValueVersionRecord {
  valueId: string;
  version: number;
  createdAt: string;
  createdBy: VersionAuthor;
  content: { sealed: SealedValue } | { value: string };
}

function toValueVersion(valueId: string, item: Item): ValueVersionRecord {
  const createdBy = item.createdBy as VersionAuthor;
  return {
    valueId,
    version: item.version as number,
    createdAt: item.createdAt as string,
    createdBy: { type: createdBy.type, id: createdBy.id },
    content:
      item.ct === undefined
        ? { value: item.value as string }
        : { sealed: { ct: item.ct as Uint8Array, dekVersion: item.dekVersion as number } },
  };
}

/** The kept versions of a value, newest first, read consistently. */
export async function readValueVersions(db: Db, valueId: string): Promise<ValueVersionRecord[]> {
  const items = await queryPrefix(db, keys.valueVersionPartition(valueId), keys.valueVersionPrefix);
  // Zero-padded sort keys: ascending by number; the newest goes first.
  return items.map((item) => toValueVersion(valueId, item)).reverse();
}

export async function readValueVersion(
  db: Db,
  valueId: string,
  version: number,
): Promise<ValueVersionRecord | undefined> {
  const item = await getItem(db, keys.valueVersion(valueId, version));
  return item && toValueVersion(valueId, item);
}

/** Every kept version of a value deleted (a purge): unrecoverable from then on. */
export async function deleteValueVersions(db: Db, valueId: string): Promise<void> {
  const items = await queryPrefix(db, keys.valueVersionPartition(valueId), keys.valueVersionPrefix, {
    ProjectionExpression: 'pk, sk',
  });
  await deleteItems(
    db,
    items.map((item) => ({ pk: item.pk as string, sk: item.sk as string })),
  );
}

// ---- writes ----

/** A new version, on the condition that the number is new (two writers of one version cannot both commit). */
export function valueVersionPut(record: ValueVersionRecord): TableWrite {
  const content = 'sealed' in record.content ? { ...record.content.sealed } : { value: record.content.value };
  return {
    Put: {
      Item: {
        ...keys.valueVersion(record.valueId, record.version),
        version: record.version,
        createdAt: record.createdAt,
        createdBy: record.createdBy,
        ...content,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** A version dropped from the history (the one that falls out of the kept window). */
export const valueVersionDrop = (valueId: string, version: number): TableWrite => ({
  Delete: { Key: keys.valueVersion(valueId, version) },
});
