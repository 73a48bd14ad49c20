import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { chunksOf } from '../chunks.js';
import { mapLimit } from '../map-limit.js';
import { untilProcessed } from './batch.js';
import type { Db } from './client.js';
import type { TableWrite } from './transact.js';

export type Key = { pk: string; sk: string };
export type Item = Record<string, unknown>;
type PutWrite = Extract<TableWrite, { Put: unknown }>['Put'];
type UpdateWrite = Extract<TableWrite, { Update: unknown }>['Update'];

/** One item, read consistently, or undefined. */
export async function getItem(db: Db, key: Key): Promise<Item | undefined> {
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: key, ConsistentRead: true }));
  return out.Item;
}

/** One Put outside a transaction; false when its condition failed. */
export async function putItem(db: Db, put: PutWrite): Promise<boolean> {
  try {
    await db.doc.send(new PutCommand({ ...put, TableName: db.tableName }));
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

/** One Update outside a transaction: the item as it is after, or undefined when its condition failed. */
export async function updateItem(db: Db, update: UpdateWrite): Promise<Item | undefined> {
  try {
    const out = await db.doc.send(new UpdateCommand({ ...update, TableName: db.tableName, ReturnValues: 'ALL_NEW' }));
    return out.Attributes ?? {};
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return undefined;
    throw err;
  }
}

export async function deleteItem(db: Db, key: Key): Promise<void> {
  await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: key }));
}

const BATCH_WRITE_MAX = 25;

/**
 * Deletes many items, 25 a request (BatchWriteItem's limit), four requests at a time; what a
 * request leaves unprocessed is sent again until none is left (`untilProcessed`).
 */
export async function deleteItems(db: Db, keys: Key[]): Promise<void> {
  await mapLimit(chunksOf(keys, BATCH_WRITE_MAX), 4, (chunk) =>
    untilProcessed('BatchWriteItem', chunk, async (pending) => {
      const out = await db.doc.send(
        new BatchWriteCommand({
          RequestItems: { [db.tableName]: pending.map((key) => ({ DeleteRequest: { Key: key } })) },
        }),
      );
      return (out.UnprocessedItems?.[db.tableName] ?? []).flatMap((request) =>
        request.DeleteRequest?.Key ? [request.DeleteRequest.Key as Key] : [],
      );
    }),
  );
}
