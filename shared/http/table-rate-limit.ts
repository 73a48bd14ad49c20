import { LruCache } from '../cache.js';
import { countInWindow, type RateSubject } from '../data/rate-windows.js';
import type { Db } from '../storage/client.js';
import type { RateLimit, Taken } from './rate-limit.js';

/** How long after its end a window's item is kept before DynamoDB's TTL may remove it. */
const WINDOW_ITEM_GRACE_SECONDS = 60;

/**
 * Per-key limits that hold however many processes (Lambda containers) serve a key: requests
 * are counted in the table, in fixed windows of `burst ÷ ratePerSecond` seconds (2 s by
 * default), at most `burst` to a window. So a key averages `ratePerSecond`, and a burst of
 * `burst` comes back every window, whichever container answers; across a window's edge it can
 * make up to two bursts, one more than an in-process token bucket allows. Windows follow the
 * wall clock, which every container shares.
 *
 * One conditional UpdateItem per admitted request (`countInWindow`). A refusal is remembered
 * here until its window ends, so a key that goes on after its 429 costs no further write in
 * this process: a looping key cannot make its own counter item hot.
 *
 * Should the table fail the count (down, hung, throttling), so does the request: 503
 * `unavailable` with Retry-After, as for any other call of it (docs/security.md, "Floods").
 */
export class TableRateLimiter {
  /** Subject → end of the window it was refused in (epoch ms). */
  private readonly refused: LruCache<number>;

  constructor(
    private readonly db: Db,
    maxKeys = 50_000,
  ) {
    this.refused = new LruCache({ maxEntries: maxKeys });
  }

  /**
   * Counts one request of `subject`, or refuses it. A refusal this process already knows of is
   * answered at once, without a promise, so that a refused caller starts no other work either.
   */
  take(subject: RateSubject, limit: RateLimit, nowMs = Date.now()): Taken | Promise<Taken> {
    const name = `${subject.kind}:${subject.id}`;
    const refusedUntil = this.refused.get(name);
    if (refusedUntil !== undefined && refusedUntil > nowMs) return refusal(refusedUntil, nowMs);
    return this.count(name, subject, limit, nowMs);
  }

  private async count(name: string, subject: RateSubject, limit: RateLimit, nowMs: number): Promise<Taken> {
    const windowMs = Math.max(1, Math.round((limit.burst * 1000) / limit.ratePerSecond));
    const window = Math.floor(nowMs / windowMs);
    const endMs = (window + 1) * windowMs;
    const counted = await countInWindow(
      this.db,
      subject,
      window,
      limit.burst,
      Math.ceil(endMs / 1000) + WINDOW_ITEM_GRACE_SECONDS,
    );
    if (counted) return { allowed: true };
    this.refused.set(name, endMs);
    return refusal(endMs, nowMs);
  }
}

const refusal = (untilMs: number, nowMs: number): Taken => ({
  allowed: false,
  retryAfterSeconds: Math.max(1, Math.ceil((untilMs - nowMs) / 1000)),
});
