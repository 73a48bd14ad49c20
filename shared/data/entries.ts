import type { SealedValue } from '../crypto/values.js';
import type { Db } from '../storage/client.js';
import { batchGet, itemId } from '../storage/batch.js';
import { deleteItems, getItem, type Item, type Key } from '../storage/item.js';
import { mapLimit } from '../map-limit.js';
import { queryAll, queryFirst, queryPageAfter, queryPrefix } from '../storage/query.js';
import { TABLE } from '../storage/table-definition.js';
import type { TableWrite } from '../storage/transact.js';
import { toEnvironmentRecord, type EnvironmentRecord } from './environments.js';
import { bumpingRevision, revisionOf } from './revisions.js';
import { keys } from './keys.js';
import { isRequirementSk, toRequirement, type RequirementRecord } from './requirements.js';
import { deleteValueVersions } from './value-versions.js';

/** An environment's entries, one per name across direct secrets, variables and links. */
interface EntryBase {
  envId: string;
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

/** A direct secret without its value: what a listing reads. */
export interface SecretInfo extends EntryBase {
  kind: 'secret';
  description: string | null;
  isFile: boolean;
  /** One more per update, so that a write from a stale read can be refused. */
  rev: number | undefined;
  /** One more per change of the value (1 on create, and for entries made before versions). */
  version: number;
  /** When the credential stops working where it was issued (it is still injected). */
  expiresAt: string | null;
}

export interface SecretEntry extends SecretInfo {
  sealed: SealedValue;
}

/** A variable without its value. */
export interface VariableInfo extends EntryBase {
  kind: 'variable';
  description: string | null;
  rev: number | undefined;
  version: number;
}

export interface VariableEntry extends VariableInfo {
  value: string;
}

export interface LinkEntry extends EntryBase {
  kind: 'link';
  secretId: string;
  linkId: string;
  /**
   * What the link knows of its secret's value, kept up to date by every change of it: the data
   * key version that sealed it (a cold runtime read batches that key) and its version (the
   * runtime read's audit event names it before the secret itself is read).
   */
  dekVersion: number | undefined;
  secretVersion: number | undefined;
}

export type OwnEntry = SecretEntry | VariableEntry;
export type EntryRecord = OwnEntry | LinkEntry;
/** An entry as a listing or a name check reads it: a direct secret's or a variable's value left out. */
export type EntryInfo = SecretInfo | VariableInfo | LinkEntry;

/*
 * An entry's value lives in its own item (keys.entryValue) so that listings and updates of other
 * fields do not read it. Entries written before that hold it inline; they are read as they are and
 * move their value out on their next write, so the records read that way are remembered here.
 */
const valueInline = new WeakSet<OwnEntry>();

/** An entry item's fields, without a direct secret's or a variable's value. */
export function toEntryInfo(envId: string, item: Item): EntryInfo {
  // One literal per kind and no spread: the runtime read maps every entry of a partition here.
  const id = item.id as string;
  const name = item.name as string;
  const createdAt = item.createdAt as string;
  const updatedAt = item.updatedAt as string;
  switch (item.kind) {
    case 'link':
      return {
        envId,
        kind: 'link',
        id,
        name,
        createdAt,
        updatedAt,
        secretId: item.secretId as string,
        linkId: item.linkId as string,
        dekVersion: item.dekVersion as number | undefined,
        secretVersion: item.secretVersion as number | undefined,
      };
    case 'secret':
      return {
        envId,
        kind: 'secret',
        id,
        name,
        createdAt,
        updatedAt,
        description: (item.description as string | null | undefined) ?? null,
        isFile: item.isFile === true,
        rev: item.rev as number | undefined,
        version: (item.version as number | undefined) ?? 1,
        expiresAt: (item.expiresAt as string | null | undefined) ?? null,
      };
    default:
      return {
        envId,
        kind: 'variable',
        id,
        name,
        createdAt,
        updatedAt,
        description: (item.description as string | null | undefined) ?? null,
        rev: item.rev as number | undefined,
        version: (item.version as number | undefined) ?? 1,
      };
  }
}

/**
 * The whole entry: its item's fields and its value, from its value item or, for an entry written
 * before values had their own, from the entry item itself.
 */
export function toEntry(envId: string, item: Item, valueItem: Item | undefined): EntryRecord {
  const entry = toEntryInfo(envId, item) as EntryRecord;
  if (entry.kind === 'link') return entry;
  const source = valueItem ?? item;
  if (entry.kind === 'secret') {
    if (!(source.ct instanceof Uint8Array)) throw new Error(`direct secret ${entry.id} has no value item`);
    entry.sealed = { ct: source.ct, dekVersion: source.dekVersion as number };
  } else {
    if (typeof source.value !== 'string') throw new Error(`variable ${entry.id} has no value item`);
    entry.value = source.value;
  }
  if (!valueItem) valueInline.add(entry);
  return entry;
}

const entryItem = (entry: EntryInfo): Item => ({
  ...keys.entry(entry.envId, entry.name),
  ...keys.entryIdIndex(entry.envId, entry.id),
  ...infoFields(entry),
});

const valueItem = (entry: OwnEntry): Item => ({
  ...keys.entryValue(entry.envId, entry.id),
  id: entry.id,
  ...valueFields(entry),
});

/** An entry's attributes with its value, without its key (a deleted entry's copy keeps them under its own). */
export const entryFields = (entry: EntryRecord): Item =>
  entry.kind === 'link' ? infoFields(entry) : { ...infoFields(entry), ...valueFields(entry) };

const valueFields = (entry: OwnEntry): Item => (entry.kind === 'secret' ? { ...entry.sealed } : { value: entry.value });

function infoFields(entry: EntryInfo): Item {
  const common = {
    kind: entry.kind,
    id: entry.id,
    name: entry.name,
    createdAt: entry.createdAt,
    updatedAt: entry.updatedAt,
  };
  switch (entry.kind) {
    case 'link':
      return {
        ...common,
        secretId: entry.secretId,
        linkId: entry.linkId,
        dekVersion: entry.dekVersion,
        secretVersion: entry.secretVersion,
      };
    case 'secret':
      return {
        ...common,
        description: entry.description,
        isFile: entry.isFile,
        rev: entry.rev,
        version: entry.version,
        expiresAt: entry.expiresAt,
      };
    case 'variable':
      return { ...common, description: entry.description, rev: entry.rev, version: entry.version };
  }
}

/** The items of an environment's entries (a rename's reservations left out), read consistently, without values. */
async function entryItems(db: Db, envId: string): Promise<Item[]> {
  return (await queryPrefix(db, keys.environmentPartition(envId), keys.entryPrefix)).filter(isEntry);
}

/** Every entry of an environment without the values: what a listing costs. */
export async function readEntries(db: Db, envId: string): Promise<EntryInfo[]> {
  return (await entryItems(db, envId)).map((item) => toEntryInfo(envId, item));
}

/**
 * Every variable of an environment with its value: the entries, then the variables' value items in
 * one batch. A variable whose value item is gone by then was deleted meanwhile, and is left out.
 */
export async function readVariables(db: Db, envId: string): Promise<VariableEntry[]> {
  const items = (await entryItems(db, envId)).filter((item) => item.kind === 'variable');
  const valueKey = (item: Item) => keys.entryValue(envId, item.id as string);
  const values = await batchGet(db, items.map(valueKey));
  return items.flatMap((item) => {
    const value = values.get(itemId(valueKey(item)));
    return value || typeof item.value === 'string' ? [toEntry(envId, item, value) as VariableEntry] : [];
  });
}

/** A rename's reservation of a name holds the name but is no entry: no reader sees it. */
const RESERVED = 'reserved';
const isEntry = (item: Item): boolean => item.kind !== RESERVED;

/** What the runtime read resolves from: an environment's partition. */
export interface Partition {
  environment: EnvironmentRecord | undefined;
  entries: EntryRecord[];
  requirements: RequirementRecord[];
  /** The revision read first, so that it is never newer than what the rest of the Query found. */
  revision: number | undefined;
}

/** The whole partition of an environment in one Query: its revision, META (if it exists), every entry with its value, and requirement. */
export async function readPartition(db: Db, envId: string): Promise<Partition> {
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.environmentPartition(envId) },
    ConsistentRead: true,
  });
  let environment: EnvironmentRecord | undefined;
  let revision: number | undefined;
  const entryItems: Item[] = [];
  const values = new Map<string, Item>();
  const requirements: RequirementRecord[] = [];
  for (const item of items) {
    const sk = item.sk as string;
    if (sk === keys.environmentRevisionSk) revision = revisionOf(item);
    else if (sk === keys.environmentMetaSk) environment = toEnvironmentRecord(item);
    else if (isRequirementSk(sk)) requirements.push(toRequirement(envId, item));
    else if (sk.startsWith(keys.entryValuePrefix)) values.set(item.id as string, item);
    else if (sk.startsWith(keys.entryPrefix) && isEntry(item)) entryItems.push(item);
  }
  const entries = entryItems.map((item) => toEntry(envId, item, values.get(item.id as string)));
  return { environment, entries, requirements, revision };
}

/** The entry of each (environment, name), in one batch, without values; undefined where there is none (or a reservation). */
export async function readEntriesNamed(
  db: Db,
  refs: { envId: string; name: string }[],
): Promise<(EntryInfo | undefined)[]> {
  const found = await batchGet(
    db,
    refs.map((r) => keys.entry(r.envId, r.name)),
  );
  return refs.map((r) => {
    const item = found.get(itemId(keys.entry(r.envId, r.name)));
    return item && isEntry(item) ? toEntryInfo(r.envId, item) : undefined;
  });
}

/** Which of these environments hold the reservation of `name` by this rename, in one batch. */
export async function reservedIn(db: Db, envIds: string[], name: string, renameId: string): Promise<Set<string>> {
  const found = await batchGet(
    db,
    envIds.map((envId) => keys.entry(envId, name)),
  );
  return new Set(envIds.filter((envId) => found.get(itemId(keys.entry(envId, name)))?.renameId === renameId));
}

/**
 * The entry with this id (a link's is its secret's id) with its value, read consistently: its
 * name from the index beside its value item, then the entry itself, a few read units beyond the
 * value whatever the environment holds. The index is eventually consistent and entries written
 * before it carry no index keys, so a miss, or a name that now holds another entry, is settled
 * by reading the environment's entries.
 */
export async function readEntryById(db: Db, envId: string, id: string): Promise<EntryRecord | undefined> {
  const { gsi1pk, gsi1sk } = keys.entryIdIndex(envId, id);
  const [indexed, value] = await Promise.all([
    queryFirst(db, {
      IndexName: TABLE.index.name,
      KeyConditionExpression: '#pk = :pk AND #sk = :sk',
      ExpressionAttributeNames: { '#pk': TABLE.index.partitionKey, '#sk': TABLE.index.sortKey, '#name': 'name' },
      ExpressionAttributeValues: { ':pk': gsi1pk, ':sk': gsi1sk },
      ProjectionExpression: '#name',
    }),
    getItem(db, keys.entryValue(envId, id)),
  ]);
  const byName = indexed && (await getItem(db, keys.entry(envId, indexed.name as string)));
  const item =
    byName && isEntry(byName) && byName.id === id ? byName : (await entryItems(db, envId)).find((i) => i.id === id);
  return item && toEntry(envId, item, value);
}

/** Where a secret's link entry is in an environment now (a rename of the secret moves it). */
export async function findLinkEntry(db: Db, envId: string, secretId: string): Promise<LinkEntry | undefined> {
  const entry = await readEntryById(db, envId, secretId);
  return entry?.kind === 'link' ? entry : undefined;
}

/** The entry whose put failed on its name: what holds the name now. */
export function entryHolder(envId: string, failedItem: Item | undefined): EntryInfo | undefined {
  return failedItem && isEntry(failedItem) ? toEntryInfo(envId, failedItem) : undefined;
}

// ---- writes ----

/** A new entry (and its value item), on the condition that its name is free (the whole conflict check). */
export const entryCreate = (entry: EntryRecord): TableWrite =>
  bumpingRevision(entry.envId, {
    ...entryPutWhereFree(entry),
    ...(entry.kind === 'link' ? {} : { alongside: [valuePut(entry)] }),
  });

const entryPutWhereFree = (entry: EntryInfo) => ({
  Put: {
    Item: entryItem(entry),
    ConditionExpression: 'attribute_not_exists(pk)',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  },
});

const valuePut = (entry: OwnEntry) => ({ Put: { Item: valueItem(entry) } });

/** The value item again only when the value changed, or when it still lives in the entry item. */
const changedValue = (entry: OwnEntry, read: OwnEntry) =>
  entry.version !== read.version || valueInline.has(read) ? { alongside: [valuePut(entry)] } : {};

/** Still there and unchanged since it was read (same id, same revision). */
function unchangedSince(read: OwnEntry) {
  return read.rev === undefined
    ? { ConditionExpression: 'id = :id AND attribute_not_exists(rev)', ExpressionAttributeValues: { ':id': read.id } }
    : {
        ConditionExpression: 'id = :id AND rev = :rev',
        ExpressionAttributeValues: { ':id': read.id, ':rev': read.rev },
      };
}

/** The entry written over itself under the same name, if unchanged since `read`. */
export const entryReplace = (entry: OwnEntry, read: OwnEntry): TableWrite =>
  bumpingRevision(entry.envId, {
    Put: { Item: entryItem(entry), ...unchangedSince(read) },
    ...changedValue(entry, read),
  });

/**
 * The entry moved to its new name (a rename): the entry as read removed, if unchanged since, and
 * the new one put where the name is free. Its value item, by id, stays where it is.
 */
export const entryMove = (entry: OwnEntry, read: OwnEntry): [TableWrite, TableWrite] => [
  { Delete: { Key: keys.entry(read.envId, read.name), ...unchangedSince(read) } },
  bumpingRevision(entry.envId, { ...entryPutWhereFree(entry), ...changedValue(entry, read) }),
];

/** A direct secret or variable removed with its value, if it is still the one with this id. */
export const entryDelete = (entry: OwnEntry): TableWrite =>
  bumpingRevision(entry.envId, {
    Delete: {
      Key: keys.entry(entry.envId, entry.name),
      ConditionExpression: 'id = :id',
      ExpressionAttributeValues: { ':id': entry.id },
    },
    alongside: [{ Delete: { Key: keys.entryValue(entry.envId, entry.id) } }],
  });

/** What a link entry knows of its secret's value, brought up to date, if it still links this secret. */
export const linkHintsUpdate = (
  envId: string,
  name: string,
  secretId: string,
  hints: { dekVersion: number; secretVersion: number },
): TableWrite =>
  bumpingRevision(envId, {
    Update: {
      Key: keys.entry(envId, name),
      UpdateExpression: 'SET dekVersion = :dek, secretVersion = :version',
      ConditionExpression: 'secretId = :id',
      ExpressionAttributeValues: { ':dek': hints.dekVersion, ':version': hints.secretVersion, ':id': secretId },
    },
  });

/** A link entry under `name` removed, if it still links this secret. */
export const linkEntryDelete = (envId: string, name: string, secretId: string): TableWrite =>
  bumpingRevision(envId, {
    Delete: {
      Key: keys.entry(envId, name),
      ConditionExpression: 'secretId = :id',
      ExpressionAttributeValues: { ':id': secretId },
    },
  });

/**
 * A rename's reservation of `name` in an environment, on the condition that the name is free.
 * No reader sees a reservation, so it leaves the environment's revision as it is.
 * It expires by `ttl` (epoch seconds) should nobody finish or undo the rename.
 */
export const entryReserve = (envId: string, name: string, renameId: string, ttl: number): TableWrite => ({
  Put: {
    Item: { ...keys.entry(envId, name), kind: RESERVED, renameId, ttl },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/** A rename's reservation removed, if it is still that rename's. */
export const reservationRelease = (envId: string, name: string, renameId: string): TableWrite => ({
  Delete: {
    Key: keys.entry(envId, name),
    ConditionExpression: 'renameId = :r',
    ExpressionAttributeValues: { ':r': renameId },
  },
});

/** A link entry written over the reservation of its rename, if still that rename's. */
export const linkEntryOverReservation = (entry: LinkEntry, renameId: string): TableWrite =>
  bumpingRevision(entry.envId, {
    Put: {
      Item: entryItem(entry),
      ConditionExpression: 'renameId = :r',
      ExpressionAttributeValues: { ':r': renameId },
    },
  });

/** Items a page of leftovers reads: at most 1 MB whatever the number, as every Query page. */
export const LEFTOVERS_PAGE = 200;

/**
 * One page of what is left of a deleted environment, from its partition or its recently deleted
 * entries: the keys to delete, the ids of the values among them (whose versions go first, while
 * an entry still names them), and where to go on from.
 */
export interface Leftovers {
  keys: Key[];
  valueIds: string[];
  last: string | undefined;
}

/** A page of a deleted environment's partition; its link entries apart, which go with their reverse index. */
export async function partitionLeftovers(
  db: Db,
  envId: string,
  after: string | undefined,
): Promise<Leftovers & { links: LinkEntry[] }> {
  const page = await queryPageAfter(db, keys.environmentPartition(envId), undefined, after, LEFTOVERS_PAGE);
  const out: Leftovers & { links: LinkEntry[] } = { keys: [], valueIds: [], links: [], last: page.last };
  for (const item of page.items) {
    const isOwnEntry = (item.sk as string).startsWith(keys.entryPrefix) && isEntry(item);
    const entry = isOwnEntry ? toEntryInfo(envId, item) : undefined;
    if (entry?.kind === 'link') {
      out.links.push(entry);
      continue;
    }
    out.keys.push({ pk: item.pk as string, sk: item.sk as string });
    if (entry) out.valueIds.push(entry.id);
  }
  return out;
}

/** A page of leftovers deleted: each value's versions first (while an item still names them), then the items. */
export async function deleteLeftovers(db: Db, page: Leftovers): Promise<void> {
  await mapLimit(page.valueIds, 8, (id) => deleteValueVersions(db, id));
  await deleteItems(db, page.keys);
}
