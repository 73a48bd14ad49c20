import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import { SESSION_TTL_SECONDS } from '../../shared/services/console-sessions.js';

/**
 * The console's cookies, all `__Host-` (Secure, Path=/, no Domain: only this origin can set
 * them), HttpOnly and SameSite=Strict:
 * - `__Host-prime_session`: the session token;
 * - `__Host-prime_signin`: the sign-in form's CSRF token, before there is a session;
 * - `__Host-prime_flash`: a one-time notice for the page after a redirect ("Secret X added.").
 */
const SESSION = 'prime_session';
const SIGNIN = 'prime_signin';
const FLASH = 'prime_flash';

const base: CookieOptions = { prefix: 'host', path: '/', secure: true, httpOnly: true, sameSite: 'Strict' };

export const sessionToken = (c: Context) => getCookie(c, SESSION, 'host');
export const setSessionCookie = (c: Context, token: string) =>
  setCookie(c, SESSION, token, { ...base, maxAge: SESSION_TTL_SECONDS });
export const clearSessionCookie = (c: Context) => deleteCookie(c, SESSION, base);

export const signinToken = (c: Context) => getCookie(c, SIGNIN, 'host');
export const setSigninCookie = (c: Context, token: string) => setCookie(c, SIGNIN, token, { ...base, maxAge: 3600 });
export const clearSigninCookie = (c: Context) => deleteCookie(c, SIGNIN, base);

/**
 * The longest notice kept: a cookie over 4 KiB is dropped by the browser, and a notice is
 * percent-encoded in it (a restore's notice names each environment it was not linked in again).
 */
const FLASH_MAX = 1500;

/** Sets a notice for the next page. */
export const flash = (c: Context, message: string) =>
  setCookie(c, FLASH, message.length > FLASH_MAX ? `${message.slice(0, FLASH_MAX - 1)}…` : message, {
    ...base,
    maxAge: 60,
  });

/** Takes the pending notice, if any: shown once. */
export function takeFlash(c: Context): string | undefined {
  const message = getCookie(c, FLASH, 'host');
  if (message === undefined) return undefined;
  deleteCookie(c, FLASH, base);
  return message.slice(0, FLASH_MAX) || undefined;
}
