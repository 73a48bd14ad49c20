import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.js';
import type { Item } from './item.js';

type QueryInput = Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>;

/** Every item a Query matches, following its pages. */
export async function queryAll(db: Db, input: QueryInput): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const out = await db.doc.send(new QueryCommand({ ...input, TableName: db.tableName, ExclusiveStartKey: startKey }));
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** How many items a Query matches (Select COUNT), following its pages: nothing but the number comes back. */
export async function queryCount(db: Db, input: Omit<QueryInput, 'Select' | 'ProjectionExpression'>): Promise<number> {
  let count = 0;
  let startKey: Item | undefined;
  do {
    const out = await db.doc.send(
      new QueryCommand({ ...input, TableName: db.tableName, Select: 'COUNT', ExclusiveStartKey: startKey }),
    );
    count += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return count;
}

/** Every item of a partition whose sort key starts with `prefix`, read consistently. */
export function queryPrefix(
  db: Db,
  pk: string,
  prefix: string,
  extra: Pick<QueryInput, 'ProjectionExpression' | 'ExpressionAttributeNames'> = {},
): Promise<Item[]> {
  return queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
    ConsistentRead: true,
    ...extra,
  });
}

/**
 * One page of at most `limit` items of a partition, read consistently: those whose sort key
 * starts with `prefix` (all when undefined), after the sort key `after`. `last` is the sort key
 * to continue after, when there may be more.
 */
export async function queryPageAfter(
  db: Db,
  pk: string,
  prefix: string | undefined,
  after: string | undefined,
  limit: number,
): Promise<{ items: Item[]; last: string | undefined }> {
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: prefix === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: prefix === undefined ? { ':pk': pk } : { ':pk': pk, ':prefix': prefix },
      ConsistentRead: true,
      Limit: limit,
      ExclusiveStartKey: after === undefined ? undefined : { pk, sk: after },
    }),
  );
  return { items: out.Items ?? [], last: out.LastEvaluatedKey?.sk as string | undefined };
}

/** The first item of a Query (one page of one item). */
export async function queryFirst(db: Db, input: Omit<QueryInput, 'Limit'>): Promise<Item | undefined> {
  const out = await db.doc.send(new QueryCommand({ ...input, TableName: db.tableName, Limit: 1 }));
  return out.Items?.[0];
}

/** A page's `Limit` at most: a 32-bit integer for DynamoDB, and more small items than 1 MB (a page's size) holds. */
const QUERY_PAGE_MAX = 100_000;

/** Up to `limit` items of a Query, reading pages of `limit` until that many match or none are left. */
export async function queryUpTo(db: Db, input: Omit<QueryInput, 'Limit'>, limit: number): Promise<Item[]> {
  const found: Item[] = [];
  let startKey: Item | undefined;
  do {
    const out = await db.doc.send(
      new QueryCommand({
        ...input,
        TableName: db.tableName,
        Limit: Math.min(limit, QUERY_PAGE_MAX),
        ExclusiveStartKey: startKey,
      }),
    );
    found.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey && found.length < limit);
  return found.slice(0, limit);
}
