import type { Context, MiddlewareHandler } from 'hono';

/**
 * Every console response: no script (but the one page of withOwnScript), styles only from itself,
 * forms only to itself, never framed, nothing cached (pages show names of secrets and values of
 * variables), and no referrer to any other site. The referrer policy is `same-origin`, not
 * `no-referrer`: under `no-referrer` browsers send `Origin: null` with every form POST (Fetch
 * standard, "append a request Origin header"), which would blind the CSRF origin check.
 */
const policy = (scripts: "'none'" | "'self'") =>
  [
    "default-src 'self'",
    `script-src ${scripts}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

const CONTENT_SECURITY_POLICY = policy("'none'");

/**
 * The one page that runs a script: the one showing a new API key, with its Copy button
 * (copy-script.ts), a file of the console's own; still no inline script, and no other source.
 */
export const withOwnScript = (c: Context) => c.header('Content-Security-Policy', policy("'self'"));

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  if (!c.res.headers.has('Content-Security-Policy')) c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  c.header('X-Frame-Options', 'DENY');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'same-origin');
  c.header('Cross-Origin-Opener-Policy', 'same-origin');
  c.header('Cross-Origin-Resource-Policy', 'same-origin');
  c.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
  c.header('Strict-Transport-Security', 'max-age=31536000');
  if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
};
