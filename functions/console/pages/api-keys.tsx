import type * as Api from '../../../shared/api-objects.js';
import { CreateApiKeyBody, type KeyScope } from '../../../shared/schemas.js';
import { Time } from '../components/badges.js';
import { CsrfField, FormActions, FormError, HiddenField, TextField } from '../components/fields.js';
import { Layout, PageHeader } from '../components/layout.js';
import { TableHead } from '../components/table-head.js';
import { Table } from '../components/table.js';
import type { PageContext } from '../context.js';
import { COPY_SCRIPT_PATH } from '../copy-script.js';
import { orphanedError, stateFor, type FormState } from '../forms.js';
import { inputRules } from '../input-rules.js';

export const CREATE_KEY_FORM = 'create-key';
const REVOKE_PREFIX = 'revoke-';
export const revokeForm = (keyId: string) => `${REVOKE_PREFIX}${keyId}`;

const NAME_RULES = inputRules(CreateApiKeyBody.shape.name);

/** The scopes a new key can hold (shared/schemas.ts `KeyScope`), as the form offers them. */
export const SCOPE_CHOICES: { value: string; scopes: KeyScope[]; label: string; hint: string }[] = [
  {
    value: 'manage',
    scopes: ['manage'],
    label: 'manage',
    hint: 'Everything your roles allow (secrets, environments, variables, links), never a secret value. For the prime CLI and scripts that manage.',
  },
  {
    value: 'runtime',
    scopes: ['runtime'],
    label: 'runtime',
    hint: 'Reads the resolved values of environments you can write, and nothing else: prime env run, prime env secret pull, runtime tokens.',
  },
  {
    value: 'manage-runtime',
    scopes: ['manage', 'runtime'],
    label: 'manage and runtime',
    hint: 'Both. A key that automates management and also reads what it manages: give it out with care.',
  },
];

const SCOPE_WORDS = (scopes: KeyScope[]) => scopes.join(' and ');

interface ApiKeysPageProps {
  ctx: PageContext;
  keys: Api.ApiKey[];
  /** The key this session was opened with, and its scopes: a key makes only keys of scopes it holds. */
  sessionKeyId: string;
  sessionScopes: KeyScope[];
  /** A refused form (Create, or a Revoke), to show again with its errors. */
  failed?: FormState | undefined;
  /** The key just made: shown here once, never again. */
  created?: Api.NewApiKey | undefined;
  /** This rendering's id of Create API key: the session takes each once. */
  formId: string;
}

/** API keys: a new one shown once, the form that makes one, and the keys with Revoke. */
export function ApiKeysPage(props: ApiKeysPageProps) {
  const { ctx } = props;
  return (
    <Layout title="API keys" viewer={ctx.viewer} section="api-keys" notice={ctx.notice}>
      <PageHeader
        title="API keys"
        lead="Keys for the prime CLI and your own scripts. Each acts as you, with the scopes it holds; only its name, scopes and date are kept in sight, never the key."
      />
      {props.created ? <NewKey created={props.created} /> : null}
      <div class="grid grid-wide">
        <section class="card" aria-labelledby="keys-heading">
          <h2 id="keys-heading">Your keys</h2>
          <KeysTable {...props} />
        </section>
        <section class="card" aria-labelledby="create-key-heading">
          <h2 id="create-key-heading">Create API key</h2>
          <CreateKeyForm {...props} />
        </section>
      </div>
    </Layout>
  );
}

/** The new key, once: in a field to select, with a Copy button its script shows. */
function NewKey(props: { created: Api.NewApiKey }) {
  const { created } = props;
  return (
    <section class="card card-new-key" aria-labelledby="new-key-heading">
      <h2 id="new-key-heading">{`New API key ${created.name} (${SCOPE_WORDS(created.scopes)})`}</h2>
      <p>
        <strong>Copy it now: it is shown only this once.</strong> Only its hash is stored, so it cannot be shown again;
        if it is lost, revoke it and make another.
      </p>
      <div class="field">
        <label for="new-key">API key</label>
        <input
          type="text"
          id="new-key"
          class="mono"
          value={created.key}
          readonly
          autocomplete="off"
          spellcheck={false}
        />
      </div>
      <div class="actions">
        <button type="button" class="button" data-copy="new-key" hidden>
          Copy
        </button>
        <p id="new-key-status" class="hint" role="status" aria-live="polite" />
      </div>
      <script src={COPY_SCRIPT_PATH} defer />
    </section>
  );
}

function KeysTable(props: ApiKeysPageProps) {
  const { failed } = props;
  // A revoke refused for a key no longer listed (revoked meanwhile): said above the table.
  const orphan = orphanedError(
    failed,
    REVOKE_PREFIX,
    props.keys.map((k) => revokeForm(k.id)),
    true,
  );
  return (
    <>
      <FormError message={orphan} />
      {props.keys.length === 0 ? (
        <p class="empty">No API keys.</p>
      ) : (
        <Table>
          <TableHead columns={['Name', 'Scopes', 'Created']} />
          <tbody>
            {props.keys.map((key) => (
              <tr>
                <td class="name">
                  {key.name}
                  {key.id === props.sessionKeyId ? (
                    <span class="cell-note">This session's key: revoking it signs you out.</span>
                  ) : null}
                </td>
                <td>{SCOPE_WORDS(key.scopes)}</td>
                <td>
                  <Time at={key.createdAt} />
                </td>
                <td class="row-actions">
                  <form method="post" action={`/console/keys/${key.id}/revoke`}>
                    <CsrfField token={props.ctx.viewer.csrfToken} />
                    <button type="submit" class="button-link" aria-label={`Revoke ${key.name}`}>
                      Revoke
                    </button>
                    <FormError message={failed?.form === revokeForm(key.id) ? failed.formError : undefined} />
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}

/**
 * Name and scope. A scope the session's key lacks is shown disabled, with why: a key makes only
 * keys of scopes it holds (the service refuses any other, as `POST /user/api-keys` does).
 */
function CreateKeyForm(props: ApiKeysPageProps) {
  const state = stateFor(CREATE_KEY_FORM, props.failed, { scope: 'manage' });
  const errors = state.fieldErrors.scope;
  const lacking = (scopes: KeyScope[]) => scopes.find((s) => !props.sessionScopes.includes(s));
  return (
    <form class="stack" method="post" action="/console/keys">
      <CsrfField token={props.ctx.viewer.csrfToken} />
      <HiddenField name="formId" value={props.formId} />
      <TextField state={state} name="name" label="Name" hint="What uses it, e.g. laptop, ci-deploy." {...NAME_RULES} />
      <fieldset
        class={errors ? 'field field-invalid' : 'field'}
        aria-describedby={errors ? `${CREATE_KEY_FORM}-scope-error` : undefined}
      >
        <legend>Scope</legend>
        {SCOPE_CHOICES.map((choice) => {
          const missing = lacking(choice.scopes);
          const id = `${CREATE_KEY_FORM}-scope-${choice.value}`;
          return (
            <div class="field-check">
              <input
                type="radio"
                id={id}
                name="scope"
                value={choice.value}
                checked={state.values.scope === choice.value && !missing}
                disabled={missing !== undefined}
                aria-describedby={`${id}-hint`}
              />
              <label for={id}>{choice.label}</label>
              <p class="hint" id={`${id}-hint`}>
                {missing
                  ? `${choice.hint} Not available here: this session's key lacks the ${missing} scope; sign in with a key that has it (your account key) to make one.`
                  : choice.hint}
              </p>
            </div>
          );
        })}
        {errors ? (
          <p class="field-error" id={`${CREATE_KEY_FORM}-scope-error`}>
            {errors.join(' ')}
          </p>
        ) : null}
      </fieldset>
      <FormActions state={state} label="Create API key" />
    </form>
  );
}
