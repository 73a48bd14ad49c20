import type { RuntimeTokenPrincipal } from '../auth/principal.js';
import type { Db } from '../storage/client.js';
import { getItem, type Item } from '../storage/item.js';
import { queryAll } from '../storage/query.js';
import type { TableWrite } from '../storage/transact.js';
import { keys } from './keys.js';

/** A job's runtime token as its environment lists it; `hash` (SHA-256 of the token) names its key item. */
export interface RuntimeTokenRecord {
  id: string;
  envId: string;
  jobId: string;
  createdAt: string;
  expiresAt: string;
  hash: string;
}

const toRuntimeToken = (item: Item): RuntimeTokenRecord => ({
  id: item.id as string,
  envId: item.envId as string,
  jobId: item.jobId as string,
  createdAt: item.createdAt as string,
  expiresAt: item.expiresAt as string,
  hash: item.hash as string,
});

/**
 * The key item (by hash, what authentication reads, as for an API key; conditional: hashes never
 * collide) holding the token's principal, and the environment's listing of it. Both expire by
 * `ttl`, late: readers check `expiresAt` themselves.
 */
export function runtimeTokenCreate(token: RuntimeTokenRecord): TableWrite[] {
  const { id, envId, jobId, expiresAt, createdAt } = token;
  const principal: RuntimeTokenPrincipal = { type: 'runtime-token', keyId: id, envId, jobId, expiresAt };
  const ttl = Math.ceil(Date.parse(expiresAt) / 1000);
  return [
    {
      Put: {
        Item: { ...keys.apiKey(token.hash), keyId: id, principal, envId, jobId, expiresAt, createdAt, ttl },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    { Put: { Item: { ...keys.runtimeToken(envId, id), ...token, ttl } } },
  ];
}

/** An environment's runtime tokens, expired ones included (the caller filters by `expiresAt`). */
export async function readRuntimeTokens(db: Db, envId: string): Promise<RuntimeTokenRecord[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.runtimeTokenPartition(envId) },
    ConsistentRead: true,
  });
  return items.map(toRuntimeToken);
}

export async function readRuntimeToken(
  db: Db,
  envId: string,
  tokenId: string,
): Promise<RuntimeTokenRecord | undefined> {
  const item = await getItem(db, keys.runtimeToken(envId, tokenId));
  return item && toRuntimeToken(item);
}

/** A token revoked: its listing (on the condition that it is still there: one revoke wins) and its key item. */
export const runtimeTokenRevoke = (token: RuntimeTokenRecord): TableWrite[] => [
  { Delete: { Key: keys.runtimeToken(token.envId, token.id), ConditionExpression: 'attribute_exists(pk)' } },
  { Delete: { Key: keys.apiKey(token.hash) } },
];
