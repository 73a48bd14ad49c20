import type { Principal } from '../auth/principal.js';
import type { HostedService, KeyScope } from '../schemas.js';
import type { Db } from '../storage/client.js';
import { getItem, type Item } from '../storage/item.js';
import { queryPrefix } from '../storage/query.js';
import type { TableWrite } from '../storage/transact.js';
import { keys } from './keys.js';

/** An API key as listed to its holder (by id); `hash` is the SHA-256 that names its key item. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: KeyScope[];
  hash: string;
  createdAt: string;
}

const toApiKey = (item: Item): ApiKeyRecord => ({
  id: item.id as string,
  name: item.name as string,
  scopes: item.scopes as KeyScope[],
  hash: item.hash as string,
  createdAt: item.createdAt as string,
});

function listingKey(principal: Principal) {
  switch (principal.type) {
    case 'user':
      return keys.userApiKey(principal.userId, principal.keyId);
    case 'service':
      return keys.serviceApiKey(principal.service, principal.keyId);
    case 'admin':
      return keys.adminApiKey(principal.keyId);
  }
}

/** The principal a key hash stands for, read consistently, or undefined (unknown or revoked). */
export async function readPrincipal(db: Db, hash: string): Promise<Principal | undefined> {
  const item = await getItem(db, keys.apiKey(hash));
  return item?.principal as Principal | undefined;
}

/** The key item (by hash, the look-up of every request; conditional: hashes never collide) and its listing. */
export function apiKeyCreate(principal: Principal, key: Omit<ApiKeyRecord, 'id' | 'scopes'>): TableWrite[] {
  const scopes = principal.type === 'user' ? principal.scopes : [];
  return [
    {
      Put: {
        Item: { ...keys.apiKey(key.hash), keyId: principal.keyId, name: key.name, principal, createdAt: key.createdAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    { Put: { Item: { ...listingKey(principal), id: principal.keyId, scopes, ...key } } },
  ];
}

export async function listUserApiKeys(db: Db, userId: string): Promise<ApiKeyRecord[]> {
  const items = await queryPrefix(db, keys.user(userId).pk, keys.userApiKeyPrefix);
  return items.map(toApiKey);
}

export async function readUserApiKey(db: Db, userId: string, keyId: string): Promise<ApiKeyRecord | undefined> {
  const item = await getItem(db, keys.userApiKey(userId, keyId));
  return item && toApiKey(item);
}

/** A user's key revoked: its listing and its key item. */
export const userApiKeyRevoke = (userId: string, key: ApiKeyRecord): TableWrite[] => [
  { Delete: { Key: keys.userApiKey(userId, key.id) } },
  { Delete: { Key: keys.apiKey(key.hash) } },
];

/** A hosted service's key as listed to the platform admin. */
export type ServiceKeyRecord = ApiKeyRecord & { service: HostedService };

/** Every service key of these services (one listing partition a service). */
export async function listServiceKeysOf(db: Db, services: readonly HostedService[]): Promise<ServiceKeyRecord[]> {
  const perService = await Promise.all(
    services.map(async (service) => {
      const items = await queryPrefix(db, keys.serviceApiKeyPartition(service), keys.serviceApiKeyPrefix);
      return items.map((item) => ({ ...toApiKey(item), service }));
    }),
  );
  return perService.flat();
}

/** The service key with this id, whichever of these services it serves, or undefined. */
export async function readServiceKey(
  db: Db,
  services: readonly HostedService[],
  keyId: string,
): Promise<ServiceKeyRecord | undefined> {
  const found = await Promise.all(services.map((service) => getItem(db, keys.serviceApiKey(service, keyId))));
  const at = found.findIndex((item) => item !== undefined);
  return at < 0 ? undefined : { ...toApiKey(found[at]!), service: services[at]! };
}

/** A service key revoked: its listing and its key item. */
export const serviceKeyRevoke = (key: ServiceKeyRecord): TableWrite[] => [
  { Delete: { Key: keys.serviceApiKey(key.service, key.id) } },
  { Delete: { Key: keys.apiKey(key.hash) } },
];

/** Every platform admin key (never the keys themselves). */
export async function listAdminKeysOf(db: Db): Promise<ApiKeyRecord[]> {
  const items = await queryPrefix(db, keys.adminApiKeyPartition, keys.adminApiKeyPrefix);
  return items.map(toApiKey);
}

/**
 * An admin key revoked, on the condition that `witness`, another admin key, still exists when it
 * commits: of two concurrent revokes of the last two keys, each checking the other, at most one
 * commits, so one admin key always remains.
 */
export const adminKeyRevoke = (key: ApiKeyRecord, witness: ApiKeyRecord): TableWrite[] => [
  { Delete: { Key: keys.adminApiKey(key.id), ConditionExpression: 'attribute_exists(pk)' } },
  { Delete: { Key: keys.apiKey(key.hash) } },
  { ConditionCheck: { Key: keys.adminApiKey(witness.id), ConditionExpression: 'attribute_exists(pk)' } },
];
