import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';

/** The hidden form field every POST form carries. */
export const CSRF_FIELD = '_csrf';

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
export function tokensMatch(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given === '' || expected === '') return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}

/**
 * A second line behind the token: when the browser says where a POST comes from (Origin,
 * Sec-Fetch-Site), it must be this origin. Clients that send neither rely on the token alone.
 */
export function fromThisOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (origin && origin !== new URL(c.req.url).origin) return false;
  const site = c.req.header('sec-fetch-site');
  if (site && site !== 'same-origin') return false;
  return true;
}
