import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type {
  PutEventsCommand,
  PutEventsCommandOutput,
  PutEventsRequestEntry,
  PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_STREAM_FILTER } from '../../infra/cdk/audit-stream.js';
import { AUDIT_ITEM_KEY } from '../../shared/data/audit-events.js';
import { keys } from '../../shared/data/keys.js';
import { createLogger } from '../../shared/logger.js';
import {
  AUDIT_EVENT_DETAIL_TYPE,
  AUDIT_EVENT_SOURCE,
  forwardAuditRecords,
  type AuditStreamTarget,
  type EventSender,
} from '../../shared/services/audit-stream.js';
import { startTestService, type TestService } from '../support/service.js';
import { openStream } from '../support/stream.js';

/**
 * The audit stream's forwarder (shared/services/audit-stream.ts) fed with what DynamoDB Local's
 * own stream shows of writes made through the service, as Lambda's event source mapping would
 * hand it over, putting on a stubbed EventBridge (there is none locally; the SDK client is the
 * boundary, as KMS's is).
 */

const V1 = '/api/v1';
const BUS = 'prime-secrets-test-audit';
const VALUES = ['sk-stream-global-value', 'stream-direct-value', 'stream-variable-value'];

/** EventBridge's PutEvents, answered in-process: each call's entries kept, a chosen entry or call failed. */
class StubBus implements EventSender {
  readonly calls: PutEventsRequestEntry[][] = [];
  /** The ErrorCode to fail entry `index` of call `call` with, if any. */
  failEntry: (call: number, index: number) => string | undefined = () => undefined;
  /** A call that fails whole (the SDK gave up on it). */
  throwOnCall: number | undefined;

  async send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
    const entries = command.input.Entries ?? [];
    const call = this.calls.push(entries) - 1;
    if (call === this.throwOnCall) throw Object.assign(new Error('no answer'), { name: 'TimeoutError' });
    const results: PutEventsResultEntry[] = entries.map((_, index) => {
      const code = this.failEntry(call, index);
      return code ? { ErrorCode: code, ErrorMessage: 'failed' } : { EventId: `event-${call}-${index}` };
    });
    return { $metadata: {}, FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  reset() {
    this.calls.length = 0;
    this.failEntry = () => undefined;
    this.throwOnCall = undefined;
  }
}

/**
 * Lambda's event filtering, as far as the stack's filter uses it: an object matches field by field,
 * a list by any of its values, exactly or by `prefix`. Any other rule is refused, not passed over.
 */
function matchesFilter(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    return pattern.some((rule) => {
      if (typeof rule !== 'object') return value === rule;
      if (!('prefix' in rule)) throw new Error(`a filter rule this test does not know: ${JSON.stringify(rule)}`);
      return typeof value === 'string' && value.startsWith(rule.prefix);
    });
  }
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(pattern as Record<string, unknown>).every(([field, inner]) =>
    matchesFilter(inner, (value as Record<string, unknown>)[field]),
  );
}
const passesStackFilter = (record: DynamoDBRecord) => matchesFilter(JSON.parse(AUDIT_STREAM_FILTER.pattern), record);

const isAudit = (record: DynamoDBRecord) =>
  record.dynamodb?.Keys?.[AUDIT_ITEM_KEY.attribute]?.S?.startsWith(AUDIT_ITEM_KEY.prefix) === true;
const auditWrites = (records: DynamoDBRecord[]) => records.filter((r) => isAudit(r) && r.eventName !== 'REMOVE');
const idOf = (record: DynamoDBRecord) => record.dynamodb?.NewImage?.id?.S;
const sequenceOf = (record: DynamoDBRecord) => record.dynamodb!.SequenceNumber!;
const detailOf = (entry: PutEventsRequestEntry) => JSON.parse(entry.Detail!);

let svc: TestService;
let stream: Awaited<ReturnType<typeof openStream>>;
const bus = new StubBus();
let target: AuditStreamTarget;

beforeAll(async () => {
  svc = await startTestService({ stream: true });
  stream = await openStream(svc.deps.db.raw, svc.deps.config.dynamoEndpoint!, svc.tableName);
  target = { db: svc.deps.db, events: bus, busName: BUS, logger: createLogger() };
});

afterAll(() => stream?.close());

describe('the audit stream, read from DynamoDB Local', () => {
  it('puts every audit event on the bus, in commit order, as the audit listing gives it, and nothing else', async () => {
    bus.reset();
    const envId = svc.seed.environments.personal.id;
    const global = await svc.must(201, 'POST', `${V1}/secrets/`, { name: 'STREAM_GLOBAL', value: VALUES[0] });
    await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/secrets/link/${global.data.id}`, {});
    await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/secrets`, { name: 'STREAM_DIRECT', value: VALUES[1] });
    await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, { name: 'STREAM_VAR', value: VALUES[2] });
    const read = await svc.call('GET', `${V1}/environmentshub/${envId}/runtime`, {
      key: svc.seed.serviceKey,
      headers: { 'X-Job-Id': 'job-stream-1' },
    });
    expect(read.status).toBe(200);

    const records = await stream.readUntil((seen) =>
      seen.some((r) => r.dynamodb?.NewImage?.action?.S === 'runtime_read'),
    );
    const audited = auditWrites(records);
    // The table's other items (secrets, entries, values, data keys, counts) are on the stream too.
    expect(records.length).toBeGreaterThan(audited.length);

    // The stack's filter, applied to DynamoDB's own records, lets through exactly these.
    expect(records.filter(passesStackFilter)).toEqual(audited);

    expect(await forwardAuditRecords(target, records)).toEqual({ batchItemFailures: [] });
    const entries = bus.calls.flat();
    for (const call of bus.calls) expect(call.length).toBeLessThanOrEqual(10);
    // Each audit item once, in the stream's order; nothing of any other item.
    expect(entries.map((entry) => detailOf(entry).id)).toEqual(audited.map(idOf));
    for (const entry of entries) {
      expect(entry).toMatchObject({
        EventBusName: BUS,
        Source: AUDIT_EVENT_SOURCE,
        DetailType: AUDIT_EVENT_DETAIL_TYPE,
      });
      expect(entry.Time).toEqual(new Date(detailOf(entry).at));
    }

    // The detail is the event exactly as the audit listing returns it, for every event of the owner.
    const listing = await svc.must(200, 'GET', `${V1}/audit?limit=500`);
    const put = new Map(entries.map((entry) => [detailOf(entry).id as string, detailOf(entry)]));
    expect(listing.data.length).toBeGreaterThanOrEqual(5);
    for (const event of listing.data) expect(put.get(event.id)).toEqual(event);
    const runtimeRead = listing.data.find((event: { action: string }) => event.action === 'runtime_read');
    expect(runtimeRead).toMatchObject({ jobId: 'job-stream-1', versions: { STREAM_DIRECT: 1, STREAM_VAR: 1 } });

    // Never a value, nor anything of the stored item but the event (owner, keys, ttl).
    const sent = JSON.stringify(bus.calls);
    for (const value of VALUES) expect(sent).not.toContain(value);
    for (const entry of entries) {
      for (const field of Object.keys(detailOf(entry))) {
        expect(['id', 'at', 'actor', 'action', 'target', 'environmentId', 'jobId', 'versions']).toContain(field);
      }
    }
  });

  it('names every version of a large runtime read, read from the set its event points at; the set itself is not an event', async () => {
    bus.reset();
    const envId = (await svc.must(201, 'POST', `${V1}/environmentshub`, { name: 'stream-wide' })).data.id;
    const expected: Record<string, number> = {};
    for (let i = 0; i < 30; i++) {
      const name = `STREAM_WIDE_VARIABLE_${i}`;
      await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, { name, value: `w${i}` });
      expected[name] = 1;
    }
    const read = await svc.call('GET', `${V1}/environmentshub/${envId}/runtime`, {
      key: svc.seed.serviceKey,
      headers: { 'X-Job-Id': 'job-stream-wide' },
    });
    expect(read.status).toBe(200);
    const records = await stream.readUntil((seen) =>
      seen.some((r) => r.dynamodb?.NewImage?.jobId?.S === 'job-stream-wide'),
    );
    const event = records.find((r) => r.dynamodb?.NewImage?.jobId?.S === 'job-stream-wide')!;
    const setDigest = event.dynamodb!.NewImage!.versions!.S!;
    expect(records.some((r) => r.dynamodb?.Keys?.pk?.S?.endsWith(`#${setDigest}`))).toBe(true);
    expect(records.filter(passesStackFilter)).toEqual(auditWrites(records));

    expect(await forwardAuditRecords(target, records)).toEqual({ batchItemFailures: [] });
    const sent = bus.calls.flat().map(detailOf);
    expect(sent.find((detail) => detail.jobId === 'job-stream-wide')?.versions).toEqual(expected);
  });

  it('reports the first entry EventBridge did not take as the batch failure, and sends nothing after it', async () => {
    const envId = svc.seed.environments.personal.id;
    for (let i = 0; i < 12; i++) {
      await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, { name: `PARTIAL_${i}`, value: `v${i}` });
    }
    const records = await stream.readUntil((seen) => auditWrites(seen).length >= 12);
    const audited = auditWrites(records);
    expect(audited).toHaveLength(12);

    // Entry 3 of the first request fails: Lambda is to retry from that record on.
    bus.reset();
    bus.failEntry = (call, index) => (call === 0 && index === 3 ? 'InternalFailure' : undefined);
    expect(await forwardAuditRecords(target, records)).toEqual({
      batchItemFailures: [{ itemIdentifier: sequenceOf(audited[3]!) }],
    });
    // The second request (events 11 and 12) was never sent: nothing overtakes the failed event.
    expect(bus.calls).toHaveLength(1);
    expect(bus.calls[0]!.map((entry) => detailOf(entry).id)).toEqual(audited.slice(0, 10).map(idOf));

    // Lambda's retry hands over the batch from the failed record: all of it is put, in order
    // (events 5 to 10 a second time: at least once, the same ids).
    bus.reset();
    const retried = records.slice(records.indexOf(audited[3]!));
    expect(await forwardAuditRecords(target, retried)).toEqual({ batchItemFailures: [] });
    expect(bus.calls.flat().map((entry) => detailOf(entry).id)).toEqual(audited.slice(3).map(idOf));

    // A request that fails whole (the SDK's retries spent): its first record is the failure.
    bus.reset();
    bus.throwOnCall = 1;
    expect(await forwardAuditRecords(target, records)).toEqual({
      batchItemFailures: [{ itemIdentifier: sequenceOf(audited[10]!) }],
    });
    expect(bus.calls).toHaveLength(2);
  });

  it('ignores every record that is not an audit item as written: other items, removals, an expired event', async () => {
    const envId = svc.seed.environments.personal.id;
    const variable = await svc.must(201, 'POST', `${V1}/environmentshub/${envId}/variables`, {
      name: 'GONE_SOON',
      value: 'gone-soon-value',
    });
    await svc.must(200, 'DELETE', `${V1}/environmentshub/${envId}/variables/${variable.data.id}?purge=true`);
    const written = await stream.readUntil((seen) => auditWrites(seen).length >= 2);
    // An audit event leaving the table, as DynamoDB's TTL removes it: a REMOVE record of an audit key.
    const expiring = auditWrites(written)[0]!;
    const key = { pk: expiring.dynamodb!.Keys!.pk!.S!, sk: expiring.dynamodb!.Keys!.sk!.S! };
    await svc.deps.db.doc.send(new DeleteCommand({ TableName: svc.tableName, Key: key }));
    const removed = await stream.readUntil((seen) => seen.some((r) => r.eventName === 'REMOVE' && isAudit(r)));

    const others = [...written, ...removed].filter((r) => !isAudit(r) || r.eventName === 'REMOVE');
    // None of them would pass the stack's filter; the forwarder skips them all the same.
    expect(others.filter(passesStackFilter)).toEqual([]);
    expect(others.some((r) => r.eventName === 'REMOVE' && !isAudit(r))).toBe(true);
    expect(others.some((r) => r.eventName === 'REMOVE' && isAudit(r))).toBe(true);
    bus.reset();
    expect(await forwardAuditRecords(target, others)).toEqual({ batchItemFailures: [] });
    expect(bus.calls).toEqual([]);
  });

  it("cuts PutEvents requests at EventBridge's 256 KiB as well as at 10 entries", async () => {
    // Runtime reads of large environments: 300 long names each, about 70 KB an event.
    const names = Array.from({ length: 300 }, (_, i) => [`NAME_${i}_${'X'.repeat(220)}`, 1] as const);
    const records: DynamoDBRecord[] = Array.from({ length: 8 }, (_, i) => {
      const id = `${'a'.repeat(23)}${i}`;
      const at = `2026-11-28T20:51:0${i}.000Z`;
      const item = {
        ...{ pk: keys.auditPartition('U#aaaaaaaaaaaaaaaaaaaaaaaa', 0), sk: keys.auditSk(at, id) },
        ...{ id, at, actor: { type: 'service', id: 'hosted-evaluations' }, action: 'runtime_read' },
        ...{ target: { type: 'environment', id: 'e', name: 'big' }, environmentId: 'e', jobId: null },
        versions: Object.fromEntries(names),
      };
      return { eventName: 'INSERT', dynamodb: { NewImage: marshall(item) as any, SequenceNumber: String(100 + i) } };
    });
    bus.reset();
    expect(await forwardAuditRecords(target, records)).toEqual({ batchItemFailures: [] });
    const size = (entry: PutEventsRequestEntry) =>
      14 + Buffer.byteLength(`${entry.Source}${entry.DetailType}${entry.Detail}`, 'utf8');
    expect(size(bus.calls[0]![0]!)).toBeGreaterThan(64 * 1024);
    expect(bus.calls.length).toBeGreaterThan(1);
    for (const call of bus.calls)
      expect(call.reduce((sum, entry) => sum + size(entry), 0)).toBeLessThanOrEqual(256 * 1024);
    expect(bus.calls.flat().map((entry) => detailOf(entry).id)).toEqual(
      records.map((r) => r.dynamodb!.NewImage!.id!.S),
    );
  });
});
