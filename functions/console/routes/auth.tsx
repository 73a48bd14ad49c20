import type { Hono } from 'hono';
import type { Deps } from '../../../shared/deps.js';
import { ApiError } from '../../../shared/errors.js';
import {
  clearSessionCookie,
  clearSigninCookie,
  flash,
  sessionToken,
  setSessionCookie,
  setSigninCookie,
  signinToken,
  takeFlash,
} from '../cookies.js';
import type { ConsoleContext, ConsoleEnv } from '../context.js';
import { CSRF_FIELD, fromThisOrigin, tokensMatch } from '../csrf.js';
import { emptyForm, formFields, type FormState } from '../forms.js';
import { SigninPage } from '../pages/signin.js';
import { page } from '../render.js';
import {
  createSession,
  deleteSession,
  hashToken,
  isToken,
  newToken,
  readSession,
} from '../../../shared/services/console-sessions.js';

const BASE = 'http://console.invalid';

/**
 * Where to go after signing in: a console page only (never another site, nor an API route
 * reached by `..`). The path is taken as a browser resolves it, and that resolved path is
 * what is checked and used.
 */
export function safeNext(next: string | undefined): string | undefined {
  if (!next?.startsWith('/') || next.includes('\\')) return undefined;
  const url = new URL(next, BASE);
  if (url.origin !== BASE) return undefined;
  const resolved = url.pathname + url.search;
  return /^\/console(?:\/[\w.-]+)*(?:\?[\w=&%.-]*)?$/.test(resolved) && !resolved.includes('//') ? resolved : undefined;
}

/** The sign-in form, with a fresh pre-session CSRF token in a cookie and in the form. */
function signinForm(c: ConsoleContext, state: FormState, status: 200 | 401 | 403 | 422, next?: string) {
  const csrfToken = newToken();
  setSigninCookie(c, csrfToken);
  return page(
    c,
    <SigninPage state={state} csrfToken={csrfToken} next={safeNext(next)} notice={takeFlash(c)} />,
    status,
  );
}

export function registerAuthRoutes(app: Hono<ConsoleEnv>, deps: Deps): void {
  app.get('/console/signin', async (c) => {
    if (await readSession(deps, sessionToken(c))) return c.redirect('/console', 303);
    return signinForm(c, emptyForm('signin'), 200, c.req.query('next'));
  });

  app.post('/console/signin', async (c) => {
    const fields = await formFields(c);
    // Login CSRF: the form must come from this origin and carry the token of its own cookie.
    if (!fromThisOrigin(c) || !tokensMatch(signinToken(c) ?? '', fields[CSRF_FIELD])) {
      const state = emptyForm('signin');
      state.formError = 'This sign-in form has expired or did not come from this console. Try again.';
      return signinForm(c, state, 403, fields.next);
    }
    const apiKey = fields.apiKey?.trim() ?? '';
    if (apiKey === '') {
      const state = emptyForm('signin');
      state.fieldErrors.apiKey = ['Enter an API key.'];
      return signinForm(c, state, 422, fields.next);
    }
    try {
      const { token } = await createSession(deps, apiKey);
      // A new session replaces the one this browser had, if any (no session fixation).
      const previous = sessionToken(c);
      if (isToken(previous)) await deleteSession(deps, hashToken(previous));
      setSessionCookie(c, token);
      clearSigninCookie(c);
      return c.redirect(safeNext(fields.next) ?? '/console', 303);
    } catch (err) {
      if (!(err instanceof ApiError) || (err.status !== 401 && err.status !== 403)) throw err;
      const state = emptyForm('signin');
      state.fieldErrors.apiKey = [
        err.status === 401 ? 'This API key is not valid: it is unknown or has been revoked.' : String(err.detail),
      ];
      return signinForm(c, state, err.status, fields.next);
    }
  });

  app.post('/console/signout', async (c) => {
    await deleteSession(deps, c.get('session').tokenHash);
    clearSessionCookie(c);
    flash(c, 'You are signed out.');
    return c.redirect('/console/signin', 303);
  });
}
