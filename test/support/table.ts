import { randomUUID } from 'node:crypto';
import { DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import type { Db } from '../../shared/storage/client.js';
import { ensureTable } from '../../infra/local/ensure-table.js';

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/**
 * A fresh table in the shared DynamoDB Local, so test files can run in parallel; with `stream`,
 * its DynamoDB Stream on (NEW_IMAGE, as the audit stream's stack option sets it: infra/cdk/audit-stream.ts).
 */
export async function createTestTable(
  options: { stream?: boolean } = {},
): Promise<{ endpoint: string; tableName: string; client: DynamoDBClient }> {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `test-${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const client = localClient(endpoint);
  await ensureTable(client, tableName);
  if (options.stream) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
  }
  return { endpoint, tableName, client };
}

/** Every item of one partition, read consistently: what a test checks was written or removed. */
export async function partitionItems(db: Db, pk: string): Promise<Record<string, unknown>[]> {
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

/**
 * Every item of the table, read consistently, but the callers' request counts (`RATE#…`,
 * shared/http/table-rate-limit.ts): a keyed request updates its count before anything else it
 * does, so a test of what a request wrote, or that it wrote nothing, leaves them out.
 */
export async function tableItems(db: Db): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await db.doc.send(
      new ScanCommand({ TableName: db.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...(out.Items ?? []).filter((item) => !String(item.pk).startsWith('RATE#')));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}
