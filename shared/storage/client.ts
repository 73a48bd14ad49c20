import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ServiceConfig } from '../config.js';

export interface Db {
  doc: DynamoDBDocumentClient;
  /** The low-level client, for SDK middleware (call counting in tests and benchmarks). */
  raw: DynamoDBClient;
  tableName: string;
}

export function createDb(config: ServiceConfig): Db {
  const raw = new DynamoDBClient({
    region: config.region ?? (config.dynamoEndpoint ? 'us-east-1' : undefined),
    endpoint: config.dynamoEndpoint,
    // Local endpoints take any credentials; in AWS the default provider chain applies.
    ...(config.dynamoEndpoint ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    // The SDK's standard retry strategy with a small bound: a request should fail over to a
    // 503 quickly rather than hold a job start for long. Without throwOnRequestTimeout the
    // request timeout only logs a warning and a hung endpoint hangs the request; 3 attempts
    // of at most 3 s each stay under the functions' 10 s timeout, so the caller gets our 503.
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 1_000,
      requestTimeout: 3_000,
      throwOnRequestTimeout: true,
    }),
  });
  const doc = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { doc, raw, tableName: config.tableName };
}
