import { Hono, type MiddlewareHandler } from 'hono';
import type { Deps } from '../../shared/deps.js';
import { forbidden } from '../../shared/errors.js';
import { enforceRateLimit, useHttpBaseline } from '../../shared/http/baseline.js';
import { jsonError, routeNotFound } from '../../shared/http/errors-handler.js';
import { FILE_LIMIT_WORDS } from './components/file-secret-card.js';
import { STYLESHEET_PATH } from './components/layout.js';
import { COPY_SCRIPT_PATH } from './copy-script.js';
import { flash, sessionToken } from './cookies.js';
import type { ConsoleEnv } from './context.js';
import { CSRF_FIELD, fromThisOrigin, tokensMatch } from './csrf.js';
import { formFields } from './forms.js';
import { securityHeaders } from './headers.js';
import { errorPage } from './render.js';
import { safeNext } from './routes/auth.js';
import { readSession } from '../../shared/services/console-sessions.js';

/** Pages anyone may open: signing in, and the console's assets. */
const OPEN_PATHS = new Set(['/console/signin', STYLESHEET_PATH, COPY_SCRIPT_PATH]);

const isConsolePath = (path: string) => path === '/console' || path.startsWith('/console/');

/**
 * A function of the web console: server-rendered pages over the same service functions as the
 * API, acting as the signed-in user, with the routes `register` adds. Every page but sign-in
 * needs a session; every POST form also needs the session's CSRF token and, when the browser
 * names one, this origin.
 */
export function consoleApp(
  deps: Deps,
  service: 'console' | 'console-keys',
  register: (app: Hono<ConsoleEnv>) => void,
): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>({ strict: false });

  // The security headers go ahead of the baseline, so that what it refuses (a form over 256 KiB) has them too.
  app.use('*', securityHeaders);
  useHttpBaseline(app, deps, {
    service,
    bodyTooLarge: `The form is larger than 256 KiB. A file secret holds at most ${FILE_LIMIT_WORDS}.`,
    renderError: (c, error) => {
      if (!isConsolePath(c.req.path)) return jsonError(c, error);
      const message = Array.isArray(error.detail) ? error.detail.map((d) => d.msg).join(' ') : error.detail;
      return errorPage(c, error.status, message, c.get('session') !== undefined);
    },
    notFound: (c) =>
      isConsolePath(c.req.path)
        ? errorPage(c, 404, 'There is no such page in the console.', c.get('session') !== undefined)
        : routeNotFound(c),
  });
  app.use('/console/*', requireSession(deps));
  app.use('/console', requireSession(deps));

  register(app);

  return app;
}

/**
 * The session gate. Without a live session a page redirects to sign-in (and back afterwards);
 * with one, the key's rate limit applies, and a POST must carry the session's CSRF token and
 * come from this origin, else it is refused before anything runs.
 */
function requireSession(deps: Deps): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    if (OPEN_PATHS.has(c.req.path.replace(/\/+$/, ''))) return next();
    const session = await readSession(deps, sessionToken(c));
    if (!session) {
      if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
        flash(c, 'Your session has ended. Sign in again.');
        return c.redirect('/console/signin', 303);
      }
      const back = safeNext(c.req.url.slice(new URL(c.req.url).origin.length));
      return c.redirect(
        back && back !== '/console' ? `/console/signin?next=${encodeURIComponent(back)}` : '/console/signin',
        303,
      );
    }
    c.set('session', session);
    await enforceRateLimit(deps, session.principal);
    if (c.req.method === 'POST') {
      const fields = await formFields(c);
      if (!fromThisOrigin(c) || !tokensMatch(session.csrfToken, fields[CSRF_FIELD])) {
        throw forbidden(
          'This form did not come from this console, or it was opened before you last signed in. Go back, reload the page and try again.',
        );
      }
      c.set('fields', fields);
    }
    await next();
  };
}
