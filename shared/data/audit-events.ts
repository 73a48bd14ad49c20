import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { compareText } from '../pagination.js';
import { batchGet, itemId } from '../storage/batch.js';
import type { Db } from '../storage/client.js';
import { putItem, type Item } from '../storage/item.js';
import { queryUpTo } from '../storage/query.js';
import { TABLE } from '../storage/table-definition.js';
import { transactWrite, type TableWrite } from '../storage/transact.js';
import { keys, type AuditOwner } from './keys.js';

export type AuditAction =
  | 'create'
  | 'update'
  | 'rename'
  | 'rollback'
  | 'delete'
  | 'restore'
  | 'purge'
  | 'link'
  | 'unlink'
  | 'require'
  | 'unrequire'
  | 'runtime_read'
  | 'revoke'
  | 'rotate'
  | 'disable'
  | 'enable';

export type AuditTargetType =
  | 'global_secret'
  | 'environment_secret'
  | 'variable'
  | 'environment'
  | 'requirement'
  | 'team'
  | 'member'
  | 'api_key'
  | 'user'
  | 'service_key'
  | 'admin_key'
  | 'data_key'
  | 'runtime_token';

/** An audit event: names and ids only, never a value. */
export interface AuditEvent {
  id: string;
  at: string;
  /** `keyId` is the API key that acted (absent on events written before keys were recorded). */
  actor: { type: string; id: string; keyId?: string };
  action: AuditAction;
  target: { type: AuditTargetType; id: string; name: string | null };
  environmentId: string | null;
  jobId: string | null;
  /** A runtime read's: the version of each value it served, by name (never the values). */
  versions?: Record<string, number>;
}

/** Where an event is stored: one of the owner's audit shards, and when DynamoDB may expire it. */
export interface AuditPlacement {
  owner: AuditOwner;
  shard: number;
  /** Epoch seconds. */
  ttl: number;
}

/**
 * Versions up to this size stay in their event. A larger set (an environment of hundreds of
 * entries) is written once, apart, and each event names it by digest: a job-start event then
 * stays under one write unit, and a storm of them under the audit shards' write limit
 * (docs/scaling.md).
 */
const INLINE_VERSIONS_BYTES = 512;

/** A runtime read's versions stored apart, named by the digest of their canonical form. */
export interface VersionSet {
  digest: string;
  versions: Record<string, number>;
}

/** The set a runtime read's versions are stored as, or undefined when they stay in the event. */
export function versionSetOf(versions: Record<string, number>): VersionSet | undefined {
  const canonical = JSON.stringify(Object.entries(versions).sort(([a], [b]) => compareText(a, b)));
  if (Buffer.byteLength(canonical, 'utf8') <= INLINE_VERSIONS_BYTES) return undefined;
  return { digest: createHash('sha256').update(canonical, 'utf8').digest('base64url'), versions };
}

/**
 * Until when (epoch seconds) a stored set lasts, or undefined when there is none. Eventually
 * consistent: a set written a moment ago and not seen yet is only written again, as it was.
 */
export async function versionSetExpiry(db: Db, owner: AuditOwner, digest: string): Promise<number | undefined> {
  const out = await db.doc.send(
    new GetCommand({
      TableName: db.tableName,
      Key: keys.auditVersionSet(owner, digest),
      ProjectionExpression: '#ttl',
      ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute },
    }),
  );
  return out.Item?.[TABLE.ttlAttribute] as number | undefined;
}

/** How an event's versions are stored: in it, by a set already stored, or by a set written with it until `writeUntil`. */
export type StoredVersions = { set: VersionSet; writeUntil?: number } | undefined;

function auditEventItem(event: AuditEvent, placement: AuditPlacement, stored: StoredVersions): Item {
  const sk = keys.auditSk(event.at, event.id);
  const environmentIndex =
    event.environmentId === null
      ? {}
      : {
          [TABLE.index.partitionKey]: keys.auditEnvironmentIndex(placement.owner, event.environmentId, placement.shard),
          [TABLE.index.sortKey]: sk,
        };
  return {
    pk: keys.auditPartition(placement.owner, placement.shard),
    sk,
    owner: placement.owner,
    ...event,
    // A set's digest where its versions would be: the index projects `versions` already.
    ...(stored === undefined ? {} : { versions: stored.set.digest }),
    ...environmentIndex,
    ttl: placement.ttl,
  };
}

/** The event as a Put, for a mutation's own transaction. */
export const auditEventPut = (event: AuditEvent, placement: AuditPlacement): TableWrite => ({
  Put: { Item: auditEventItem(event, placement, undefined) },
});

/**
 * The event written on its own (a runtime read has no transaction), with the set of versions
 * it names in the same transaction when that set is to be written.
 */
export async function putAuditEvent(
  db: Db,
  event: AuditEvent,
  placement: AuditPlacement,
  stored: StoredVersions = undefined,
): Promise<void> {
  const Item = auditEventItem(event, placement, stored);
  if (stored?.writeUntil === undefined) {
    await putItem(db, { Item });
    return;
  }
  const setItem = {
    ...keys.auditVersionSet(placement.owner, stored.set.digest),
    versions: stored.set.versions,
    [TABLE.ttlAttribute]: stored.writeUntil,
  };
  await transactWrite(db, [{ Put: { Item } }, { Put: { Item: setItem } }]);
}

/**
 * Which items of the table are audit events, by their key: the audit stream's filter
 * (infra/cdk/audit-stream.ts) and its forwarder (shared/services/audit-stream.ts) both go by it.
 */
export const AUDIT_ITEM_KEY = { attribute: TABLE.partitionKey, prefix: keys.auditPartitionPrefix } as const;

/** The audit item a DynamoDB Streams record carries as written (NEW_IMAGE); undefined for another item or a removal. */
export function auditItemOf(record: DynamoDBRecord): Item | undefined {
  const image = record.dynamodb?.NewImage;
  if (image === undefined) return undefined;
  // Lambda's stream event holds images in DynamoDB's own JSON, which is the SDK's AttributeValue.
  const item = unmarshall(image as Record<string, AttributeValue>);
  const pk = item[AUDIT_ITEM_KEY.attribute];
  return typeof pk === 'string' && pk.startsWith(AUDIT_ITEM_KEY.prefix) ? item : undefined;
}

/**
 * The events that stored items hold, in their order: what the listing and the audit stream
 * hand out. Versions stored apart are read in one batch; a set gone (past its expiry, which
 * outlasts every event naming it) leaves its events without versions rather than failing them.
 */
export async function auditEventsFromItems(db: Db, items: Item[]): Promise<AuditEvent[]> {
  const setKeyOf = (item: Item) =>
    typeof item.versions === 'string' ? keys.auditVersionSet(item.owner as AuditOwner, item.versions) : undefined;
  const setKeys = items.map(setKeyOf).filter((key) => key !== undefined);
  const sets = setKeys.length === 0 ? new Map<string, Item>() : await batchGet(db, setKeys);
  return items.map((item) => {
    const setKey = setKeyOf(item);
    const versions = setKey === undefined ? item.versions : sets.get(itemId(setKey))?.versions;
    return toEvent(item, versions as Record<string, number> | undefined);
  });
}

const toEvent = (item: Item, versions: Record<string, number> | undefined): AuditEvent => ({
  id: item.id as string,
  at: item.at as string,
  actor: item.actor as AuditEvent['actor'],
  action: item.action as AuditAction,
  target: item.target as AuditEvent['target'],
  environmentId: (item.environmentId as string | null) ?? null,
  jobId: (item.jobId as string | null) ?? null,
  ...(versions === undefined ? {} : { versions }),
});

const CURSOR_SK = /^\d{4}-\d\d-\d\dT[\d:.]+Z#[a-z2-7]{24}$/;

/** The position a listing cursor names, or undefined when it is not one this service made. */
export function decodeAuditCursor(cursor: string): string | undefined {
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  return CURSOR_SK.test(sk) ? sk : undefined;
}

/**
 * Events of an owner, newest first, across every shard. The cursor is the sort key of the
 * last event returned; each shard is read below it until it has `limit` matching events.
 */
export async function listAuditEvents(
  db: Db,
  owner: AuditOwner,
  shards: number,
  options: { limit: number; before: string | undefined; environmentId: string | undefined },
): Promise<{ events: AuditEvent[]; cursor: string | null }> {
  const perShard = await Promise.all(
    Array.from({ length: shards }, (_, shard) => readShard(db, owner, shard, options)),
  );
  const merged = perShard
    .flat()
    .sort((a, b) => compareText(b.sk as string, a.sk as string))
    .slice(0, options.limit);
  const last = merged.at(-1);
  const more = merged.length === options.limit && last !== undefined;
  return {
    events: await auditEventsFromItems(db, merged),
    cursor: more ? Buffer.from(last.sk as string, 'utf8').toString('base64url') : null,
  };
}

/**
 * One shard of the owner's log below `before`, newest first: read from the table, or for one
 * environment from the index, whose shard holds that environment's events alone, so a filter
 * reads what the page returns and not the owner's whole history. The index is eventually
 * consistent: an event written a moment ago may show a moment later.
 */
function readShard(
  db: Db,
  owner: AuditOwner,
  shard: number,
  options: { limit: number; before: string | undefined; environmentId: string | undefined },
): Promise<Item[]> {
  const { limit, before, environmentId } = options;
  const [pkName, skName, pk] =
    environmentId === undefined
      ? [TABLE.partitionKey, TABLE.sortKey, keys.auditPartition(owner, shard)]
      : [TABLE.index.partitionKey, TABLE.index.sortKey, keys.auditEnvironmentIndex(owner, environmentId, shard)];
  return queryUpTo(
    db,
    {
      ...(environmentId === undefined ? {} : { IndexName: TABLE.index.name }),
      KeyConditionExpression: before === undefined ? '#pk = :pk' : '#pk = :pk AND #sk < :before',
      ExpressionAttributeNames: { '#pk': pkName, ...(before === undefined ? {} : { '#sk': skName }) },
      ExpressionAttributeValues: { ':pk': pk, ...(before === undefined ? {} : { ':before': before }) },
      ScanIndexForward: false,
    },
    limit,
  );
}
