import { LruCache } from '../cache.js';

/**
 * Per-key token buckets: each API key may make `ratePerSecond` requests a second on average
 * and `burst` at once. Kept in memory, per process (per Lambda container): a bound on what
 * one key can take of one instance, below the stack's throttling. Hosted services' keys and
 * runtime tokens are limited here; user and admin keys are counted across processes in the
 * table (shared/http/table-rate-limit.ts).
 */
export interface RateLimit {
  ratePerSecond: number;
  burst: number;
}

/** A request let through, or refused with how many seconds until one would be. */
export type Taken = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class RateLimiter {
  /** Past the bound the least recently used key goes: it comes back with a full bucket. */
  private readonly buckets: LruCache<{ tokens: number; updatedAt: number }>;

  constructor(maxKeys = 50_000) {
    this.buckets = new LruCache({ maxEntries: maxKeys });
  }

  /**
   * Takes one token; when none is left, how many seconds until one is. The clock is monotonic:
   * a wall clock stepped back (NTP, a test's faked Date) must not empty every bucket.
   */
  take(key: string, limit: RateLimit, nowMs = performance.now()): Taken {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: limit.burst, updatedAt: nowMs };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((nowMs - bucket.updatedAt) / 1000) * limit.ratePerSecond);
    bucket.updatedAt = nowMs;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / limit.ratePerSecond)) };
  }
}
