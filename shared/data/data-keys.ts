import type { OwnerKey } from '../owner-key.js';
import type { Db } from '../storage/client.js';
import { getItem, putItem, updateItem, type Item } from '../storage/item.js';
import { queryFirst, queryPrefix } from '../storage/query.js';
import type { TableWrite } from '../storage/transact.js';
import { keys } from './keys.js';
import type { WalkCursor } from './sealed-values.js';

/** An owner's data key of one version, wrapped by the key provider; never stored in plaintext. */
export interface DataKeyRecord {
  version: number;
  wrapped: Uint8Array;
}

export const toDataKey = (item: Item): DataKeyRecord => ({
  version: item.version as number,
  wrapped: item.wrapped as Uint8Array,
});

export async function readDataKey(db: Db, owner: OwnerKey, version: number): Promise<DataKeyRecord | undefined> {
  const item = await getItem(db, keys.dataKey(owner, version));
  return item && toDataKey(item);
}

/** The owner's newest data key (versions sort by their zero-padded sort keys), or undefined. */
export async function readNewestDataKey(db: Db, owner: OwnerKey): Promise<DataKeyRecord | undefined> {
  const item = await queryFirst(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :dek)',
    ExpressionAttributeValues: { ':pk': keys.ownerPartition(owner), ':dek': keys.dataKeyPrefix },
    ScanIndexForward: false,
    ConsistentRead: true,
  });
  return item && toDataKey(item);
}

/** Stores a new version; false when another writer created that version first. */
export function createDataKey(
  db: Db,
  owner: OwnerKey,
  key: DataKeyRecord & { provider: string; createdAt: string },
): Promise<boolean> {
  return putItem(db, {
    Item: { ...keys.dataKey(owner, key.version), ...key },
    ConditionExpression: 'attribute_not_exists(pk)',
  });
}

/**
 * That `version` is still the owner's newest data key at commit (no next version exists): a
 * value sealed under a key another process has since rotated away from is refused, so that
 * after a rotation no write adds to an old version.
 */
export const dataKeyStillNewest = (owner: OwnerKey, version: number): TableWrite => ({
  ConditionCheck: { Key: keys.dataKey(owner, version + 1), ConditionExpression: 'attribute_not_exists(pk)' },
});

/** One version of an owner's data key as listed: never its key material, wrapped or not. */
export interface DataKeyVersion {
  version: number;
  createdAt: string;
}

/** The owner's data key versions, oldest first. */
export async function listDataKeyVersions(db: Db, owner: OwnerKey): Promise<DataKeyVersion[]> {
  const items = await queryPrefix(db, keys.ownerPartition(owner), keys.dataKeyPrefix, {
    ProjectionExpression: 'version, createdAt',
  });
  return items.map((item) => ({ version: item.version as number, createdAt: item.createdAt as string }));
}

/** A version removed, on the condition that the newer version `newer` exists: the newest is never removed. */
export const dataKeyRemove = (owner: OwnerKey, version: number, newer: number): TableWrite[] => [
  { ConditionCheck: { Key: keys.dataKey(owner, newer), ConditionExpression: 'attribute_exists(pk)' } },
  { Delete: { Key: keys.dataKey(owner, version) } },
];

// ---- the re-seal of an owner's values under its newest data key (shared/services/reseal.ts) ----

/** Values by the data key version they are sealed under (DynamoDB map keys are strings). */
export type VersionCounts = Record<string, number>;

/** One pass of a re-seal over every sealed value of the owner. */
export interface ResealPass {
  /** Where the pass is: the next page to read. */
  cursor: WalkCursor;
  /** Epoch milliseconds. */
  startedAt: number;
  /** Values read, moved to the target, and skipped because a write replaced them meanwhile. */
  seen: number;
  moved: number;
  skipped: number;
  /** Values read, by the version they are under once the pass has handled them. */
  counts: VersionCounts;
  /** Values this pass moved, by the version they were under. */
  movedFrom: VersionCounts;
}

/** An owner's re-seal: progress kept in its `RESEAL` item, so that any request can continue it. */
export interface ResealRecord {
  state: 'running' | 'idle';
  /** The version every value moves to. */
  target: number;
  /** The pass under way, or null when the next one begins at `nextPassAt`. */
  pass: ResealPass | null;
  /** Epoch milliseconds. */
  nextPassAt: number;
  /** Values this re-seal moved, over all its passes. */
  moved: number;
  /** Epoch milliseconds of the owner's last move, over all its re-seals (0: none). */
  lastMoveAt: number;
  /** What the last complete pass counted, and when it ended. */
  counted: { counts: VersionCounts; total: number; at: string } | null;
  startedAt: string;
  updatedAt: string;
}

/** `#name` for each attribute an expression names: some, like `state`, are reserved words. */
const aliases = (...names: string[]) => Object.fromEntries(names.map((name) => [`#${name}`, name]));

const toReseal = (item: Item): ResealRecord => ({
  state: item.state as ResealRecord['state'],
  target: item.target as number,
  pass: (item.pass as ResealPass | null | undefined) ?? null,
  nextPassAt: (item.nextPassAt as number | undefined) ?? 0,
  moved: (item.moved as number | undefined) ?? 0,
  lastMoveAt: (item.lastMoveAt as number | undefined) ?? 0,
  counted: (item.counted as ResealRecord['counted'] | undefined) ?? null,
  startedAt: item.startedAt as string,
  updatedAt: item.updatedAt as string,
});

export async function readReseal(db: Db, owner: OwnerKey): Promise<ResealRecord | undefined> {
  const item = await getItem(db, keys.resealState(owner));
  return item && toReseal(item);
}

/**
 * A re-seal toward `target` begun, unless one toward it or a newer version already was: its
 * passes start over and whoever worked on the old one loses its lease; the last pass's counts
 * and the time of the last move stay.
 */
export async function beginReseal(db: Db, owner: OwnerKey, target: number, at: string): Promise<void> {
  await updateItem(db, {
    Key: keys.resealState(owner),
    UpdateExpression:
      'SET #state = :running, #target = :target, #pass = :none, #nextPassAt = :zero, #moved = :zero, ' +
      '#lastMoveAt = if_not_exists(#lastMoveAt, :zero), #counted = if_not_exists(#counted, :none), ' +
      '#startedAt = :at, #updatedAt = :at REMOVE #leaseId, #leaseUntil',
    ConditionExpression: 'attribute_not_exists(#target) OR #target < :target',
    ExpressionAttributeNames: aliases(
      'state',
      'target',
      'pass',
      'nextPassAt',
      'moved',
      'lastMoveAt',
      'counted',
      'startedAt',
      'updatedAt',
      'leaseId',
      'leaseUntil',
    ),
    ExpressionAttributeValues: { ':running': 'running', ':target': target, ':none': null, ':zero': 0, ':at': at },
  });
}

/**
 * The lease of a running re-seal taken until `untilMs`, if nobody holds an unexpired one: its
 * holder alone works on it. The record, or undefined when not taken.
 */
export async function claimReseal(
  db: Db,
  owner: OwnerKey,
  leaseId: string,
  nowMs: number,
  untilMs: number,
): Promise<ResealRecord | undefined> {
  const item = await updateItem(db, {
    Key: keys.resealState(owner),
    UpdateExpression: 'SET #leaseId = :lease, #leaseUntil = :until',
    ConditionExpression: '#state = :running AND (attribute_not_exists(#leaseUntil) OR #leaseUntil < :now)',
    ExpressionAttributeNames: aliases('leaseId', 'leaseUntil', 'state'),
    ExpressionAttributeValues: { ':lease': leaseId, ':until': untilMs, ':running': 'running', ':now': nowMs },
  });
  return item && toReseal(item);
}

/** Progress saved by the lease's holder, its lease extended to `untilMs`; false when it lost the lease. */
export function saveReseal(
  db: Db,
  owner: OwnerKey,
  record: ResealRecord,
  leaseId: string,
  untilMs: number,
): Promise<boolean> {
  return putItem(db, {
    Item: { ...keys.resealState(owner), ...record, leaseId, leaseUntil: untilMs },
    ConditionExpression: '#leaseId = :lease AND #target = :target',
    ExpressionAttributeNames: aliases('leaseId', 'target'),
    ExpressionAttributeValues: { ':lease': leaseId, ':target': record.target },
  });
}

/**
 * The lease given back by its holder, for the next request to take at once; with `movedAt`, the
 * time of the last move too (a step that failed may have moved values it could not record).
 */
export async function releaseReseal(db: Db, owner: OwnerKey, leaseId: string, movedAt?: number): Promise<void> {
  await updateItem(db, {
    Key: keys.resealState(owner),
    UpdateExpression: `${movedAt === undefined ? '' : 'SET #lastMoveAt = :at '}REMOVE #leaseId, #leaseUntil`,
    ConditionExpression: '#leaseId = :lease',
    ExpressionAttributeNames: aliases('leaseId', 'leaseUntil', ...(movedAt === undefined ? [] : ['lastMoveAt'])),
    ExpressionAttributeValues: { ':lease': leaseId, ...(movedAt === undefined ? {} : { ':at': movedAt }) },
  });
}
