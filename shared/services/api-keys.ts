import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import { newApiKey } from '../auth/api-keys.js';
import { requireAdmin, requireUser } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import {
  apiKeyCreate,
  listServiceKeysOf,
  listUserApiKeys,
  readServiceKey,
  readUserApiKey,
  serviceKeyRevoke,
  userApiKeyRevoke,
  type ApiKeyRecord,
  type ServiceKeyRecord,
} from '../data/api-keys.js';
import { PLATFORM_AUDIT } from '../data/keys.js';
import { apiKeyCountChange } from '../data/users.js';
import { conflict, notFound } from '../errors.js';
import { newId, now, requireId } from '../ids.js';
import { ownerKeyOf } from '../owner-key.js';
import { compareText } from '../pagination.js';
import { HostedService, LIMITS, type KeyScope } from '../schemas.js';
import { TransactionFailed, transactWrite, type TableWrite } from '../storage/transact.js';

const toApiKey = (key: ApiKeyRecord): Api.ApiKey => ({
  id: key.id,
  name: key.name,
  scopes: key.scopes,
  createdAt: key.createdAt,
});

/** A new key for `principal`: the writes that store it, and the key itself (shown once). */
function issue(principal: Principal, name: string): { writes: TableWrite[]; key: string; createdAt: string } {
  const { key, hash } = newApiKey();
  const createdAt = now();
  return { writes: apiKeyCreate(principal, { name, hash, createdAt }), key, createdAt };
}

export async function createApiKey(
  deps: Deps,
  principal: Principal,
  input: { name: string; scopes?: KeyScope[] | undefined },
): Promise<Api.NewApiKey> {
  const user = requireUser(principal);
  return issueUserKey(deps, principal, user.userId, input);
}

const tooManyKeys = () =>
  conflict('limit_exceeded', `A user holds at most ${LIMITS.apiKeysPerUser} API keys. Revoke one first.`);

/**
 * A key for a user, counted against their limit (a user's keys also share one rate limit);
 * also used by the local seed (a runtime-scoped key). A new user's first key comes with the
 * profile, in `newProfile`'s transaction, and is counted there.
 */
export async function issueUserKey(
  deps: Deps,
  actor: Principal,
  userId: string,
  input: { name: string; scopes?: KeyScope[] | undefined },
  newProfile?: TableWrite[],
): Promise<Api.NewApiKey> {
  const scopes = [...new Set<KeyScope>(input.scopes ?? ['manage'])].sort();
  const keyId = newId();
  const issued = issue({ type: 'user', userId, keyId, scopes }, input.name);
  const counted = newProfile ?? [apiKeyCountChange(userId, 1, LIMITS.apiKeysPerUser)];
  try {
    await transactWrite(deps.db, [
      ...counted,
      ...issued.writes,
      auditPut(deps, {
        owner: ownerKeyOf({ userId }),
        principal: actor,
        action: 'create',
        target: { type: 'api_key', id: keyId, name: input.name },
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed && !newProfile && err.failedAt() === 0) throw tooManyKeys();
    throw err;
  }
  return { id: keyId, name: input.name, scopes, key: issued.key, createdAt: issued.createdAt };
}

export async function listApiKeys(deps: Deps, principal: Principal): Promise<Api.ApiKey[]> {
  const user = requireUser(principal);
  const listed = await listUserApiKeys(deps.db, user.userId);
  return listed.map(toApiKey).sort((a, b) => compareText(a.createdAt, b.createdAt));
}

export async function revokeApiKey(deps: Deps, principal: Principal, keyId: string): Promise<Api.ApiKey> {
  const user = requireUser(principal);
  requireId(keyId, 'API key');
  const key = await readUserApiKey(deps.db, user.userId, keyId);
  if (!key) throw notFound('API key');
  await transactWrite(deps.db, [
    ...userApiKeyRevoke(user.userId, key),
    apiKeyCountChange(user.userId, -1),
    auditPut(deps, {
      owner: ownerKeyOf({ userId: user.userId }),
      principal,
      action: 'revoke',
      target: { type: 'api_key', id: keyId, name: key.name },
    }),
  ]);
  deps.apiKeys.delete(key.hash);
  return toApiKey(key);
}

/** A service or admin key, stored with its event in the platform's audit log. */
async function issuePlatformKey(
  deps: Deps,
  actor: Principal,
  principal: Principal,
  name: string,
  target: { type: 'service_key' | 'admin_key'; name: string },
) {
  const issued = issue(principal, name);
  await transactWrite(deps.db, [
    ...issued.writes,
    auditPut(deps, {
      owner: PLATFORM_AUDIT,
      principal: actor,
      action: 'create',
      target: { ...target, id: principal.keyId },
    }),
  ]);
  return issued;
}

const toServiceKey = (key: ServiceKeyRecord): Api.ServiceKey => ({
  id: key.id,
  service: key.service,
  name: key.name,
  createdAt: key.createdAt,
});

export async function createServiceKey(
  deps: Deps,
  principal: Principal,
  input: { service: HostedService; name: string },
): Promise<Api.NewServiceKey> {
  requireAdmin(principal);
  const keyId = newId();
  const issued = await issuePlatformKey(
    deps,
    principal,
    { type: 'service', service: input.service, keyId },
    input.name,
    {
      type: 'service_key',
      name: `${input.service}/${input.name}`,
    },
  );
  return { id: keyId, service: input.service, name: input.name, key: issued.key, createdAt: issued.createdAt };
}

/** Every hosted service's keys (never the keys themselves), oldest first. */
export async function listServiceKeys(deps: Deps, principal: Principal): Promise<Api.ServiceKey[]> {
  requireAdmin(principal);
  const listed = await listServiceKeysOf(deps.db, HostedService.options);
  return listed.map(toServiceKey).sort((a, b) => compareText(a.createdAt, b.createdAt));
}

/** Revokes a service key: refused at once here, within the key cache's lifetime everywhere else. */
export async function revokeServiceKey(deps: Deps, principal: Principal, keyId: string): Promise<Api.ServiceKey> {
  requireAdmin(principal);
  requireId(keyId, 'Service key');
  const key = await readServiceKey(deps.db, HostedService.options, keyId);
  if (!key) throw notFound('Service key');
  await transactWrite(deps.db, [
    ...serviceKeyRevoke(key),
    auditPut(deps, {
      owner: PLATFORM_AUDIT,
      principal,
      action: 'revoke',
      target: { type: 'service_key', id: keyId, name: `${key.service}/${key.name}` },
    }),
  ]);
  deps.apiKeys.delete(key.hash);
  return toServiceKey(key);
}

/**
 * A platform admin key (`npm run admin -- create-admin-key`), printed once by the caller. Made
 * by whoever holds the table's credentials, not by a key: its event names the new key as actor.
 */
export async function createAdminKey(deps: Deps, name: string): Promise<{ id: string; key: string }> {
  const keyId = newId();
  const principal: Principal = { type: 'admin', keyId };
  const issued = await issuePlatformKey(deps, principal, principal, name, { type: 'admin_key', name });
  return { id: keyId, key: issued.key };
}
