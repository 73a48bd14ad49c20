import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { ApiError, type ErrorCode } from '../../shared/errors.js';

/**
 * What a form shows after a failed submit: the values to put back (never a secret's value),
 * errors beside each field, and an error about the whole action beside its button.
 */
export interface FormState {
  /** Which form of the page the state belongs to (a page can hold several). */
  form: string;
  values: Record<string, string>;
  fieldErrors: Record<string, string[]>;
  formError?: string | undefined;
}

export const emptyForm = (form: string, values: Record<string, string> = {}): FormState => ({
  form,
  values,
  fieldErrors: {},
});

/** Whether the form is shown again because its submit was refused. */
export const wasRefused = (state: FormState) =>
  state.formError !== undefined || Object.keys(state.fieldErrors).length > 0;

/** The state of `form` if the page is re-shown because of it, else a fresh one. */
export const stateFor = (form: string, failed: FormState | undefined, values: Record<string, string> = {}) =>
  failed?.form === form ? failed : emptyForm(form, values);

/** A submitted form's text fields (files are ignored); textareas' CRLF line breaks become LF. */
export async function formFields(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === 'string') fields[name] = value.replace(/\r\n?/g, '\n');
  }
  return fields;
}

/** Adds an error beside `field` (or the whole form), once: two rules broken with the same words say them once. */
function addError(state: FormState, field: string | undefined, message: string): void {
  if (field === undefined) {
    if (state.formError?.includes(message)) return;
    state.formError = state.formError ? `${state.formError} ${message}` : message;
    return;
  }
  const errors = state.fieldErrors[field] ?? [];
  if (!errors.includes(message)) state.fieldErrors[field] = [...errors, message];
}

const sentence = (message: string) => {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
};

/** zod issues (from `.safeParse` of the shared schemas) beside the fields they are about. */
export function fromZod(form: string, values: Record<string, string>, error: ZodError): FormState {
  const state = emptyForm(form, values);
  for (const issue of error.issues) {
    const field = typeof issue.path[0] === 'string' ? issue.path[0] : undefined;
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    addError(state, field, sentence(missing ? 'this field is required' : issue.message));
  }
  return state;
}

/**
 * An error of a service function, in words beside what caused it: a validation issue beside
 * its field, a conflict or a not-found beside the field `fieldFor` names for its code (the
 * name, the picked secret…), anything else beside the form's button. Errors that are not the
 * contract's (a failure of the service itself) go on to the app's error page.
 */
export function fromApiError(
  form: string,
  values: Record<string, string>,
  err: unknown,
  fieldFor: Partial<Record<ErrorCode, string>> = {},
): { state: FormState; status: ApiError['status'] } {
  if (!(err instanceof ApiError) || err.status >= 500 || err.status === 429 || err.status === 401) throw err;
  const state = emptyForm(form, values);
  if (Array.isArray(err.detail)) {
    for (const issue of err.detail) {
      const field = issue.loc[0] === 'body' && typeof issue.loc[1] === 'string' ? issue.loc[1] : undefined;
      addError(state, field, sentence(issue.msg));
    }
  } else {
    addError(state, fieldFor[err.code], err.detail);
  }
  return { state, status: err.status };
}

/** An optional text field: empty means not given. */
export const optional = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value;

/**
 * The error of a failed row form (`<prefix><id>`) whose row is no longer listed (rolled back,
 * restored, removed or purged meanwhile): said above the list, as no button is there to say it
 * beside. Without write access there are no row forms: a reader's refusal is said where the
 * forms would be (components/read-only.tsx), not here.
 */
export function orphanedError(
  failed: FormState | undefined,
  prefix: string,
  rowForms: string[],
  writable: boolean,
): string | undefined {
  if (!writable || !failed?.form.startsWith(prefix)) return undefined;
  return rowForms.includes(failed.form) ? undefined : failed.formError;
}

/** Of a page's forms, the one refused as a whole (its error is not about a field), if any. */
export const refusedForm = (...states: (FormState | undefined)[]): FormState | undefined =>
  states.find((state) => state?.formError !== undefined);
