import type * as Api from '../api-objects.js';
import type { Db } from '../storage/client.js';
import { getItem, type Item } from '../storage/item.js';
import type { TableWrite } from '../storage/transact.js';
import { keys } from './keys.js';

/** A user's profile. */
export type UserRecord = Api.User;

const toUser = (item: Item): UserRecord => ({
  id: item.id as string,
  email: item.email as string,
  name: item.name as string,
  slug: item.slug as string,
  createdAt: item.createdAt as string,
});

export async function readUser(db: Db, userId: string): Promise<UserRecord | undefined> {
  const item = await getItem(db, keys.user(userId));
  return item && toUser(item);
}

/** A new user's profile; `apiKeyCount` is the keys issued in the same transaction. */
export const userCreate = (user: UserRecord, apiKeyCount: number): TableWrite => ({
  Put: { Item: { ...keys.user(user.id), ...user, apiKeyCount } },
});

/** How many API keys the user holds, changed by `delta`; an increase is refused at `max`. */
export const apiKeyCountChange = (userId: string, delta: 1 | -1, max?: number): TableWrite => ({
  Update: {
    Key: keys.user(userId),
    UpdateExpression: 'ADD apiKeyCount :d',
    ConditionExpression:
      max === undefined
        ? 'attribute_exists(pk)'
        : 'attribute_exists(pk) AND (attribute_not_exists(apiKeyCount) OR apiKeyCount < :max)',
    ExpressionAttributeValues: max === undefined ? { ':d': delta } : { ':d': delta, ':max': max },
  },
});
