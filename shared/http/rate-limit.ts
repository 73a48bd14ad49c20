/**
 * Per-key token buckets: each API key may make `ratePerSecond` requests a second on average
 * and `burst` at once. Kept in memory, per process (per Lambda container): a bound on what
 * one key can take of one instance, below the stack's API-wide throttling.
 */
export interface RateLimit {
  ratePerSecond: number;
  burst: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(private readonly maxKeys = 50_000) {}

  /** Takes one token; when none is left, how many seconds until one is. */
  take(
    key: string,
    limit: RateLimit,
    nowMs = Date.now(),
  ): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const bucket = this.buckets.get(key) ?? { tokens: limit.burst, updatedAt: nowMs };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((nowMs - bucket.updatedAt) / 1000) * limit.ratePerSecond);
    bucket.updatedAt = nowMs;
    this.buckets.delete(key);
    this.buckets.set(key, bucket); // most recently used last, so the oldest go first
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / limit.ratePerSecond)) };
  }
}
