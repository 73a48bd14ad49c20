import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.js';
import { DependencyUnavailableError } from '../dependency-failure.js';
import { chunksOf } from '../chunks.js';
import type { Item, Key } from './item.js';

const BATCH_GET_MAX = 100;

/**
 * Reads many items in one round: chunks of 100 (BatchGetItem's limit) sent in parallel,
 * unprocessed keys retried with a short backoff. Items come back keyed by `pk|sk`.
 */
export async function batchGet(db: Db, keys: Key[]): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  const unique = [...new Map(keys.map((k) => [itemId(k), k])).values()];
  await Promise.all(
    chunksOf(unique, BATCH_GET_MAX).map(async (chunk) => {
      let pending: Key[] = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** Math.min(attempt, 6)));
        const out = await db.doc.send(
          new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[db.tableName] ?? []) found.set(itemId(item as Key), item);
        pending = (out.UnprocessedKeys?.[db.tableName]?.Keys ?? []) as Key[];
        if (attempt > 8 && pending.length > 0)
          throw new DependencyUnavailableError('BatchGetItem left keys unprocessed');
      }
    }),
  );
  return found;
}

export const itemId = (key: Key) => `${key.pk}|${key.sk}`;
