import { RestoreBody, RollbackBody } from '../../../shared/schemas.js';
import { restoreForm } from '../components/recently-deleted.js';
import { rollbackForm } from '../components/versions.js';
import { emptyForm, fromZod, optional, type FormState } from '../forms.js';

/**
 * The forms that roll a value back to a kept version and that restore something deleted
 * (global or an environment's): the bodies they send to the service functions, what a
 * failure shows, and the notices after success.
 */

/** The Roll back form's version (a hidden field), or the error a crafted one gets. */
export function chosenVersion(fields: Record<string, string>): { version: number } | { failed: FormState } {
  const parsed = RollbackBody.safeParse({ version: Number(fields.version) });
  if (parsed.success) return { version: parsed.data.version };
  const failed = emptyForm(rollbackForm(fields.version ?? ''));
  failed.formError = 'Choose a version to roll back to.';
  return { failed };
}

export const rolledBack = (noun: string, name: string, to: number, now: number) =>
  `${noun} ${name} rolled back to version ${to} (now version ${now}).`;

/** A Restore form's new name (empty: the old one), or the form with the name's issue beside it. */
export function restoreRequest(
  id: string,
  fields: Record<string, string>,
): { form: string; shown: Record<string, string>; name: string | undefined; failed?: FormState } {
  const form = restoreForm(id);
  const shown = { name: fields.name ?? '' };
  const parsed = RestoreBody.safeParse({ name: optional(fields.name) });
  if (!parsed.success) return { form, shown, name: undefined, failed: fromZod(form, shown, parsed.error) };
  return { form, shown, name: parsed.data.name };
}
