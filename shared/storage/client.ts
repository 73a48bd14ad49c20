import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ServiceConfig } from '../config.js';
import { boundedRequestHandler, boundToDeadline } from '../deadline.js';

export interface Db {
  doc: DynamoDBDocumentClient;
  /** The low-level client, for SDK middleware (call counting in tests and benchmarks). */
  raw: DynamoDBClient;
  tableName: string;
}

/**
 * The reads the service makes; any other command is taken for a write (shared/deadline.ts keeps
 * a write's first attempt whole), so a write command added later is safe without a change here.
 * Listing reads rather than writes also keeps the write commands a function never sends out of
 * its bundle.
 */
const READS = [GetCommand, QueryCommand, BatchGetCommand];
export const isWrite = (command: object) => !READS.some((read) => command instanceof read);

export function createDb(config: ServiceConfig): Db {
  const raw = new DynamoDBClient({
    region: config.region ?? (config.dynamoEndpoint ? 'us-east-1' : undefined),
    endpoint: config.dynamoEndpoint,
    // Local endpoints take any credentials; in AWS the default provider chain applies.
    ...(config.dynamoEndpoint ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    // The SDK's standard retry strategy with a small bound: a request should fail over to a
    // 503 quickly rather than hold a job start for long. The request's deadline
    // (shared/deadline.ts) ends the calls of a request that has run out of time.
    maxAttempts: 3,
    requestHandler: boundedRequestHandler(),
  });
  const doc = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { doc: boundToDeadline(doc, isWrite), raw, tableName: config.tableName };
}
