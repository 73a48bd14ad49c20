import type { Key } from '../storage/item.js';
import type { TableWrite } from '../storage/transact.js';

/**
 * A count kept on an existing item (a user's profile, an environment's META), changed by `delta`
 * in the transaction that adds or removes what it counts; a missing count is zero. The item must
 * exist, and an increase is refused at `max`. A failed condition returns the item as it was:
 * present means full, absent means gone.
 */
export const itemCountChange = (key: Key, counter: string, delta: 1 | -1, max?: number): TableWrite => ({
  Update: {
    Key: key,
    UpdateExpression: 'ADD #count :d',
    ConditionExpression:
      max === undefined
        ? 'attribute_exists(pk)'
        : 'attribute_exists(pk) AND (attribute_not_exists(#count) OR #count < :max)',
    ExpressionAttributeNames: { '#count': counter },
    ExpressionAttributeValues: max === undefined ? { ':d': delta } : { ':d': delta, ':max': max },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  },
});
