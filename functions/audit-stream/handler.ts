import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { boundedRequestHandler } from '../../shared/deadline.js';
import { createAuditStreamTarget, forwardAuditRecords } from '../../shared/services/audit-stream.js';

/**
 * The audit stream's forwarder (infra/cdk/audit-stream.ts): the table's stream, filtered to audit
 * items, in; each audit event onto the stack's bus, out. No route: Lambda's event source mapping
 * calls it with one shard's records at a time.
 */
const target = createAuditStreamTarget(
  process.env,
  // Bounded like the DynamoDB and KMS clients: a hung EventBridge fails the batch, which Lambda retries.
  new EventBridgeClient({ maxAttempts: 3, requestHandler: boundedRequestHandler() }),
);

export const handler = (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
  forwardAuditRecords(target, event.Records);
