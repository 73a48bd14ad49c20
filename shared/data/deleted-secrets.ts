import type * as Api from '../api-objects.js';
import type { OwnerKey } from '../owner-key.js';
import type { Db } from '../storage/client.js';
import { getItem, type Item } from '../storage/item.js';
import { queryAll } from '../storage/query.js';
import type { TableWrite } from '../storage/transact.js';
import { secretFields, toGlobalSecretRecord, type GlobalSecretRecord } from './global-secrets.js';
import { keys } from './keys.js';

/**
 * A recently deleted global secret: the secret as it was (sealed value included), the
 * environments that linked it, and whether those links are still being removed.
 */
export interface DeletedSecretRecord {
  secret: GlobalSecretRecord;
  linkedEnvironments: Api.EnvironmentRef[];
  deletedAt: string;
  /** From then on it is gone: a read never shows it, whether or not TTL has removed it yet. */
  purgeAt: string;
  /** Its links are removed after the delete commits; until then the owner's next write finishes them. */
  linksPending: boolean;
}

function toDeletedSecret(owner: OwnerKey, item: Item): DeletedSecretRecord {
  const deletedAt = item.deletedAt as string;
  return {
    secret: toGlobalSecretRecord(owner, item),
    linkedEnvironments: (item.linkedEnvironments as Api.EnvironmentRef[] | undefined) ?? [],
    deletedAt,
    // A copy made before deletes were recoverable is only the mark of links to remove.
    purgeAt: (item.purgeAt as string | undefined) ?? deletedAt,
    linksPending: item.linksPending === true || item.purgeAt === undefined,
  };
}

/** The owner's recently deleted secrets (expired ones included: the caller filters by `purgeAt`). */
export async function readDeletedSecrets(db: Db, owner: OwnerKey): Promise<DeletedSecretRecord[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :trash)',
    ExpressionAttributeValues: { ':pk': keys.ownerPartition(owner), ':trash': keys.deletedSecretPrefix },
    ConsistentRead: true,
  });
  return items.map((item) => toDeletedSecret(owner, item));
}

/** The deleted secrets whose links are still to be removed (usually none): ids and names only. */
export async function secretsWithLinksPending(db: Db, owner: OwnerKey): Promise<{ id: string; name: string }[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :trash)',
    FilterExpression: 'linksPending = :yes OR attribute_not_exists(purgeAt)',
    ProjectionExpression: 'id, #name',
    ExpressionAttributeNames: { '#name': 'name' },
    ExpressionAttributeValues: { ':pk': keys.ownerPartition(owner), ':trash': keys.deletedSecretPrefix, ':yes': true },
    ConsistentRead: true,
  });
  return items.map((item) => ({ id: item.id as string, name: item.name as string }));
}

export async function readDeletedSecret(
  db: Db,
  owner: OwnerKey,
  secretId: string,
): Promise<DeletedSecretRecord | undefined> {
  const item = await getItem(db, keys.deletedSecret(owner, secretId));
  return item && toDeletedSecret(owner, item);
}

// ---- writes ----

/** The deleted secret's copy, with the environments that linked it; its links are still to be removed. */
export const deletedSecretPut = (deleted: DeletedSecretRecord): TableWrite => ({
  Put: {
    Item: {
      ...keys.deletedSecret(deleted.secret.ownerKey, deleted.secret.id),
      ...secretFields(deleted.secret),
      linkedEnvironments: deleted.linkedEnvironments,
      deletedAt: deleted.deletedAt,
      purgeAt: deleted.purgeAt,
      ttl: Math.ceil(Date.parse(deleted.purgeAt) / 1000),
      linksPending: true,
    },
  },
});

/** Every link of the deleted secret removed: it waits to be restored or to expire. */
export const deletedSecretLinksRemoved = (owner: OwnerKey, secretId: string): TableWrite => ({
  Update: {
    Key: keys.deletedSecret(owner, secretId),
    ConditionExpression: 'attribute_exists(pk)',
    // A copy made before deletes were recoverable has no purge time: it expires now.
    UpdateExpression:
      'REMOVE linksPending SET purgeAt = if_not_exists(purgeAt, deletedAt), #ttl = if_not_exists(#ttl, :now)',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':now': Math.floor(Date.now() / 1000) },
  },
});

/** The deleted copy taken (a restore or a purge), if it is there and its links are all removed. */
export const deletedSecretTake = (owner: OwnerKey, secretId: string): TableWrite => ({
  Delete: {
    Key: keys.deletedSecret(owner, secretId),
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(linksPending)',
  },
});
