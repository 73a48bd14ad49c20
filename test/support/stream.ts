import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';

/**
 * A table's DynamoDB Stream as DynamoDB Local serves it, read with the Streams API
 * (DescribeStream, GetShardIterator, GetRecords) and handed out as Lambda's event source mapping
 * would: each record in the stream event's shape, shard by shard, in order, each record once.
 */
export async function openStream(client: DynamoDBClient, endpoint: string, tableName: string) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${tableName} has no stream`);
  const streams = new DynamoDBStreamsClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  /** Where each shard was left: read from its start (TRIM_HORIZON) the first time. */
  const iterators = new Map<string, string | undefined>();

  async function readOnce(): Promise<DynamoDBRecord[]> {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const out: DynamoDBRecord[] = [];
    for (const { ShardId } of StreamDescription?.Shards ?? []) {
      if (!ShardId) continue;
      let iterator = iterators.has(ShardId)
        ? iterators.get(ShardId)
        : (
            await streams.send(
              new GetShardIteratorCommand({ StreamArn: streamArn, ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
            )
          ).ShardIterator;
      // Page through what the shard holds now; an empty page means it is read to its end.
      while (iterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        out.push(...(page.Records ?? []).map((record) => lambdaRecord(record, streamArn!)));
        iterators.set(ShardId, page.NextShardIterator);
        if (!page.Records?.length) break;
        iterator = page.NextShardIterator;
      }
    }
    return out;
  }

  return {
    /**
     * The records written since the last read, until `done` holds of them. DynamoDB Local may
     * show a write on its stream a moment after it answered: the stream is read again, a bounded
     * number of times, until it does.
     */
    async readUntil(done: (records: DynamoDBRecord[]) => boolean): Promise<DynamoDBRecord[]> {
      const records: DynamoDBRecord[] = [];
      for (let attempt = 0; attempt < 400; attempt++) {
        records.push(...(await readOnce()));
        if (done(records)) return records;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the stream did not show what was expected; read ${records.length} records`);
    },
    close: () => streams.destroy(),
  };
}

/** A Streams API record in the Lambda event's shape: the same record, its time in epoch seconds. */
function lambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const { ApproximateCreationDateTime, ...dynamodb } = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion,
    eventSource: record.eventSource,
    awsRegion: record.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(dynamodb as NonNullable<DynamoDBRecord['dynamodb']>),
      ...(ApproximateCreationDateTime
        ? { ApproximateCreationDateTime: ApproximateCreationDateTime.getTime() / 1000 }
        : {}),
    },
  };
}
