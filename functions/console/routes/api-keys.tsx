import type { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type * as Api from '../../../shared/api-objects.js';
import type { Deps } from '../../../shared/deps.js';
import { CreateApiKeyBody, type KeyScope } from '../../../shared/schemas.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../../../shared/services/api-keys.js';
import { deleteSession, isToken, newToken, useFormOnce } from '../../../shared/services/console-sessions.js';
import { clearSessionCookie, flash } from '../cookies.js';
import { pageContext, principalOf, type ConsoleContext, type ConsoleEnv } from '../context.js';
import { emptyForm, fromApiError, fromZod, type FormState } from '../forms.js';
import { withOwnScript } from '../headers.js';
import { ApiKeysPage, CREATE_KEY_FORM, SCOPE_CHOICES, revokeForm } from '../pages/api-keys.js';
import { page } from '../render.js';

/**
 * API keys: the signed-in user's keys (never a key, only what `GET /user/api-keys` lists), a
 * new one with its scopes (shown once, on the answer to its form), and revoke; through the same
 * service functions as `/user/api-keys`, so a session makes only keys whose scopes its own key
 * holds (shared/auth/authorization.ts `authorizeKeyScopes`).
 */
export function registerApiKeyRoutes(app: Hono<ConsoleEnv>, deps: Deps): void {
  app.get('/console/keys', (c) => keysPage(c, deps));
  app.post('/console/keys', (c) => create(c, deps));
  app.post('/console/keys/:id/revoke', (c) => revoke(c, deps));
}

async function keysPage(
  c: ConsoleContext,
  deps: Deps,
  shown: { failed?: FormState; created?: Api.NewApiKey } = {},
  status: ContentfulStatusCode = 200,
) {
  const [ctx, keys] = await Promise.all([pageContext(c, deps), listApiKeys(deps, principalOf(c))]);
  const session = principalOf(c);
  return page(
    c,
    <ApiKeysPage
      ctx={ctx}
      keys={keys}
      sessionKeyId={session.keyId}
      sessionScopes={session.scopes}
      failed={shown.failed}
      created={shown.created}
      formId={newToken()}
    />,
    status,
  );
}

/**
 * The new key is in this answer only: it is stored as its hash, and no cookie or redirect
 * carries it. The page is never cached (headers.ts), and it alone may run the Copy button's
 * script. Each rendering of the form has an id of its own, used once (a reload makes no key).
 */
async function create(c: ConsoleContext, deps: Deps) {
  const fields = c.get('fields');
  const shown = { name: fields.name ?? '', scope: fields.scope ?? '' };
  const scopes: KeyScope[] | undefined = SCOPE_CHOICES.find((choice) => choice.value === shown.scope)?.scopes;
  const parsed = CreateApiKeyBody.safeParse({ name: shown.name, scopes });
  if (!parsed.success || !scopes) {
    const state = parsed.success ? emptyForm(CREATE_KEY_FORM, shown) : fromZod(CREATE_KEY_FORM, shown, parsed.error);
    if (!scopes) state.fieldErrors.scope = ['Choose the scope of the key.'];
    return keysPage(c, deps, { failed: state }, 422);
  }
  // The answer shows the key, so it cannot be a redirect: a reload sends the form again, and
  // must not make a second key.
  if (!isToken(fields.formId) || !(await useFormOnce(deps, c.get('session'), fields.formId))) {
    const state = emptyForm(CREATE_KEY_FORM, shown);
    state.formError =
      'This form was sent already and made its key, shown once on the page it answered. If you did not copy that key, revoke it below and make another.';
    return keysPage(c, deps, { failed: state }, 409);
  }
  let created: Api.NewApiKey;
  try {
    created = await createApiKey(deps, principalOf(c), parsed.data);
  } catch (err) {
    const { state, status } = fromApiError(CREATE_KEY_FORM, shown, err, { limit_exceeded: 'name' });
    return keysPage(c, deps, { failed: state }, status);
  }
  withOwnScript(c);
  return keysPage(c, deps, { created }, 201);
}

/**
 * Revokes a key of the user's. Revoking the key this session was opened with ends the session
 * too (it would be refused on the next page anyway): back to sign-in, saying so.
 */
async function revoke(c: ConsoleContext, deps: Deps) {
  const keyId = c.req.param('id')!;
  let revoked: Api.ApiKey;
  try {
    revoked = await revokeApiKey(deps, principalOf(c), keyId);
  } catch (err) {
    const { state, status } = fromApiError(revokeForm(keyId), {}, err);
    return keysPage(c, deps, { failed: state }, status);
  }
  if (revoked.id === principalOf(c).keyId) {
    await deleteSession(deps, c.get('session').tokenHash);
    clearSessionCookie(c);
    flash(c, `API key ${revoked.name} revoked. It was the key of this session: sign in with another key.`);
    return c.redirect('/console/signin', 303);
  }
  const seconds = Math.ceil(deps.config.apiKeyCacheMs / 1000);
  flash(c, `API key ${revoked.name} revoked: requests with it are refused, everywhere within ${seconds} seconds.`);
  return c.redirect('/console/keys', 303);
}
