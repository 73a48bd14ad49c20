import type { Deps } from '../deps.js';
import { batchGet, itemId } from '../storage/batch.js';
import { keys, type OwnerKey } from '../storage/keys.js';
import { queryAll } from '../storage/query.js';
import { TransactionFailed, transactWrite, type TransactItem } from '../storage/transact.js';

export interface LinkRef {
  ownerKey: OwnerKey;
  secretId: string;
  envId: string;
  /** The sort key of the link's entry (`ENTRY#<NAME>`). */
  entrySk: string;
}

/**
 * Removes a link; false when another request removed it first. Removing a link takes its
 * entry and its reverse index together, lowers the environment's entry count and bumps the
 * secret's link sequence (so a concurrent rename or delete of the secret notices). The
 * environment or the secret may be gone (the caller deleting it says so in `gone`, else a
 * failed attempt finds out); then only what exists is touched.
 */
export async function removeLink(
  deps: Deps,
  link: LinkRef,
  options: { extra?: TransactItem[]; gone?: 'environment' | 'secret' } = {},
): Promise<boolean> {
  const extra = options.extra ?? [];
  let exists = {
    entry: true,
    entrySk: link.entrySk,
    environment: options.gone !== 'environment',
    secret: options.gone !== 'secret',
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await transactWrite(deps.db, [...linkRemovalItems(deps, link, exists), ...extra]);
      return true;
    } catch (err) {
      if (!(err instanceof TransactionFailed) || attempt >= 2) throw err;
      exists = await whatExists(deps, link);
      // Someone else removed this link first (with its reverse index): nothing left to do.
      if (!exists.entry) return false;
      // A rename of the secret moved the entry to its new name: remove it there.
      link = { ...link, entrySk: exists.entrySk };
    }
  }
}

function linkRemovalItems(
  deps: Deps,
  link: LinkRef,
  exists: { environment: boolean; secret: boolean },
): TransactItem[] {
  const table = deps.db.tableName;
  return [
    {
      Delete: {
        TableName: table,
        Key: { pk: keys.environmentPartition(link.envId), sk: link.entrySk },
        ConditionExpression: 'secretId = :id',
        ExpressionAttributeValues: { ':id': link.secretId },
      },
    },
    { Delete: { TableName: table, Key: keys.secretLink(link.ownerKey, link.secretId, link.envId) } },
    ...(exists.environment
      ? [
          {
            Update: {
              TableName: table,
              Key: keys.environment(link.envId),
              UpdateExpression: 'ADD entryCount :minus',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':minus': -1 },
            },
          },
        ]
      : []),
    ...(exists.secret
      ? [
          {
            Update: {
              TableName: table,
              Key: keys.globalSecret(link.ownerKey, link.secretId),
              UpdateExpression: 'ADD linkSeq :one',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
        ]
      : []),
  ];
}

async function whatExists(deps: Deps, link: LinkRef) {
  const entryKey = { pk: keys.environmentPartition(link.envId), sk: link.entrySk };
  const envKey = keys.environment(link.envId);
  const secretKey = keys.globalSecret(link.ownerKey, link.secretId);
  const found = await batchGet(deps.db, [entryKey, envKey, secretKey]);
  const entrySk =
    found.get(itemId(entryKey))?.secretId === link.secretId ? link.entrySk : await movedEntrySk(deps, link);
  return {
    entry: entrySk !== undefined,
    entrySk: entrySk ?? link.entrySk,
    environment: found.has(itemId(envKey)),
    secret: found.has(itemId(secretKey)),
  };
}

/** Where the link's entry is now, if a rename of the secret moved it (a link is found by its secret). */
async function movedEntrySk(deps: Deps, link: LinkRef): Promise<string | undefined> {
  const items = await queryAll(deps.db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
    FilterExpression: '#kind = :link AND secretId = :id',
    ExpressionAttributeNames: { '#kind': 'kind' },
    ExpressionAttributeValues: {
      ':pk': keys.environmentPartition(link.envId),
      ':e': keys.entryPrefix,
      ':link': 'link',
      ':id': link.secretId,
    },
    ProjectionExpression: 'sk',
    ConsistentRead: true,
  });
  return items[0]?.sk as string | undefined;
}
