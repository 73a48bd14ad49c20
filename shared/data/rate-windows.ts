import type { Db } from '../storage/client.js';
import { updateItem } from '../storage/item.js';
import { keys } from './keys.js';

/** Whose requests a window counts: a user (all their keys together), or one admin key. */
export interface RateSubject {
  kind: 'user' | 'key';
  id: string;
}

/**
 * Counts one request in `subject`'s window `window`, on the condition that fewer than `limit`
 * were counted there: one conditional UpdateItem, atomic across every process. True when it
 * was counted (the request may go), false when the window is full. A refused request is not
 * counted. The item expires by `ttl` (epoch seconds); nothing reads an old window again.
 */
export async function countInWindow(
  db: Db,
  subject: RateSubject,
  window: number,
  limit: number,
  ttl: number,
): Promise<boolean> {
  const counted = await updateItem(db, {
    Key: keys.rateWindow(subject.kind, subject.id, window),
    UpdateExpression: 'ADD #count :one SET #ttl = if_not_exists(#ttl, :ttl)',
    ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
    ExpressionAttributeNames: { '#count': 'requests', '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':ttl': ttl },
  });
  return counted !== undefined;
}
