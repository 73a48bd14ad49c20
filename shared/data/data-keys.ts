import type { OwnerKey } from '../owner-key.js';
import type { Db } from '../storage/client.js';
import { getItem, putItem, type Item } from '../storage/item.js';
import { queryFirst } from '../storage/query.js';
import type { TableWrite } from '../storage/transact.js';
import { keys } from './keys.js';

/** An owner's data key of one version, wrapped by the key provider; never stored in plaintext. */
export interface DataKeyRecord {
  version: number;
  wrapped: Uint8Array;
}

export const toDataKey = (item: Item): DataKeyRecord => ({
  version: item.version as number,
  wrapped: item.wrapped as Uint8Array,
});

export async function readDataKey(db: Db, owner: OwnerKey, version: number): Promise<DataKeyRecord | undefined> {
  const item = await getItem(db, keys.dataKey(owner, version));
  return item && toDataKey(item);
}

/** The owner's newest data key (versions sort by their zero-padded sort keys), or undefined. */
export async function readNewestDataKey(db: Db, owner: OwnerKey): Promise<DataKeyRecord | undefined> {
  const item = await queryFirst(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :dek)',
    ExpressionAttributeValues: { ':pk': keys.ownerPartition(owner), ':dek': keys.dataKeyPrefix },
    ScanIndexForward: false,
    ConsistentRead: true,
  });
  return item && toDataKey(item);
}

/** Stores a new version; false when another writer created that version first. */
export function createDataKey(
  db: Db,
  owner: OwnerKey,
  key: DataKeyRecord & { provider: string; createdAt: string },
): Promise<boolean> {
  return putItem(db, {
    Item: { ...keys.dataKey(owner, key.version), ...key },
    ConditionExpression: 'attribute_not_exists(pk)',
  });
}

/**
 * That `version` is still the owner's newest data key at commit (no next version exists): a
 * value sealed under a key another process has since rotated away from is refused, so that
 * after a rotation no write adds to an old version.
 */
export const dataKeyStillNewest = (owner: OwnerKey, version: number): TableWrite => ({
  ConditionCheck: { Key: keys.dataKey(owner, version + 1), ConditionExpression: 'attribute_not_exists(pk)' },
});
