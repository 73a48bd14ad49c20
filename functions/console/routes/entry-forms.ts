import { emptyForm, optional, type FormState } from '../forms.js';

/**
 * The forms that add, edit and delete a secret or a variable (global or an environment's): the
 * bodies they send to the service functions, what they show again after a failure, and where
 * their errors go.
 */

/** A conflict about the name is shown beside the name field. */
export const NAME_CONFLICTS = { name_taken: 'name' } as const;

/** The forms of an edit page that failed, to show again with their errors. */
export interface FailedEdit {
  edit?: FormState;
  remove?: FormState;
  /** A Roll back of the page's versions. */
  rollback?: FormState;
  /** A global secret's Link to Environment, or an Unlink there. */
  link?: FormState;
}

/** A date-time input's value: no zone, to the minute or the second. */
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/**
 * The Expires field as the contract takes it: a date-time input's value is UTC, as every time
 * in the console is; empty is no expiry (null); anything else goes to the schema as typed, for
 * its words about the format.
 */
export function expiryInput(field: string): string | null {
  const value = field.trim();
  if (value === '') return null;
  const match = LOCAL_DATE_TIME.exec(value);
  if (!match) return value;
  return `${value}${match[1] ? '' : ':00'}Z`;
}

/** An expiry as the Expires field shows it: UTC, to the minute (the input's own format). */
export const expiryField = (expiresAt: string | null | undefined): string => expiresAt?.slice(0, 16) ?? '';

/** An add form's fields as a create body: an empty description is not given, nor an empty expiry. */
export function newEntryFields(fields: Record<string, string>) {
  return {
    name: fields.name ?? '',
    value: fields.value ?? '',
    description: optional(fields.description),
    expiresAt: expiryInput(fields.expiresAt ?? '') ?? undefined,
  };
}

/** What a form shows again after a failure: never a secret's value, a variable's (plain text) only with `value`. */
export function shownAgain(fields: Record<string, string>, { value = false } = {}): Record<string, string> {
  return {
    name: fields.name ?? '',
    description: fields.description ?? '',
    expiresAt: fields.expiresAt ?? '',
    ...(value ? { value: fields.value ?? '' } : {}),
  };
}

/**
 * A secret's Expires field as a change: none when it shows the current expiry (an expiry
 * already past is not sent again, it would be refused), null when emptied. A variable
 * (`current` undefined) or a form without the field changes nothing.
 */
function changedExpiry(current: string | null | undefined, field: string | undefined): { expiresAt?: string | null } {
  if (current === undefined || field === undefined) return {};
  const given = expiryInput(field);
  if (given === null) return current === null ? {} : { expiresAt: null };
  return current !== null && field.trim() === expiryField(current) ? {} : { expiresAt: given };
}

/**
 * An edit form's fields as an update body: only what changed. A secret's value field is shown
 * empty, so empty means "keep"; a variable's value is shown, so it is compared like the rest.
 * An emptied description clears it (null), and so does an emptied expiry.
 */
export function changedFields(
  current: { name: string; description: string | null; value?: string; expiresAt?: string | null },
  fields: Record<string, string>,
): { name?: string; value?: string; description?: string | null; expiresAt?: string | null } {
  const name = fields.name ?? '';
  const value = fields.value ?? '';
  const description = fields.description ?? '';
  const secret = current.value === undefined;
  return {
    ...(name !== current.name ? { name } : {}),
    ...(secret ? (value !== '' ? { value } : {}) : value !== current.value ? { value } : {}),
    ...(description.trim() === ''
      ? current.description
        ? { description: null }
        : {}
      : description !== current.description
        ? { description }
        : {}),
    ...changedExpiry(current.expiresAt, fields.expiresAt),
  };
}

/** The delete form's state when its confirmation box was left unticked; undefined when it was ticked. */
export function unconfirmedDeletion(fields: Record<string, string>): FormState | undefined {
  if (fields.confirm === 'yes') return undefined;
  const remove = emptyForm('delete');
  remove.fieldErrors.confirm = ['Tick the box to confirm the deletion.'];
  return remove;
}
