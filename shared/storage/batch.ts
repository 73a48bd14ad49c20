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
    chunksOf(unique, BATCH_GET_MAX).map((chunk) =>
      untilProcessed('BatchGetItem', chunk, async (pending) => {
        const out = await db.doc.send(
          new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[db.tableName] ?? []) found.set(itemId(item as Key), item);
        return (out.UnprocessedKeys?.[db.tableName]?.Keys ?? []) as Key[];
      }),
    ),
  );
  return found;
}

/**
 * Sends a batch again with what the last try left unprocessed (DynamoDB does so under load),
 * after a short backoff, until nothing is left; 503 once ten tries still leave some.
 */
export async function untilProcessed<T>(
  operation: string,
  batch: T[],
  send: (pending: T[]) => Promise<T[]>,
): Promise<void> {
  let pending = batch;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** Math.min(attempt, 6)));
    pending = await send(pending);
    if (attempt > 8 && pending.length > 0) throw new DependencyUnavailableError(`${operation} left items unprocessed`);
  }
}

export const itemId = (key: Key) => `${key.pk}|${key.sk}`;
