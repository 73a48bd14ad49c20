import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import { newApiKey } from '../auth/api-keys.js';
import { authorizeKeyScopes, requireAdmin, requireUser } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import {
  adminKeyRevoke,
  apiKeyCreate,
  listAdminKeysOf,
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
import { apiKeyCountChange, readUser } from '../data/users.js';
import { conflict, notFound } from '../errors.js';
import { newId, now, requireId } from '../ids.js';
import { ownerKeyOf } from '../owner-key.js';
import { compareText } from '../pagination.js';
import { HostedService, type KeyScope } from '../schemas.js';
import { LIMITS } from '../rules.js';
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

/** The scopes of a key a user makes unless asked; the account key the admin issues holds them all. */
const USER_KEY_SCOPES: KeyScope[] = ['manage'];
export const ACCOUNT_KEY_SCOPES: KeyScope[] = ['manage', 'runtime'];

/** `POST /user/api-keys`: a key of the caller's, with scopes the calling key holds itself. */
export async function createApiKey(
  deps: Deps,
  principal: Principal,
  input: { name: string; scopes?: KeyScope[] | undefined },
): Promise<Api.NewApiKey> {
  const user = requireUser(principal);
  return issueUserKey(
    deps,
    principal,
    { id: user.userId },
    { name: input.name, scopes: input.scopes ?? USER_KEY_SCOPES },
  );
}

/** `POST /admin/users/{userId}/api-keys`: a user's account key (every scope unless asked), e.g. for a lost one. */
export async function issueAccountKey(
  deps: Deps,
  principal: Principal,
  userId: string,
  input: { name: string; scopes?: KeyScope[] | undefined },
): Promise<Api.NewApiKey> {
  requireAdmin(principal);
  requireId(userId, 'User');
  const user = await readUser(deps.db, userId);
  if (!user) throw notFound('User');
  return issueUserKey(deps, principal, user, { name: input.name, scopes: input.scopes ?? ACCOUNT_KEY_SCOPES });
}

const tooManyKeys = () =>
  conflict('limit_exceeded', `A user holds at most ${LIMITS.apiKeysPerUser} API keys. Revoke one first.`);

/**
 * A key for a user, counted against their limit (a user's keys also share one rate limit),
 * with scopes `actor` may give (shared/auth/authorization.ts). A new user's first key comes with
 * the profile, in `newProfile`'s transaction, and is counted there. Any other key the platform
 * admin issues is an event of the platform's log too, named by the user's slug (a first key is
 * told by the new user's own event there).
 */
export async function issueUserKey(
  deps: Deps,
  actor: Principal,
  user: { id: string; slug?: string },
  input: { name: string; scopes: KeyScope[] },
  newProfile?: TableWrite[],
): Promise<Api.NewApiKey> {
  const scopes = [...new Set<KeyScope>(input.scopes)].sort();
  authorizeKeyScopes(actor, scopes);
  const keyId = newId();
  const issued = issue({ type: 'user', userId: user.id, keyId, scopes }, input.name);
  const counted = newProfile ?? [apiKeyCountChange(user.id, 1, LIMITS.apiKeysPerUser)];
  const target = { type: 'api_key' as const, id: keyId, name: input.name };
  try {
    await transactWrite(deps.db, [
      ...counted,
      ...issued.writes,
      auditPut(deps, { owner: ownerKeyOf({ userId: user.id }), principal: actor, action: 'create', target }),
      ...(actor.type === 'admin' && !newProfile
        ? [
            auditPut(deps, {
              owner: PLATFORM_AUDIT,
              principal: actor,
              action: 'create',
              target: { ...target, name: `${user.slug ?? user.id}/${input.name}` },
            }),
          ]
        : []),
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
 * Actions taken by whoever holds the table's credentials (`npm run admin`, infra/admin.ts), not
 * by a key: their events name this actor.
 */
export const TABLE_OPERATOR: Principal = { type: 'admin', keyId: 'table-operator' };

const toAdminKey = (key: ApiKeyRecord): Api.AdminKey => ({ id: key.id, name: key.name, createdAt: key.createdAt });

/**
 * A platform admin key, shown once: made with an admin key (`POST /admin/api-keys`) or with the
 * table's credentials (`npm run admin -- create-admin-key`).
 */
export async function createAdminKey(deps: Deps, actor: Principal, name: string): Promise<Api.NewAdminKey> {
  requireAdmin(actor);
  const keyId = newId();
  const principal: Principal = { type: 'admin', keyId };
  const issued = await issuePlatformKey(deps, actor, principal, name, { type: 'admin_key', name });
  return { id: keyId, name, key: issued.key, createdAt: issued.createdAt };
}

/** Every platform admin key (never the keys themselves), oldest first. */
export async function listAdminKeys(deps: Deps, principal: Principal): Promise<Api.AdminKey[]> {
  requireAdmin(principal);
  const listed = await listAdminKeysOf(deps.db);
  return listed.map(toAdminKey).sort((a, b) => compareText(a.createdAt, b.createdAt));
}

const lastAdminKey = () =>
  conflict('last_admin_key', 'The last admin key cannot be revoked: make another admin key first.');

/** How often a revoke picks another witness when the one it checked was revoked meanwhile. */
const REVOKE_ATTEMPTS = 5;

/**
 * Revokes an admin key, never the last one: the revoke commits only while another admin key (a
 * witness) still exists, checked in its transaction, so concurrent revokes cannot remove them all.
 * Refused at once here, within the key cache's lifetime everywhere else.
 */
export async function revokeAdminKey(deps: Deps, principal: Principal, keyId: string): Promise<Api.AdminKey> {
  requireAdmin(principal);
  requireId(keyId, 'Admin key');
  for (let attempt = 1; ; attempt++) {
    const listed = await listAdminKeysOf(deps.db);
    const key = listed.find((k) => k.id === keyId);
    if (!key) throw notFound('Admin key');
    const witness = listed.find((k) => k.id !== keyId);
    if (!witness) throw lastAdminKey();
    try {
      await transactWrite(deps.db, [
        ...adminKeyRevoke(key, witness),
        auditPut(deps, {
          owner: PLATFORM_AUDIT,
          principal,
          action: 'revoke',
          target: { type: 'admin_key', id: keyId, name: key.name },
        }),
      ]);
      deps.apiKeys.delete(key.hash);
      return toAdminKey(key);
    } catch (err) {
      // The key itself went meanwhile: a 404 on the next look. The witness went: try another.
      if (!(err instanceof TransactionFailed)) throw err;
      if (attempt >= REVOKE_ATTEMPTS) throw conflict('conflict', 'The admin keys kept changing meanwhile: try again.');
    }
  }
}
