import type { Child } from 'hono/jsx';
import { CSRF_FIELD } from '../csrf.js';
import { wasRefused, type FormState } from '../forms.js';
import type { InputRules } from '../input-rules.js';

/**
 * Form controls with their label, hint and errors tied together for assistive technology
 * (`aria-describedby`, `aria-invalid`); the first field in error takes the focus when the
 * page is shown again, so keyboard and screen-reader users land on what to fix.
 */

const fieldId = (state: FormState, name: string) => `${state.form}-${name}`;

const firstInvalidField = (state: FormState): string | undefined =>
  state.formError === undefined ? Object.keys(state.fieldErrors)[0] : undefined;

/** A field's own words and, from `InputRules`, what the browser checks before sending it. */
interface FieldProps extends InputRules {
  state: FormState;
  name: string;
  label: string;
  hint?: string | undefined;
  /** The value to show; defaults to the value the form was submitted with. */
  value?: string | undefined;
  autocomplete?: string;
  kind?: 'name' | 'text';
}

/** A one-line field's input: text, or a date and time (a browser's picker; its value has no zone). */
type InputType = 'text' | 'datetime-local';

function describedBy(state: FormState, name: string, hint: string | undefined, note?: string): string | undefined {
  const ids = [
    hint ? `${fieldId(state, name)}-hint` : '',
    note ?? '',
    state.fieldErrors[name] ? `${fieldId(state, name)}-error` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return ids || undefined;
}

/** A field's errors, which its control names in `aria-describedby`. */
function FieldErrors(props: { state: FormState; name: string }) {
  const errors = props.state.fieldErrors[props.name];
  return errors ? (
    <p class="field-error" id={`${fieldId(props.state, props.name)}-error`}>
      {errors.join(' ')}
    </p>
  ) : null;
}

function FieldFrame(props: FieldProps & { children: Child }) {
  const { state, name, label, hint, required } = props;
  const errors = state.fieldErrors[name];
  return (
    <div class={errors ? 'field field-invalid' : 'field'}>
      <label for={fieldId(state, name)}>
        {label}
        {required ? null : <span class="optional"> (optional)</span>}
      </label>
      {hint ? (
        <p class="hint" id={`${fieldId(state, name)}-hint`}>
          {hint}
        </p>
      ) : null}
      {props.children}
      <FieldErrors state={state} name={name} />
    </div>
  );
}

/** What a file input and a select carry: their id and name, whether required, and how they tell their errors and hint. */
function controlAttributes(props: FieldProps) {
  const { state, name, hint } = props;
  return {
    id: fieldId(state, name),
    name,
    required: props.required,
    'aria-invalid': state.fieldErrors[name] !== undefined ? ('true' as const) : undefined,
    'aria-describedby': describedBy(state, name, hint),
    autofocus: firstInvalidField(state) === name,
  };
}

export function TextField(props: FieldProps & { type?: InputType }) {
  const { state, name, hint } = props;
  const invalid = state.fieldErrors[name] !== undefined;
  return (
    <FieldFrame {...props}>
      <input
        type={props.type ?? 'text'}
        id={fieldId(state, name)}
        name={name}
        value={props.value ?? state.values[name] ?? ''}
        class={props.kind === 'name' ? 'mono' : undefined}
        autocomplete={props.autocomplete ?? 'off'}
        spellcheck={false}
        autocapitalize={props.kind === 'name' ? 'characters' : undefined}
        required={props.required}
        pattern={props.pattern}
        maxlength={props.maxLength}
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={describedBy(state, name, hint)}
        autofocus={firstInvalidField(state) === name}
      />
    </FieldFrame>
  );
}

/**
 * A multi-line value. For a secret, `secret` keeps whatever was typed out of the page: the
 * field is always shown empty (no secret value ever goes to the browser), and after a refused
 * submit it says so, lest the empty field be taken for a value that was kept.
 */
export function ValueField(props: FieldProps & { secret?: boolean }) {
  const { state, name, hint } = props;
  const invalid = state.fieldErrors[name] !== undefined;
  const retype = props.secret && wasRefused(state);
  const retypeId = `${fieldId(state, name)}-retype`;
  return (
    <FieldFrame {...props}>
      {retype ? (
        <p class="field-retype" id={retypeId}>
          {props.required
            ? "Type the value again: it was not kept, as a secret's value is never sent back to the page."
            : "If you typed a new value, type it again: a secret's value is never sent back to the page."}
        </p>
      ) : null}
      <textarea
        id={fieldId(state, name)}
        name={name}
        rows={3}
        class="mono"
        autocomplete="off"
        spellcheck={false}
        required={props.required}
        maxlength={props.maxLength}
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={describedBy(state, name, hint, retype ? retypeId : undefined)}
        autofocus={firstInvalidField(state) === name}
      >
        {props.secret ? '' : (props.value ?? state.values[name] ?? '')}
      </textarea>
    </FieldFrame>
  );
}

/** A file to upload: never shown again after a refused submit (the browser cannot be given one back). */
export function FileField(props: FieldProps) {
  return (
    <FieldFrame {...props}>
      <input type="file" {...controlAttributes(props)} />
    </FieldFrame>
  );
}

/** A choice of a select; a disabled one is shown, with why, but cannot be picked. */
export interface SelectOption {
  value: string;
  label: string;
  disabled?: boolean;
}

export function SelectField(props: FieldProps & { options: SelectOption[]; placeholder: string }) {
  const { state, name } = props;
  const selected = props.value ?? state.values[name] ?? '';
  return (
    <FieldFrame {...props}>
      <select {...controlAttributes(props)}>
        <option value="">{props.placeholder}</option>
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === selected && !o.disabled} disabled={o.disabled}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

/** A checkbox: a delete's confirmation (never ticked in advance), or a yes/no the form shows again as submitted. */
export function CheckboxField(props: { state: FormState; name: string; label: string }) {
  const { state, name } = props;
  const errors = state.fieldErrors[name];
  return (
    <div class={errors ? 'field field-check field-invalid' : 'field field-check'}>
      <input
        type="checkbox"
        id={fieldId(state, name)}
        name={name}
        value="yes"
        checked={state.values[name] === 'yes'}
        aria-invalid={errors ? 'true' : undefined}
        aria-describedby={errors ? `${fieldId(state, name)}-error` : undefined}
        autofocus={firstInvalidField(state) === name}
      />
      <label for={fieldId(state, name)}>{props.label}</label>
      <FieldErrors state={state} name={name} />
    </div>
  );
}

/** The hidden CSRF field of every POST form. */
export const CsrfField = (props: { token: string }) => <input type="hidden" name={CSRF_FIELD} value={props.token} />;

export const HiddenField = (props: { name: string; value: string | null | undefined }) =>
  props.value ? <input type="hidden" name={props.name} value={props.value} /> : null;

/** A form's submit button, with the error about the whole action beside it. */
export function FormActions(props: { state: FormState; label: string; danger?: boolean; children?: Child }) {
  const { state } = props;
  return (
    <div class="actions">
      <button type="submit" class={props.danger ? 'button button-danger' : 'button'}>
        {props.label}
      </button>
      {props.children}
      <FormError message={state.formError} id={`${state.form}-error`} />
    </div>
  );
}

/** An error about a whole action: announced when the page is shown (role="alert") and focused, so it is not missed. */
export const FormError = (props: { message: string | undefined; id?: string }) =>
  props.message ? (
    <p class="form-error" role="alert" tabindex={-1} autofocus id={props.id}>
      {props.message}
    </p>
  ) : null;
