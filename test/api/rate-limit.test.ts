import { describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../../shared/http/rate-limit.js';
import { startTestService } from '../support/service.js';

describe('per-key rate limiting', () => {
  it('refills tokens at the rate, up to the burst', () => {
    const limiter = new RateLimiter();
    const limit = { ratePerSecond: 2, burst: 3 };
    const t0 = 1_000_000;
    expect([1, 2, 3].map(() => limiter.take('k', limit, t0).allowed)).toEqual([true, true, true]);
    expect(limiter.take('k', limit, t0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('other', limit, t0).allowed).toBe(true);
    expect(limiter.take('k', limit, t0 + 500).allowed).toBe(true); // one token back after 0.5 s at 2/s
    expect(limiter.take('k', limit, t0 + 500).allowed).toBe(false);
    expect([1, 2, 3, 4].map(() => limiter.take('k', limit, t0 + 60_000).allowed)).toEqual([true, true, true, false]);
  });

  it('keeps time by a monotonic clock: a wall clock stepped back does not empty the buckets', () => {
    const limiter = new RateLimiter();
    const limit = { ratePerSecond: 1_000, burst: 1_000 };
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 7 * 86_400_000);
      expect(limiter.take('k', limit).allowed).toBe(true);
      vi.useRealTimers(); // a week back
      expect(limiter.take('k', limit).allowed).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('forgets the least recently used keys beyond its bound', () => {
    const limiter = new RateLimiter(2);
    const limit = { ratePerSecond: 1, burst: 1 };
    limiter.take('a', limit, 0);
    limiter.take('b', limit, 0);
    limiter.take('c', limit, 0); // evicts a
    expect(limiter.take('a', limit, 0).allowed).toBe(true);
    expect(limiter.take('c', limit, 0).allowed).toBe(false);
  });

  it('answers 429 rate_limited with Retry-After per user and per service key', async () => {
    const svc = await startTestService({
      env: {
        RATE_LIMIT_USER_RPS: '1',
        RATE_LIMIT_USER_BURST: '5',
        RATE_LIMIT_SERVICE_RPS: '1',
        RATE_LIMIT_SERVICE_BURST: '8',
      },
    });
    const { call, seed } = svc;
    const whoami = () => call('GET', '/api/v1/user/whoami', { key: seed.user.apiKey });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await whoami()).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await whoami();
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ code: 'rate_limited', detail: 'Too many requests with this API key. Retry later.' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // another key of the same user shares the user's bucket; a service key has its own, with its own limit
    expect((await call('GET', '/api/v1/user/whoami', { key: seed.user.runtimeKey })).status).toBe(429);
    const runtime = `/api/v1/environmentshub/${seed.environments.personal.id}/runtime`;
    const serviceStatuses = [];
    for (let i = 0; i < 9; i++) serviceStatuses.push((await call('GET', runtime, { key: seed.serviceKey })).status);
    expect(serviceStatuses.filter((s) => s === 200)).toHaveLength(8);
    expect(serviceStatuses.at(-1)).toBe(429);

    // no key, no bucket: the health route stays open
    expect((await call('GET', '/api/v1/health')).status).toBe(200);
  });
});
