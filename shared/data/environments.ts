import type * as Api from '../api-objects.js';
import { ownerKeyOf, ownerOf, type OwnerKey } from '../owner-key.js';
import type { Db } from '../storage/client.js';
import { deleteItem, getItem, type Item } from '../storage/item.js';
import { queryCount, queryPageAfter, queryPrefix, queryUpTo } from '../storage/query.js';
import type { TableWrite } from '../storage/transact.js';
import { itemCountChange } from './item-counts.js';
import { bumpingRevision } from './revisions.js';
import { keys } from './keys.js';
import { ownerCountChange } from './owner-counts.js';

/** An environment as stored in its META item. */
export type EnvironmentRecord = Api.Environment & {
  ownerKey: OwnerKey;
  entryCount: number;
};

const toEnvironment = (item: Item): Api.Environment => ({
  id: item.id as string,
  owner: item.owner as string,
  name: item.name as string,
  userId: (item.userId as string | null) ?? null,
  teamId: (item.teamId as string | null) ?? null,
  createdAt: item.createdAt as string,
});

/** The owner key is derived from the owner the record names, never read from a field of its own. */
export function toEnvironmentRecord(item: Item): EnvironmentRecord {
  const environment = toEnvironment(item);
  return Object.assign(environment, {
    ownerKey: ownerKeyOf(ownerOf(environment)),
    entryCount: (item.entryCount as number | undefined) ?? 0,
  });
}

export async function readEnvironment(db: Db, envId: string): Promise<EnvironmentRecord | undefined> {
  const item = await getItem(db, keys.environment(envId));
  return item && toEnvironmentRecord(item);
}

/**
 * One page of an owner's environments in name order, from their name claims: a Query of
 * `offset + limit` claims (the first `offset` read only to be skipped: a Query cannot start at
 * a position, and claims are small, so even the last page of 1,000 is one request of a few
 * hundred KB).
 */
export async function environmentPageOf(
  db: Db,
  owner: OwnerKey,
  offset: number,
  limit: number,
): Promise<Api.Environment[]> {
  const items = await queryUpTo(
    db,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.ownerPartition(owner), ':prefix': keys.environmentNamePrefix },
      ConsistentRead: true,
    },
    offset + limit,
  );
  return items.slice(offset).map(toEnvironment);
}

/** How many environments the owner has, counted from their name claims (the count's first value). */
export function countEnvironmentClaims(db: Db, owner: OwnerKey): Promise<number> {
  return queryCount(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.ownerPartition(owner), ':prefix': keys.environmentNamePrefix },
    ConsistentRead: true,
  });
}

/** The owner's environment named next after `afterName` (the first when undefined), by its name claim: a walk one at a time. */
export async function nextEnvironmentOf(
  db: Db,
  owner: OwnerKey,
  afterName: string | undefined,
): Promise<Api.Environment | undefined> {
  const after = afterName === undefined ? undefined : keys.environmentName(owner, afterName).sk;
  const { items } = await queryPageAfter(db, keys.ownerPartition(owner), keys.environmentNamePrefix, after, 1);
  return items[0] && toEnvironment(items[0]);
}

export async function readEnvironmentNamed(
  db: Db,
  owner: OwnerKey,
  name: string,
): Promise<Api.Environment | undefined> {
  const item = await getItem(db, keys.environmentName(owner, name));
  return item && toEnvironment(item);
}

/** An environment record as the API shows it (and as its name claim holds it). */
export const environmentView = (env: EnvironmentRecord): Api.Environment => ({
  id: env.id,
  owner: env.owner,
  name: env.name,
  userId: env.userId,
  teamId: env.teamId,
  createdAt: env.createdAt,
});

/** The name claim (the conflict check: first, conditional) and the META item. */
export const environmentCreate = (env: EnvironmentRecord): [TableWrite, TableWrite] => [
  {
    Put: {
      Item: { ...keys.environmentName(env.ownerKey, env.name), ...environmentView(env) },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  },
  bumpingRevision(env.id, {
    Put: {
      Item: { ...keys.environment(env.id), ...environmentView(env), entryCount: 0 },
    },
  }),
];

/** The META item (first: it must still exist) and the name claim. */
export const environmentDelete = (env: EnvironmentRecord): [TableWrite, TableWrite] => [
  bumpingRevision(env.id, { Delete: { Key: keys.environment(env.id), ConditionExpression: 'attribute_exists(pk)' } }),
  { Delete: { Key: keys.environmentName(env.ownerKey, env.name) } },
];

/**
 * The mark, written with `environmentDelete`, that the deleted environment's contents are still
 * to be removed: the owner's next write finds it should the removal stop half-way.
 */
export const environmentDeleteMark = (env: EnvironmentRecord, deletedAt: string): TableWrite => ({
  Put: { Item: { ...keys.deletedEnvironment(env.ownerKey, env.id), envId: env.id, name: env.name, deletedAt } },
});

/** The owner's deleted environments whose contents are still to be removed (usually none). */
export async function pendingEnvironmentDeletes(db: Db, owner: OwnerKey): Promise<string[]> {
  const items = await queryPrefix(db, keys.ownerPartition(owner), keys.deletedEnvironmentPrefix, {
    ProjectionExpression: 'envId',
  });
  return items.map((item) => item.envId as string);
}

/** Nothing of the deleted environment is left: its mark goes. */
export function environmentDeleteFinished(db: Db, owner: OwnerKey, envId: string): Promise<void> {
  return deleteItem(db, keys.deletedEnvironment(owner, envId));
}

/**
 * How many environments the owner has, changed by `delta`; an increase is refused at `max`.
 * Environments existed before this count did, so it must be counted first (`ownerCountStart`).
 */
export const environmentCountChange = (owner: OwnerKey, delta: 1 | -1, max?: number): TableWrite =>
  ownerCountChange(owner, 'environmentCount', delta, { max, counted: 'first' });

/** One of the environment's counts (at most 500 entries, 500 requirements); a failure tells full from deleted. */
const countChange =
  (counter: 'entryCount' | 'requirementCount') =>
  (envId: string, delta: 1 | -1, max?: number): TableWrite =>
    itemCountChange(keys.environment(envId), counter, delta, max);

/** Direct secrets, links and variables (at most 500). */
export const entryCountChange = countChange('entryCount');
/** Requirements (at most 500). */
export const requirementCountChange = countChange('requirementCount');
