import type { SealedValue, ValuePlace } from '../crypto/values.js';
import { mapLimit } from '../map-limit.js';
import type { OwnerKey } from '../owner-key.js';
import type { Db } from '../storage/client.js';
import type { Item, Key } from '../storage/item.js';
import { queryPageAfter, queryPrefix } from '../storage/query.js';
import { TransactionFailed, transactWrite, type TableWrite } from '../storage/transact.js';
import { bumpingOwnerRevision, bumpingRevision } from './revisions.js';
import { nextEnvironmentOf } from './environments.js';
import { keys } from './keys.js';
import { linksOf } from './links.js';

/**
 * Every value an owner has sealed, wherever it lives: its global secrets and recently deleted
 * ones (in the owner's partition), the direct secrets of each of its environments and their
 * recently deleted entries, and the kept versions of each of those (`HIST#<id>`). A walk reads
 * them a page at a time, in an order a cursor can resume (docs/architecture.md, "Data key
 * rotation").
 */

/** A sealed value found: the item it is in, the place its AAD binds it to, and its seal. */
export interface SealedItem {
  key: Key;
  place: ValuePlace;
  sealed: SealedValue;
  /** For a live global secret ever linked: its id, and the name its link entries are under. */
  secret?: { id: string; name: string };
}

/** A link entry, and the data key version it hints for its secret (a cold runtime read batches that key). */
export interface LinkHint extends LinkEntryRef {
  secretId: string;
  dekVersion: number | undefined;
}

/** Where a walk is: the step, and the last sort key (or environment name) done in it. */
export type WalkCursor =
  | { step: 'secrets' | 'deleted-secrets'; after?: string }
  | { step: 'environments'; afterName?: string }
  | { step: 'entries' | 'deleted-entries'; envId: string; envName: string; after?: string };

export const WALK_START: WalkCursor = { step: 'secrets' };

export interface WalkPage {
  /** The sealed values of the page, each followed by its kept versions. */
  values: SealedItem[];
  /** The link entries of the page (an environment's entries only). */
  links: LinkHint[];
  /** Where the walk goes on, or null when it is done. */
  next: WalkCursor | null;
}

const HISTORY_READS_IN_FLIGHT = 8;

/** One page of the walk: up to `limit` items of one step's partition, and the kept versions of the values among them. */
export async function readWalkPage(db: Db, owner: OwnerKey, at: WalkCursor, limit: number): Promise<WalkPage> {
  if (at.step === 'environments') {
    const env = await nextEnvironmentOf(db, owner, at.afterName);
    return { values: [], links: [], next: env ? { step: 'entries', envId: env.id, envName: env.name } : null };
  }
  const source = sourceOf(owner, at);
  const { items, last } = await queryPageAfter(db, source.pk, source.prefix, at.after, limit);
  const values = items.filter(isSealed).map((item) => ({
    ...sealedIn(item, source.place(item)),
    // `linkSeq` counts links and unlinks: a secret never linked has no link entries to look up.
    ...(at.step === 'secrets' && ((item.linkSeq as number | undefined) ?? 0) > 0
      ? { secret: { id: item.id as string, name: item.name as string } }
      : {}),
  }));
  const history = await mapLimit(values, HISTORY_READS_IN_FLIGHT, (value) => historyOf(db, value.place));
  return {
    values: values.flatMap((value, i) => [value, ...history[i]!]),
    links:
      at.step === 'entries' ? items.filter((item) => item.kind === 'link').map((i) => toLinkHint(at.envId, i)) : [],
    next: last === undefined ? stepAfter(at) : { ...at, after: last },
  };
}

type PartitionStep = Exclude<WalkCursor, { step: 'environments' }>;

function sourceOf(owner: OwnerKey, at: PartitionStep) {
  const global = (item: Item): ValuePlace => ({ kind: 'global', secretId: item.id as string });
  switch (at.step) {
    case 'secrets':
      return { pk: keys.ownerPartition(owner), prefix: keys.globalSecretPrefix, place: global };
    case 'deleted-secrets':
      return { pk: keys.ownerPartition(owner), prefix: keys.deletedSecretPrefix, place: global };
    case 'entries':
    case 'deleted-entries': {
      const place = (item: Item): ValuePlace => ({ kind: 'environment', envId: at.envId, entryId: item.id as string });
      return at.step === 'entries'
        ? // The whole partition: direct secrets' value items, and entries written before those held their own.
          { pk: keys.environmentPartition(at.envId), prefix: undefined, place }
        : { pk: keys.deletedEntryPartition(at.envId), prefix: undefined, place };
    }
  }
}

function stepAfter(at: PartitionStep): WalkCursor | null {
  switch (at.step) {
    case 'secrets':
      return { step: 'deleted-secrets' };
    case 'deleted-secrets':
      return { step: 'environments' };
    case 'entries':
      return { step: 'deleted-entries', envId: at.envId, envName: at.envName };
    case 'deleted-entries':
      return { step: 'environments', afterName: at.envName };
  }
}

/** Secrets (live, deleted, kept versions) hold `ct`; variables, links and a rename's reservations do not. */
const isSealed = (item: Item): boolean => item.ct instanceof Uint8Array;

const sealedIn = (item: Item, place: ValuePlace): SealedItem => ({
  key: { pk: item.pk as string, sk: item.sk as string },
  place,
  sealed: { ct: item.ct as Uint8Array, dekVersion: item.dekVersion as number },
});

const toLinkHint = (envId: string, item: Item): LinkHint => ({
  envId,
  key: { pk: item.pk as string, sk: item.sk as string },
  secretId: item.secretId as string,
  dekVersion: item.dekVersion as number | undefined,
});

/** The kept versions of a value, sealed in the same place as the value. */
async function historyOf(db: Db, place: ValuePlace): Promise<SealedItem[]> {
  const valueId = place.kind === 'global' ? place.secretId : place.entryId;
  const items = await queryPrefix(db, keys.valueVersionPartition(valueId), keys.valueVersionPrefix);
  return items.filter(isSealed).map((item) => sealedIn(item, place));
}

/** A link entry's item, and its environment (whose revision a change of the entry bumps). */
export interface LinkEntryRef {
  envId: string;
  key: Key;
}

/** The link entries of a live global secret: in each environment its reverse index names, under its name. */
export async function linkEntriesOf(
  db: Db,
  owner: OwnerKey,
  secret: { id: string; name: string },
): Promise<LinkEntryRef[]> {
  return (await linksOf(db, owner, secret.id)).map((link) => ({
    envId: link.envId,
    key: keys.entry(link.envId, secret.name),
  }));
}

// ---- writes ----

/**
 * A value re-sealed in place, if it still holds the seal it was read with: otherwise a write
 * replaced it meanwhile, sealed under the newest key, and it is left as it is.
 */
export function sealedValueMove(owner: OwnerKey, value: SealedItem, resealed: SealedValue): TableWrite {
  const move = {
    Update: {
      Key: value.key,
      UpdateExpression: 'SET ct = :ct, dekVersion = :version',
      ConditionExpression: 'ct = :old',
      ExpressionAttributeValues: { ':ct': resealed.ct, ':version': resealed.dekVersion, ':old': value.sealed.ct },
    },
  };
  // A value (or a copy of it: a kept version, a deleted entry or secret) is in its environment's or owner's runtime reads.
  return value.place.kind === 'environment'
    ? bumpingRevision(value.place.envId, move)
    : bumpingOwnerRevision(owner, move);
}

/** A link entry's hint set to `version`, if it still links this secret (else it is left as it is). */
export async function setLinkHint(db: Db, link: LinkEntryRef, secretId: string, version: number): Promise<void> {
  const update = {
    Update: {
      Key: link.key,
      UpdateExpression: 'SET dekVersion = :version',
      ConditionExpression: 'secretId = :id',
      ExpressionAttributeValues: { ':version': version, ':id': secretId },
    },
  };
  try {
    await transactWrite(db, [bumpingRevision(link.envId, update)]);
  } catch (err) {
    if (!(err instanceof TransactionFailed)) throw err;
  }
}
