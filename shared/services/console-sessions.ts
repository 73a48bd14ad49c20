import { createHash, randomBytes } from 'node:crypto';
import { authenticate, hashApiKey, principalByKeyHash } from '../auth/api-keys.js';
import { missingScope, type UserPrincipal } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { forbidden } from '../errors.js';
import { now } from '../ids.js';
import { createSessionItem, deleteSessionItem, firstUseOfForm, readSessionItem } from '../data/sessions.js';

/**
 * Console sessions. Signing in verifies an API key once; the browser then holds only a random
 * 256-bit token in an HttpOnly cookie, and the table holds only the token's SHA-256 beside
 * the principal, a CSRF token and an expiry. The raw API key is kept nowhere: the session
 * remembers the key's hash (already the key item's own table key), so revoking the key ends
 * every session signed in with it.
 */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export interface ConsoleSession {
  tokenHash: string;
  principal: UserPrincipal;
  csrfToken: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/** A random 256-bit token, base64url (43 characters). */
export const newToken = (): string => randomBytes(32).toString('base64url');
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const isToken = (value: string | undefined): value is string => value !== undefined && TOKEN_PATTERN.test(value);

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Only a user key with the manage scope opens the console: it acts with that key's rights. */
function consoleUser(principal: Principal): UserPrincipal {
  if (principal.type !== 'user') {
    throw forbidden('The console needs a user API key: service and admin keys cannot sign in.');
  }
  if (!principal.scopes.includes('manage')) {
    throw forbidden(missingScope('manage'));
  }
  return principal;
}

/** Verifies the key (401/403 as the API answers) and stores a new session; returns its token. */
export async function createSession(deps: Deps, apiKey: string): Promise<{ token: string; session: ConsoleSession }> {
  const principal = consoleUser(await authenticate(deps, `Bearer ${apiKey.trim()}`));
  const token = newToken();
  const expiresAt = Math.floor(Date.now() / 1000) + SESSION_TTL_SECONDS;
  const session: ConsoleSession = { tokenHash: hashToken(token), principal, csrfToken: newToken(), expiresAt };
  const stored = await createSessionItem(deps.db, {
    ...session,
    keyHash: hashApiKey(apiKey.trim()),
    createdAt: now(),
  });
  if (!stored) throw new Error('a new session token collided with an existing one');
  return { token, session };
}

/** The live session of a cookie token, or undefined (unknown, expired, or its key revoked). */
export async function readSession(deps: Deps, token: string | undefined): Promise<ConsoleSession | undefined> {
  if (!isToken(token)) return undefined;
  const tokenHash = hashToken(token);
  const stored = await readSessionItem(deps.db, tokenHash);
  if (!stored || stored.expiresAt <= Date.now() / 1000) return undefined;
  if (!(await keyStillValid(deps, stored.keyHash))) {
    await deleteSession(deps, tokenHash);
    return undefined;
  }
  return { tokenHash, principal: stored.principal, csrfToken: stored.csrfToken, expiresAt: stored.expiresAt };
}

/** The API key behind a session still exists: the same look-up (cache, single flight) as the API's. */
async function keyStillValid(deps: Deps, keyHash: string): Promise<boolean> {
  return (await principalByKeyHash(deps, keyHash)) !== undefined;
}

export async function deleteSession(deps: Deps, tokenHash: string): Promise<void> {
  await deleteSessionItem(deps.db, tokenHash);
}

/**
 * A form whose effect must happen once however often the browser sends it (a reload of the
 * answer that showed a new API key): true the first time its id comes, false after.
 */
export function useFormOnce(deps: Deps, session: ConsoleSession, formId: string): Promise<boolean> {
  return firstUseOfForm(deps.db, session.tokenHash, formId);
}
