import type { Deletion, ValueVersion } from './api.js';
import type { Context } from './context.js';
import { relativeTime, shorten, utcTime, type Column, type OutputFormat } from './output.js';

/**
 * What the version and recovery commands of global secrets, environment secrets and variables
 * print alike. Only a variable's value is ever shown: a secret's version has none.
 */
export function printVersions(
  ctx: Context,
  format: OutputFormat,
  versions: ValueVersion[],
  view: { title: string; values: boolean },
) {
  // Never a secret's value, even one a server sent by mistake.
  const shown = view.values ? versions : versions.map(({ value: _value, ...rest }) => rest);
  if (format === 'json') return ctx.out.json({ versions: shown });
  const valueColumn: Column[] = view.values ? [{ header: 'Value', style: 'green' }] : [];
  ctx.out.table(
    [
      { header: 'Version', style: 'cyan' },
      ...valueColumn,
      { header: 'Created', style: 'dim' },
      { header: 'By' },
      { header: 'Current' },
    ],
    versions.map((v) => [
      String(v.version),
      ...(view.values ? [shorten(v.value ?? '')] : []),
      relativeTime(v.createdAt),
      `${v.createdBy.type} ${v.createdBy.id}`,
      v.current ? 'current' : '',
    ]),
    view.title,
  );
}

/** A rollback writes the old value as a new version: both numbers are shown. */
export const rolledBack = (what: string, version: number, entry: { version: number }) =>
  `Rolled back ${what} to version ${version} (now version ${entry.version})`;

/** The recently deleted: JSON as the API lists them, or a table with when each goes for good. */
export function printDeleted<T extends Deletion & { id: string; name: string }>(
  ctx: Context,
  format: OutputFormat,
  entries: T[],
  view: { key: 'secrets' | 'variables'; title: string; empty: string; extra?: [Column, (entry: T) => string] },
) {
  if (format === 'json') return ctx.out.json({ [view.key]: entries });
  if (entries.length === 0) return ctx.out.line(view.empty);
  const [extraColumn, extraCell] = view.extra ?? [];
  ctx.out.table(
    [
      { header: 'ID', style: 'dim' },
      { header: 'Name', style: 'cyan' },
      { header: 'Deleted', style: 'dim' },
      { header: 'Purge at' },
      ...(extraColumn ? [extraColumn] : []),
    ],
    entries.map((e) => [
      e.id,
      e.name,
      relativeTime(e.deletedAt),
      utcTime(e.purgeAt),
      ...(extraCell ? [extraCell(e)] : []),
    ]),
    view.title,
  );
}

/**
 * A delete after its confirmation. A purge says, when asked and when done, that it cannot
 * be undone; a plain delete says how to restore what it deleted (on stderr: stdout stays
 * what it always was).
 */
export async function confirmDelete(
  ctx: Context,
  opts: { yes?: boolean; purge?: boolean },
  what: string,
  restoreCommand: string,
  remove: () => Promise<unknown>,
): Promise<void> {
  const question = opts.purge ? `Permanently delete ${what}? This cannot be undone.` : `Delete ${what}?`;
  if (!(await ctx.terminal.approve(opts.yes, question))) return ctx.out.line('Cancelled.');
  await remove();
  if (opts.purge) return ctx.out.success(`Permanently deleted ${what}`);
  ctx.out.success(`Deleted ${what}`);
  ctx.out.note(`Restore it within the recovery window with: ${restoreCommand}`);
}
