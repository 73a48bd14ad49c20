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
