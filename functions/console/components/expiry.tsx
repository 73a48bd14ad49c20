import type { Child } from 'hono/jsx';
import { LIMITS } from '../../../shared/rules.js';
import { Time } from './badges.js';

/**
 * When a secret's credential stops working where it was issued: a date, a warning within
 * LIMITS.expiringSoonDays, a stronger one once past. The service keeps injecting it either way.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type ExpiryState = 'later' | 'soon' | 'expired';

export function expiryState(expiresAt: string, now: number): ExpiryState {
  const left = Date.parse(expiresAt) - now;
  if (left <= 0) return 'expired';
  return left <= LIMITS.expiringSoonDays * DAY ? 'soon' : 'later';
}

const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** A length of time, rounded, in the largest unit it makes at least one of: "2 days", "5 hours", "less than a minute". */
function span(ms: number): string {
  const minutes = Math.round(ms / MINUTE);
  if (minutes === 0) return 'less than a minute';
  if (minutes < 60) return count(minutes, 'minute');
  const hours = Math.round(ms / HOUR);
  return hours < 24 ? count(hours, 'hour') : count(Math.round(ms / DAY), 'day');
}

/** "Expires in 2 days", "Expired 3 days ago". */
export function expiryWords(expiresAt: string, now: number): string {
  const left = Date.parse(expiresAt) - now;
  return left > 0 ? `Expires in ${span(left)}` : `Expired ${span(-left)} ago`;
}

/**
 * A secret's expiry in words: its date, or within the warning window and past it how far
 * off it is, marked (in words and a sign, not by colour alone). `none` when it has none.
 */
export function Expiry(props: { at: string | null; none?: Child; now?: number }) {
  const { at } = props;
  if (at === null) return <>{props.none ?? null}</>;
  const now = props.now ?? Date.now();
  const state = expiryState(at, now);
  if (state === 'later') {
    return (
      <span class="expiry">
        Expires <Time at={at} />
      </span>
    );
  }
  return (
    <span class={`expiry expiry-${state}`}>
      <span aria-hidden="true">⚠ </span>
      {expiryWords(at, now)} (<Time at={at} />)
    </span>
  );
}

/** In a table's Expiry column: the expiry, or a dash. */
export const ExpiryCell = (props: { at: string | null }) => (
  <Expiry at={props.at} none={<span class="muted">—</span>} />
);
