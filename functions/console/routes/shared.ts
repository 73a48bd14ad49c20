/** Maps with at most `limit` calls in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
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
