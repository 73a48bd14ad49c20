import type { OwnerKey } from '../owner-key.js';
import type { Db } from '../storage/client.js';
import { getItem, updateItem } from '../storage/item.js';
import type { TableWrite } from '../storage/transact.js';
import { keys } from './keys.js';

/**
 * An owner's counts, one item (`COUNTS` in the owner's partition), changed in the transaction
 * that adds or removes what they count: how many global secrets and environments it holds.
 */
export type OwnerCounter = 'secretCount' | 'environmentCount';

/**
 * One count changed by `delta`. A count that starts at zero (`secretCount`: every secret was
 * counted from the first) may be missing; one that must be counted first (`environmentCount`:
 * environments existed before it) refuses any change until `ownerCountStart` set it. An increase
 * is refused at `max`. A failed condition returns the item as it was, to tell full from uncounted.
 */
export function ownerCountChange(
  owner: OwnerKey,
  counter: OwnerCounter,
  delta: 1 | -1,
  options: { max?: number | undefined; counted?: 'from-zero' | 'first' } = {},
): TableWrite {
  const fromZero = options.counted !== 'first';
  const conditions = [
    ...(fromZero ? [] : ['attribute_exists(#count)']),
    ...(options.max === undefined
      ? []
      : [fromZero ? '(attribute_not_exists(#count) OR #count < :max)' : '#count < :max']),
  ];
  return {
    Update: {
      Key: keys.ownerCounts(owner),
      UpdateExpression: 'ADD #count :d',
      ExpressionAttributeNames: { '#count': counter },
      ExpressionAttributeValues: options.max === undefined ? { ':d': delta } : { ':d': delta, ':max': options.max },
      ...(conditions.length > 0
        ? { ConditionExpression: conditions.join(' AND '), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const }
        : {}),
    },
  };
}

/** The count as stored, or undefined while it has not been counted. */
export async function readOwnerCount(db: Db, owner: OwnerKey, counter: OwnerCounter): Promise<number | undefined> {
  const item = await getItem(db, keys.ownerCounts(owner));
  return item?.[counter] as number | undefined;
}

/**
 * A count set for the first time, to what was counted, unless another request set it first
 * (then it returns that one). Safe because no change is made to an uncounted count: whatever
 * was counted cannot have changed before the count exists.
 */
export async function ownerCountStart(
  db: Db,
  owner: OwnerKey,
  counter: OwnerCounter,
  counted: number,
): Promise<number> {
  const set = await updateItem(db, {
    Key: keys.ownerCounts(owner),
    UpdateExpression: 'SET #count = :n',
    ConditionExpression: 'attribute_not_exists(#count)',
    ExpressionAttributeNames: { '#count': counter },
    ExpressionAttributeValues: { ':n': counted },
  });
  return set ? counted : ((await readOwnerCount(db, owner, counter)) ?? counted);
}
