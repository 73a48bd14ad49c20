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

export const userCreate = (user: UserRecord): TableWrite => ({ Put: { Item: { ...keys.user(user.id), ...user } } });
