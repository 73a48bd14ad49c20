import { PutEventsCommand, type PutEventsCommandOutput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { readConfig } from '../config.js';
import { auditEventsFromItems, auditItemOf, type AuditEvent } from '../data/audit-events.js';
import { createLogger, errorName, type Logger } from '../logger.js';
import { createDb, type Db } from '../storage/client.js';

/** The audit stream's events on the bus (docs/audit-stream.md): who sent them and what they are. */
export const AUDIT_EVENT_SOURCE = 'prime.secrets';
export const AUDIT_EVENT_DETAIL_TYPE = 'Audit Event';
/** The environment variable naming the bus the forwarder puts on (set by infra/cdk/audit-stream.ts). */
export const AUDIT_EVENT_BUS_VARIABLE = 'AUDIT_EVENT_BUS_NAME';

/** PutEvents' limits: 10 entries and 256 KiB a request. */
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

/** What the forwarder puts on: an EventBridge client, or a stub of one in tests. */
export interface EventSender {
  send(command: PutEventsCommand): Promise<PutEventsCommandOutput>;
}

export interface AuditStreamTarget {
  db: Db;
  events: EventSender;
  busName: string;
  logger: Logger;
}

/** The forwarder's target in a Lambda container: the table of its environment, the bus it names. */
export function createAuditStreamTarget(env: NodeJS.ProcessEnv, events: EventSender): AuditStreamTarget {
  const busName = env[AUDIT_EVENT_BUS_VARIABLE];
  if (!busName) throw new Error(`${AUDIT_EVENT_BUS_VARIABLE} is not set`);
  return { db: createDb(readConfig(env)), events, busName, logger: createLogger() };
}

interface Forwarded {
  /** The stream record's sequence number: what Lambda takes back as a failed item. */
  sequence: string;
  entry: PutEventsRequestEntry;
}

/**
 * Puts the audit events of a batch of stream records (one shard's, in commit order) on the bus, in
 * that order, and skips every other record (other items, removals by TTL). At the first entry that
 * is not put, it stops and reports that record as the batch's failure: Lambda retries from there,
 * so nothing is dropped and nothing overtakes an event that failed (entries after it in the same
 * request that were put come again: at least once, deduplicated by the event's id).
 */
export async function forwardAuditRecords(
  target: AuditStreamTarget,
  records: DynamoDBRecord[],
): Promise<DynamoDBBatchResponse> {
  const audited = records.flatMap((record) => {
    const item = auditItemOf(record);
    const sequence = record.dynamodb?.SequenceNumber;
    return item !== undefined && sequence !== undefined ? [{ sequence, item }] : [];
  });
  if (audited.length === 0) return { batchItemFailures: [] };
  // Should the events not be read (a read of the table failing), the invocation fails whole:
  // Lambda splits the batch and retries it, as for any error of the function.
  const events = await auditEventsFromItems(
    target.db,
    audited.map((a) => a.item),
  );
  const forwarded = events.map((event, i) => ({
    sequence: audited[i]!.sequence,
    entry: entryOf(event, target.busName),
  }));
  for (const request of requestsOf(forwarded)) {
    const failed = await firstNotPut(target, request);
    if (failed !== undefined) return failedFrom(failed.sequence);
  }
  return { batchItemFailures: [] };
}

/** The bus entry of an event: its detail is the event exactly as the audit listing returns it. */
const entryOf = (event: AuditEvent, busName: string): PutEventsRequestEntry => ({
  EventBusName: busName,
  Source: AUDIT_EVENT_SOURCE,
  DetailType: AUDIT_EVENT_DETAIL_TYPE,
  Detail: JSON.stringify(event),
  Time: new Date(event.at),
});

/** An entry's size as EventBridge counts it against a request's 256 KiB: its time, source, type and detail. */
const sizeOf = (entry: PutEventsRequestEntry) =>
  14 + Buffer.byteLength(`${entry.Source}${entry.DetailType}${entry.Detail}`, 'utf8');

/** The entries in order, cut into PutEvents requests within its limits. */
function* requestsOf(forwarded: Forwarded[]): Generator<Forwarded[]> {
  let request: Forwarded[] = [];
  let bytes = 0;
  for (const one of forwarded) {
    const size = sizeOf(one.entry);
    if (request.length > 0 && (request.length === MAX_ENTRIES || bytes + size > MAX_REQUEST_BYTES)) {
      yield request;
      request = [];
      bytes = 0;
    }
    request.push(one);
    bytes += size;
  }
  if (request.length > 0) yield request;
}

/** Sends one request; the first of its entries that EventBridge did not take, if any. */
async function firstNotPut(target: AuditStreamTarget, request: Forwarded[]): Promise<Forwarded | undefined> {
  let out: PutEventsCommandOutput;
  try {
    out = await target.events.send(new PutEventsCommand({ Entries: request.map((one) => one.entry) }));
  } catch (err) {
    target.logger.warn('audit events not put', { entries: request.length, error: errorName(err) });
    return request[0];
  }
  // Entries answer in the request's order; one without an event id was not put (its ErrorCode says why).
  const failed = request.findIndex((_, i) => out.Entries?.[i]?.EventId === undefined);
  if (failed < 0) return undefined;
  const codes = [...new Set((out.Entries ?? []).flatMap((entry) => (entry.ErrorCode ? [entry.ErrorCode] : [])))];
  target.logger.warn('audit events not put', { entries: request.length, failed: out.FailedEntryCount, codes });
  return request[failed];
}

const failedFrom = (sequence: string): DynamoDBBatchResponse => ({ batchItemFailures: [{ itemIdentifier: sequence }] });
