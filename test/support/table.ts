import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { ensureTable } from '../../infra/local/ensure-table.js';

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** A fresh table in the shared DynamoDB Local, so test files can run in parallel. */
export async function createTestTable(): Promise<{ endpoint: string; tableName: string; client: DynamoDBClient }> {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `test-${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const client = localClient(endpoint);
  await ensureTable(client, tableName);
  return { endpoint, tableName, client };
}
