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
}

/** An add form's fields as a create body: an empty description is not given. */
export function newEntryFields(fields: Record<string, string>) {
  return { name: fields.name ?? '', value: fields.value ?? '', description: optional(fields.description) };
}

/** What a form shows again after a failure: never a secret's value, a variable's (plain text) only with `value`. */
export function shownAgain(fields: Record<string, string>, { value = false } = {}): Record<string, string> {
  return {
    name: fields.name ?? '',
    description: fields.description ?? '',
    ...(value ? { value: fields.value ?? '' } : {}),
  };
}

/**
 * An edit form's fields as an update body: only what changed. A secret's value field is shown
 * empty, so empty means "keep"; a variable's value is shown, so it is compared like the rest.
 * An emptied description clears it (null).
 */
export function changedFields(
  current: { name: string; description: string | null; value?: string },
  fields: Record<string, string>,
): { name?: string; value?: string; description?: string | null } {
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
  };
}

/** The delete form's state when its confirmation box was left unticked; undefined when it was ticked. */
export function unconfirmedDeletion(fields: Record<string, string>): FormState | undefined {
  if (fields.confirm === 'yes') return undefined;
  const remove = emptyForm('delete');
  remove.fieldErrors.confirm = ['Tick the box to confirm the deletion.'];
  return remove;
}
