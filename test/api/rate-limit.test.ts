import { createRoute } from '@hono/zod-openapi';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../shared/config.js';
import { keys } from '../../shared/data/keys.js';
import { securityWithRuntimeToken } from '../../shared/http/openapi.js';
import { RateLimiter } from '../../shared/http/rate-limit.js';
import { createResourceApp } from '../../shared/http/resource-app.js';
import { TableRateLimiter } from '../../shared/http/table-rate-limit.js';
import { createDb } from '../../shared/storage/client.js';
import { getItem } from '../../shared/storage/item.js';
import { freePort } from '../local/addresses.js';
import { createLocalApp } from '../../infra/local/server.js';
import { caller, startTestService, testDeps } from '../support/service.js';

/** Holds `Date` at the start of a window of `windowMs`, so that every request below falls in one window. */
function atWindowStart(windowMs: number): number {
  vi.useFakeTimers({ toFake: ['Date'] });
  const start = (Math.floor(Date.now() / windowMs) + 1) * windowMs;
  vi.setSystemTime(start);
  return start;
}

afterEach(() => {
  vi.useRealTimers();
});

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
    atWindowStart(5_000); // the user's window: 5 requests in 5 s
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

  it("counts a user's requests in the table: two instances over one table allow one window's worth", async () => {
    const limits = { RATE_LIMIT_USER_RPS: '1', RATE_LIMIT_USER_BURST: '6' };
    const start = atWindowStart(6_000);
    const svc = await startTestService({ env: limits });
    // A second process over the same table: its own deps, caches and buckets.
    const second = caller(createLocalApp(testDeps(svc.deps.config)));
    const calls = [svc.call, second];
    const whoami = (i: number) => calls[i % 2]!('GET', '/api/v1/user/whoami', { key: svc.seed.user.apiKey });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await whoami(i)).status);
    // One process alone allows 6 in the window; two together allow the same 6, not 12.
    expect(statuses).toEqual([...Array<number>(6).fill(200), ...Array<number>(6).fill(429)]);

    const item = await getItem(svc.deps.db, keys.rateWindow('user', svc.seed.user.id, start / 6_000));
    expect(item).toMatchObject({ requests: 6 });
    expect(item!.ttl).toBeGreaterThanOrEqual((start + 6_000) / 1000);

    // The admin key is counted the same way, by its own id.
    const admin = (i: number) => calls[i % 2]!('GET', '/api/v1/admin/audit', { key: svc.seed.adminKey });
    const adminStatuses: number[] = [];
    for (let i = 0; i < 7; i++) adminStatuses.push((await admin(i)).status);
    expect(adminStatuses).toEqual([...Array<number>(6).fill(200), 429]);

    // The next window lets the user in again, on either instance.
    vi.setSystemTime(start + 6_000);
    expect((await whoami(1)).status).toBe(200);
    expect((await whoami(0)).status).toBe(200);
  });

  it('says in Retry-After when the window ends', async () => {
    const start = atWindowStart(10_000);
    const svc = await startTestService({ env: { RATE_LIMIT_USER_RPS: '1', RATE_LIMIT_USER_BURST: '10' } });
    for (let i = 0; i < 10; i++) {
      expect((await svc.call('GET', '/api/v1/user/whoami', { key: svc.seed.user.apiKey })).status).toBe(200);
    }
    vi.setSystemTime(start + 6_500);
    const refused = await svc.call('GET', '/api/v1/user/whoami', { key: svc.seed.user.apiKey });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ code: 'rate_limited', detail: 'Too many requests with this API key. Retry later.' });
    expect(refused.headers.get('retry-after')).toBe('4');
  });

  it('answers 503 unavailable with Retry-After when the count cannot be written, and lets nothing through', async () => {
    const svc = await startTestService();
    const whoami = () => svc.call('GET', '/api/v1/user/whoami', { key: svc.seed.user.apiKey });
    expect((await whoami()).status).toBe(200); // the key is cached: only the count goes to the table
    // The count's table out of reach (the rest of the service keeps its own).
    const unreachable = createDb(
      readConfig({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${await freePort()}`, TABLE_NAME: svc.tableName }),
    );
    svc.deps.tableRateLimiter = new TableRateLimiter(unreachable);
    for (const res of [await whoami(), await svc.call('GET', '/api/v1/admin/audit', { key: svc.seed.adminKey })]) {
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ detail: expect.any(String), code: 'unavailable' });
      expect(res.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    }
    // A user runtime key's read, whose count runs beside the Query: 503 too, and no value.
    const runtime = await svc.call('GET', `/api/v1/environmentshub/${svc.seed.environments.personal.id}/runtime`, {
      key: svc.seed.user.runtimeKey,
    });
    expect(runtime.status).toBe(503);
    expect(runtime.body.code).toBe('unavailable');
    // Service keys are counted in process: job starts go on.
    const service = await svc.call('GET', `/api/v1/environmentshub/${svc.seed.environments.personal.id}/runtime`, {
      key: svc.seed.serviceKey,
    });
    expect(service.status).toBe(200);
    unreachable.raw.destroy();
  });

  it('answers 429 on a job-start route even should its handler not wait for the count', async () => {
    atWindowStart(1_000); // the user's window: 1 request in 1 s
    const svc = await startTestService({ env: { RATE_LIMIT_USER_RPS: '1', RATE_LIMIT_USER_BURST: '1' } });
    const app = createResourceApp(svc.deps, 'probe');
    let handled = 0;
    app.openapi(
      createRoute({
        method: 'get',
        path: '/probe',
        security: securityWithRuntimeToken,
        responses: { 200: { description: 'what the handler read' } },
      }),
      (c) => {
        handled++;
        return c.json({ data: 'read' }, 200);
      },
    );
    const probe = () => caller(app)('GET', '/probe', { key: svc.seed.user.runtimeKey });
    expect((await probe()).status).toBe(200);
    const refused = await probe();
    expect(handled).toBe(2); // the handler ran beside the count, as the runtime read's Query does
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
    expect(JSON.stringify(refused.body)).not.toContain('read');
  });
});
