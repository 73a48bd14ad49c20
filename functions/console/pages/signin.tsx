import { CsrfField, FormActions, HiddenField } from '../components/fields.js';
import { Layout } from '../components/layout.js';
import type { FormState } from '../forms.js';

/** Sign in with an API key: checked once, never kept; the browser gets a session cookie. */
export function SigninPage(props: { state: FormState; csrfToken: string; next?: string | undefined; notice?: string }) {
  const { state } = props;
  return (
    <Layout title="Sign in" notice={props.notice}>
      <div class="signin">
        <div class="card">
          <h1>Sign in to Prime Secrets</h1>
          <p class="lead">
            Manage your global secrets under Keys &amp; Secrets, and each environment&rsquo;s secrets and variables.
          </p>
          <form class="stack" method="post" action="/console/signin">
            <CsrfField token={props.csrfToken} />
            <HiddenField name="next" value={props.next} />
            <ApiKeyField state={state} />
            <FormActions state={state} label="Sign in" />
          </form>
        </div>
      </div>
    </Layout>
  );
}

/** The API key field: a password input, so the key is not shown on screen or kept by the browser. */
function ApiKeyField(props: { state: FormState }) {
  const { state } = props;
  const errors = state.fieldErrors.apiKey;
  return (
    <div class={errors ? 'field field-invalid' : 'field'}>
      <label for="signin-apiKey">API key</label>
      <p class="hint" id="signin-apiKey-hint">
        A user API key with the manage scope (<code>prime_…</code>). It is checked once and not kept: you get a session
        of 12 hours.
      </p>
      {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: not `required`, so that an empty key reaches the server and gets its message beside the field */}
      <input
        type="password"
        id="signin-apiKey"
        name="apiKey"
        autocomplete="off"
        spellcheck={false}
        aria-required="true"
        aria-invalid={errors ? 'true' : undefined}
        aria-describedby={errors ? 'signin-apiKey-hint signin-apiKey-error' : 'signin-apiKey-hint'}
        autofocus
      />
      {errors ? (
        <p class="field-error" id="signin-apiKey-error">
          {errors.join(' ')}
        </p>
      ) : null}
    </div>
  );
}
