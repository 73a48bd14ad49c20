import type { MiddlewareHandler } from 'hono';

/**
 * Every console response: no script at all (the console needs none), styles only from itself,
 * forms only to itself, never framed, nothing cached (pages show names of secrets and values of
 * variables), and no referrer to any other site. The referrer policy is `same-origin`, not
 * `no-referrer`: under `no-referrer` browsers send `Origin: null` with every form POST (Fetch
 * standard, "append a request Origin header"), which would blind the CSRF origin check.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  c.header('X-Frame-Options', 'DENY');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'same-origin');
  c.header('Cross-Origin-Opener-Policy', 'same-origin');
  c.header('Cross-Origin-Resource-Policy', 'same-origin');
  c.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
  c.header('Strict-Transport-Security', 'max-age=31536000');
  if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
};
