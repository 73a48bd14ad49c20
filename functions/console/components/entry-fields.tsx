import { Description, EntryName, Value } from '../../../shared/schemas.js';
import { LIMITS } from '../../../shared/rules.js';
import type { FormState } from '../forms.js';
import { inputRules } from '../input-rules.js';
import { TextField, ValueField } from './fields.js';

export const NAME_HINT = 'Uppercase letters, digits and underscores, starting with a letter. Example: MY_API_KEY';

/** What the browser checks of a name, a value and a description: the shared schemas' rules. */
export const NAME_RULES = inputRules(EntryName);
const VALUE_RULES = inputRules(Value);
export const DESCRIPTION_RULES = inputRules(Description);

/** How a form's value field reads: a secret's is never filled in, a variable's is plain text. */
export interface ValueFieldSpec {
  label: string;
  hint?: string;
  /** A value must be given (and is checked as one); else empty means "keep the current value". */
  required?: boolean;
  secret?: boolean;
}

/** The value field of a secret's edit form: empty, and left empty to keep the value. */
export const NEW_SECRET_VALUE: ValueFieldSpec = {
  label: 'New value',
  hint: 'Leave empty to keep the current value, which is never shown.',
  secret: true,
};

export const VARIABLE_VALUE: ValueFieldSpec = { label: 'Value', required: true };

/**
 * The name, value and description fields of every form that adds or edits a secret or a
 * variable; a secret's (`expires`) also has its expiry.
 */
export function EntryFields(props: { state: FormState; value: ValueFieldSpec; expires?: boolean }) {
  const { state } = props;
  return (
    <>
      <TextField state={state} name="name" label="Name" hint={NAME_HINT} kind="name" {...NAME_RULES} />
      <ValueField state={state} name="value" {...props.value} {...(props.value.required ? VALUE_RULES : {})} />
      <TextField state={state} name="description" label="Description" {...DESCRIPTION_RULES} />
      {props.expires ? <ExpiresField state={state} /> : null}
    </>
  );
}

/** A secret's expiry: a date and time in UTC (the console's times are all UTC); empty for none. */
const ExpiresField = (props: { state: FormState }) => (
  <TextField
    state={props.state}
    name="expiresAt"
    label="Expires (UTC)"
    type="datetime-local"
    hint={`When the credential stops working where it was issued. Leave empty for no expiry. Jobs still get the secret after it; this console warns ${LIMITS.expiringSoonDays} days before.`}
  />
);
