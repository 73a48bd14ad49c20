import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import { newApiKey } from '../auth/api-keys.js';
import { requireAdmin, requireUser } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import {
  apiKeyCreate,
  listUserApiKeys,
  readUserApiKey,
  userApiKeyRevoke,
  type ApiKeyRecord,
} from '../data/api-keys.js';
import { notFound } from '../errors.js';
import { newId, now, requireId } from '../ids.js';
import { ownerKeyOf } from '../owner-key.js';
import { compareText } from '../pagination.js';
import type { HostedService, KeyScope } from '../schemas.js';
import { transactWrite, type TableWrite } from '../storage/transact.js';

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

/** A key for a user; also used for a new user's first key and by the local seed (a runtime-scoped key). */
export async function issueUserKey(
  deps: Deps,
  actor: Principal,
  userId: string,
  input: { name: string; scopes?: KeyScope[] | undefined },
  extra: TableWrite[] = [],
): Promise<Api.NewApiKey> {
  const scopes = [...new Set<KeyScope>(input.scopes ?? ['manage'])].sort();
  const keyId = newId();
  const issued = issue({ type: 'user', userId, keyId, scopes }, input.name);
  await transactWrite(deps.db, [
    ...extra,
    ...issued.writes,
    auditPut(deps, {
      owner: ownerKeyOf({ userId }),
      principal: actor,
      action: 'create',
      target: { type: 'api_key', id: keyId, name: input.name },
    }),
  ]);
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

export async function createServiceKey(
  deps: Deps,
  principal: Principal,
  input: { service: HostedService; name: string },
): Promise<Api.NewServiceKey> {
  requireAdmin(principal);
  const keyId = newId();
  const issued = issue({ type: 'service', service: input.service, keyId }, input.name);
  await transactWrite(deps.db, issued.writes);
  return { id: keyId, service: input.service, name: input.name, key: issued.key, createdAt: issued.createdAt };
}

/** A platform admin key (`npm run admin -- create-admin-key`), printed once by the caller. */
export async function createAdminKey(deps: Deps, name: string): Promise<{ id: string; key: string }> {
  const keyId = newId();
  const issued = issue({ type: 'admin', keyId }, name);
  await transactWrite(deps.db, issued.writes);
  return { id: keyId, key: issued.key };
}
