import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { TABLE, createTableInput } from '../../shared/storage/table-definition.js';

/**
 * Creates the single table (from the shared definition) unless it exists, waits until it is
 * ACTIVE, and enables TTL on `TABLE.ttlAttribute`. Safe to call repeatedly and concurrently.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'exists'> {
  let outcome: 'created' | 'exists' = 'exists';
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
      outcome = 'created';
    } catch (createErr) {
      // Someone else created it between our describe and create.
      if (!(createErr instanceof ResourceInUseException)) throw createErr;
    }
  }

  await waitUntilTableExists({ client, minDelay: 1, maxDelay: 5, maxWaitTime: 300 }, { TableName: tableName });
  await ensureTtl(client, tableName);
  return outcome;
}

async function ensureTtl(client: DynamoDBClient, tableName: string): Promise<void> {
  const { TimeToLiveDescription: ttl } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (
    ttl?.AttributeName === TABLE.ttlAttribute &&
    (ttl.TimeToLiveStatus === 'ENABLED' || ttl.TimeToLiveStatus === 'ENABLING')
  ) {
    return;
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      }),
    );
  } catch (err) {
    // A concurrent caller (or DynamoDB Local's own bookkeeping) may have enabled it already.
    if (err instanceof Error && /already enabled/i.test(err.message)) return;
    throw err;
  }
}
