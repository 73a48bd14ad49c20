import { createHash, randomBytes } from 'node:crypto';
import type { Deps } from '../deps.js';
import { unauthorized } from '../errors.js';
import { readPrincipal } from '../data/api-keys.js';
import { readUser } from '../data/users.js';
import type { Principal, RuntimeTokenPrincipal } from './principal.js';

const KEY_PREFIX = 'prime_';
/**
 * Runtime tokens start apart so that a scanner of leaked credentials tells them from API keys.
 * Only the stored item says what a credential is: authentication never trusts the prefix.
 */
const RUNTIME_TOKEN_PREFIX = `${KEY_PREFIX}rt_`;

/** 256 random bits after `prefix`, shown once; only its SHA-256 is stored. */
function newCredential(prefix: string): { key: string; hash: string } {
  const key = prefix + randomBytes(32).toString('base64url');
  return { key, hash: hashApiKey(key) };
}

/** A new API key. */
export const newApiKey = () => newCredential(KEY_PREFIX);

/** A new runtime token: looked up exactly like an API key. */
export const newRuntimeToken = () => newCredential(RUNTIME_TOKEN_PREFIX);

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * The principal behind `Authorization: Bearer <key>`, or 401. A runtime token is taken only
 * where `accepts.runtimeToken` says the route takes one (shared/http/resource-app.ts).
 */
export async function authenticate(
  deps: Deps,
  authorization: string | undefined,
  accepts: { runtimeToken?: boolean } = {},
): Promise<Principal> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const key = match?.[1];
  if (!key?.startsWith(KEY_PREFIX) || key.length > 200) throw unauthorized();
  const principal = await principalByKeyHash(deps, hashApiKey(key));
  if (!principal) throw unauthorized();
  if (principal.type === 'runtime-token') checkRuntimeToken(principal, accepts.runtimeToken === true);
  return principal;
}

/**
 * A runtime token works only on the routes that take one, and only until it expires: checked on
 * every use, since DynamoDB's TTL deletes late and the key cache keeps a principal for up to
 * `API_KEY_CACHE_MS`.
 */
function checkRuntimeToken(token: RuntimeTokenPrincipal, accepted: boolean): void {
  if (!accepted) throw unauthorized("A runtime token is accepted only by its environment's runtime read and check.");
  if (Date.parse(token.expiresAt) <= Date.now()) throw unauthorized('This runtime token has expired.');
}

/**
 * The principal of the key with this hash, undefined for none or for a disabled user's: from the
 * key cache, else consistent reads (the key, then a user's profile) shared by every request that
 * asks for the same key meanwhile. The console's sessions are checked here too.
 */
export function principalByKeyHash(deps: Deps, hash: string): Promise<Principal | undefined> {
  return deps.apiKeys.get(hash, async () => {
    const principal = await readPrincipal(deps.db, hash);
    if (principal?.type !== 'user') return principal;
    return (await readUser(deps.db, principal.userId))?.disabled === false ? principal : undefined;
  });
}
