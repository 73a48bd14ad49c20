import type { Db } from '../storage/client.js';
import { getItem, type Item } from '../storage/item.js';
import { queryPrefix } from '../storage/query.js';
import type { TableWrite } from '../storage/transact.js';
import { bumpingRevision } from './revisions.js';
import { keys } from './keys.js';

/** A name an environment's code reads: its runtime set must hold it, unless it is optional. */
export interface RequirementRecord {
  envId: string;
  name: string;
  description: string | null;
  optional: boolean;
  createdAt: string;
}

export const toRequirement = (envId: string, item: Item): RequirementRecord => ({
  envId,
  name: item.name as string,
  description: (item.description as string | null | undefined) ?? null,
  optional: item.optional === true,
  createdAt: item.createdAt as string,
});

export const isRequirementSk = (sk: string): boolean => sk.startsWith(keys.requirementPrefix);

/** An environment's requirements, read consistently. */
export async function readRequirements(db: Db, envId: string): Promise<RequirementRecord[]> {
  const items = await queryPrefix(db, keys.environmentPartition(envId), keys.requirementPrefix);
  return items.map((item) => toRequirement(envId, item));
}

export async function readRequirement(db: Db, envId: string, name: string): Promise<RequirementRecord | undefined> {
  const item = await getItem(db, keys.requirement(envId, name));
  return item && toRequirement(envId, item);
}

// ---- writes ----

const requirementItem = (r: RequirementRecord): Item => ({
  ...keys.requirement(r.envId, r.name),
  name: r.name,
  description: r.description,
  optional: r.optional,
  createdAt: r.createdAt,
});

/** A new requirement, on the condition that the name is not required yet. */
export const requirementCreate = (r: RequirementRecord): TableWrite =>
  bumpingRevision(r.envId, { Put: { Item: requirementItem(r), ConditionExpression: 'attribute_not_exists(pk)' } });

/** A requirement's description and optional flag changed, if it is still there. */
export const requirementChange = (r: RequirementRecord): TableWrite =>
  bumpingRevision(r.envId, {
    Update: {
      Key: keys.requirement(r.envId, r.name),
      UpdateExpression: 'SET description = :description, optional = :optional',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':description': r.description, ':optional': r.optional },
    },
  });

/** A requirement removed, if it is there. */
export const requirementDelete = (envId: string, name: string): TableWrite =>
  bumpingRevision(envId, {
    Delete: { Key: keys.requirement(envId, name), ConditionExpression: 'attribute_exists(pk)' },
  });
