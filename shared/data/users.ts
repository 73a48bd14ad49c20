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

/**
 * One of the user's counts changed by `delta` (missing means none): the API keys they hold,
 * the teams they created. An increase is refused at `max`.
 */
const userCountChange =
  (counter: 'apiKeyCount' | 'teamCount') =>
  (userId: string, delta: 1 | -1, max?: number): TableWrite => ({
    Update: {
      Key: keys.user(userId),
      UpdateExpression: 'ADD #count :d',
      ConditionExpression:
        max === undefined
          ? 'attribute_exists(pk)'
          : 'attribute_exists(pk) AND (attribute_not_exists(#count) OR #count < :max)',
      ExpressionAttributeNames: { '#count': counter },
      ExpressionAttributeValues: max === undefined ? { ':d': delta } : { ':d': delta, ':max': max },
    },
  });

export const apiKeyCountChange = userCountChange('apiKeyCount');
/** Teams made by the user before this count existed are not in it: each user starts at none. */
export const teamCountChange = userCountChange('teamCount');
