import { createHash, randomBytes } from 'node:crypto';
import type { Deps } from '../deps.js';
import { unauthorized } from '../errors.js';
import { readPrincipal } from '../data/api-keys.js';
import type { Principal } from './principal.js';

const KEY_PREFIX = 'prime_';

/** A new API key: 256 random bits, shown once; only its SHA-256 is stored. */
export function newApiKey(): { key: string; hash: string } {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The principal behind `Authorization: Bearer <key>`, or 401. */
export async function authenticate(deps: Deps, authorization: string | undefined): Promise<Principal> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const key = match?.[1];
  if (!key?.startsWith(KEY_PREFIX) || key.length > 200) throw unauthorized();
  const principal = await principalByKeyHash(deps, hashApiKey(key));
  if (!principal) throw unauthorized();
  return principal;
}

/**
 * The principal of the key with this hash, undefined for none: from the key cache, else one
 * consistent read shared by every request that asks for the same key meanwhile.
 */
export function principalByKeyHash(deps: Deps, hash: string): Promise<Principal | undefined> {
  return deps.apiKeys.get(hash, () => readPrincipal(deps.db, hash));
}
