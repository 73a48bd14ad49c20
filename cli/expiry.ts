import { LIMITS } from '../shared/rules.js';
import { utcTime, type Column } from './output.js';

const DAY_MS = 86_400_000;

/**
 * The Expires column of the secret lists. It is there only while a listed secret has expired
 * or expires within the service's "soon" (the 7 days of the runtime check), so a list without
 * one prints as it always did; and it comes last, so the other rows keep their text.
 */
export function expiryColumn<T extends { expiresAt?: string | null | undefined }>(
  secrets: T[],
  now = Date.now(),
): { columns: Column[]; cells: (secret: T) => string[] } {
  const none = { columns: [], cells: () => [] };
  if (!secrets.some((s) => s.expiresAt)) return none;
  const soon = now + LIMITS.expiringSoonDays * DAY_MS;
  const cell = ({ expiresAt }: T) => {
    const at = Date.parse(expiresAt ?? '');
    if (!expiresAt || Number.isNaN(at) || at > soon) return '';
    return at <= now ? `expired ${utcTime(expiresAt)}` : utcTime(expiresAt);
  };
  if (secrets.every((s) => cell(s) === '')) return none;
  return { columns: [{ header: 'Expires', style: 'yellow' }], cells: (s) => [cell(s)] };
}
