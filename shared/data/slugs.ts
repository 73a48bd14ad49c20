import type { Db } from '../storage/client.js';
import { getItem } from '../storage/item.js';
import type { TableWrite } from '../storage/transact.js';
import { keys } from './keys.js';

/** A slug names one user or one team, platform-wide. */
export interface SlugClaim {
  kind: 'user' | 'team';
  id: string;
}

export async function readSlug(db: Db, slug: string): Promise<SlugClaim | undefined> {
  const item = await getItem(db, keys.slug(slug));
  return item && { kind: item.kind === 'team' ? 'team' : 'user', id: item.id as string };
}

/** The slug claimed (the conflict check: conditional). */
export const slugClaim = (slug: string, claim: SlugClaim): TableWrite => ({
  Put: { Item: { ...keys.slug(slug), ...claim }, ConditionExpression: 'attribute_not_exists(pk)' },
});
