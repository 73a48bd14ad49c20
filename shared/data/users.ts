import type * as Api from '../api-objects.js';
import type { Db } from '../storage/client.js';
import { getItem, type Item } from '../storage/item.js';
import { queryAll } from '../storage/query.js';
import { TABLE } from '../storage/table-definition.js';
import type { TableWrite } from '../storage/transact.js';
import { itemCountChange } from './item-counts.js';
import { keys } from './keys.js';

/** A user's profile; a disabled user's keys and console sessions are refused (shared/auth/api-keys.ts). */
export type UserRecord = Api.AdminUser;

const toUser = (item: Item): UserRecord => ({
  id: item.id as string,
  email: item.email as string,
  name: item.name as string,
  slug: item.slug as string,
  disabled: item.disabled === true,
  createdAt: item.createdAt as string,
});

export async function readUser(db: Db, userId: string): Promise<UserRecord | undefined> {
  const item = await getItem(db, keys.user(userId));
  return item && toUser(item);
}

/** Every user, oldest first, by the index (eventually consistent: a user made a moment ago may be missing). */
export async function listUsers(db: Db): Promise<UserRecord[]> {
  const items = await queryAll(db, {
    IndexName: TABLE.index.name,
    KeyConditionExpression: '#gsiPk = :p',
    ExpressionAttributeNames: { '#gsiPk': TABLE.index.partitionKey },
    ExpressionAttributeValues: { ':p': keys.userIndexPartition },
  });
  return items.map(toUser);
}

/** A new user's profile; `apiKeyCount` is the keys issued in the same transaction. */
export const userCreate = (user: UserRecord, apiKeyCount: number): TableWrite => ({
  Put: { Item: { ...keys.user(user.id), ...keys.userIndex(user.createdAt, user.id), ...user, apiKeyCount } },
});

/** A user disabled or enabled again; the profile must exist. */
export const userDisabledChange = (userId: string, disabled: boolean): TableWrite => ({
  Update: {
    Key: keys.user(userId),
    UpdateExpression: 'SET disabled = :d',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':d': disabled },
  },
});

/** One of the user's counts (missing means none): the API keys they hold, the teams they created. */
const userCountChange =
  (counter: 'apiKeyCount' | 'teamCount') =>
  (userId: string, delta: 1 | -1, max?: number): TableWrite =>
    itemCountChange(keys.user(userId), counter, delta, max);

export const apiKeyCountChange = userCountChange('apiKeyCount');
/** Teams made by the user before this count existed are not in it: each user starts at none. */
export const teamCountChange = userCountChange('teamCount');
