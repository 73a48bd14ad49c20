import type { OwnerKey } from '../owner-key.js';
import type { Db } from '../storage/client.js';
import { batchGet, itemId } from '../storage/batch.js';
import type { Item } from '../storage/item.js';
import { queryPrefix } from '../storage/query.js';
import type { TableWrite } from '../storage/transact.js';
import { keys } from './keys.js';

/** The reverse index of a link, beside its secret: which environment links it, named as people name it. */
export interface SecretLinkRecord {
  ownerKey: OwnerKey;
  secretId: string;
  envId: string;
  envOwner: string;
  envName: string;
  createdAt: string;
}

const toSecretLink = (ownerKey: OwnerKey, secretId: string, item: Item): SecretLinkRecord => ({
  ownerKey,
  secretId,
  envId: item.envId as string,
  envOwner: item.envOwner as string,
  envName: item.envName as string,
  createdAt: item.createdAt as string,
});

/** Which environments link a secret. */
export async function linksOf(db: Db, owner: OwnerKey, secretId: string): Promise<SecretLinkRecord[]> {
  const items = await queryPrefix(db, keys.ownerPartition(owner), keys.secretLinkPrefix(secretId));
  return items.map((item) => toSecretLink(owner, secretId, item));
}

export const secretLinkPut = (link: SecretLinkRecord): TableWrite => ({
  Put: {
    Item: {
      ...keys.secretLink(link.ownerKey, link.secretId, link.envId),
      envId: link.envId,
      envOwner: link.envOwner,
      envName: link.envName,
      createdAt: link.createdAt,
    },
  },
});

export const secretLinkDelete = (owner: OwnerKey, secretId: string, envId: string): TableWrite => ({
  Delete: { Key: keys.secretLink(owner, secretId, envId) },
});

/**
 * What a link removal finds after a failed attempt, in one batch: whether the link's entry
 * is still under `entryName` (and still this secret's), and whether the environment and the
 * secret still exist.
 */
export async function linkRemovalState(
  db: Db,
  link: { ownerKey: OwnerKey; secretId: string; envId: string; entryName: string },
): Promise<{ entryInPlace: boolean; environment: boolean; secret: boolean }> {
  const entryKey = keys.entry(link.envId, link.entryName);
  const envKey = keys.environment(link.envId);
  const secretKey = keys.globalSecret(link.ownerKey, link.secretId);
  const found = await batchGet(db, [entryKey, envKey, secretKey]);
  return {
    entryInPlace: found.get(itemId(entryKey))?.secretId === link.secretId,
    environment: found.has(itemId(envKey)),
    secret: found.has(itemId(secretKey)),
  };
}
