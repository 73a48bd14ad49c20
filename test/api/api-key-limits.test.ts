import { describe, expect, it, vi } from 'vitest';
import { LIMITS } from '../../shared/rules.js';
import { startTestService } from '../support/service.js';

/** More keys buy a user nothing: their keys are capped, and share one rate limit. */
const V1 = '/api/v1';

describe("a user's API keys", () => {
  it(`are capped at ${LIMITS.apiKeysPerUser}, counting the admin's; a revoked key frees its place`, async () => {
    const svc = await startTestService();
    const user = await svc.newUser('many-keys');
    const make = (name: string) => svc.call('POST', `${V1}/user/api-keys`, { key: user.key, body: { name } });
    const made = [];
    // The user holds two keys already: the account key and the manage key the admin issued.
    for (let i = 2; i < LIMITS.apiKeysPerUser; i++) {
      const res = await make(`k${i}`);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      made.push(res.body.data);
    }
    const refused = await make('one too many');
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      code: 'limit_exceeded',
      detail: `A user holds at most ${LIMITS.apiKeysPerUser} API keys. Revoke one first.`,
    });
    const listed = await svc.call('GET', `${V1}/user/api-keys?limit=500`, { key: user.key });
    expect(listed.body.totalCount).toBe(LIMITS.apiKeysPerUser);

    expect((await svc.call('DELETE', `${V1}/user/api-keys/${made[0].id}`, { key: user.key })).status).toBe(200);
    expect((await make('in its place')).status).toBe(201);
    expect((await make('again one too many')).status).toBe(409);
  });

  it('share one rate limit, whichever of them is used', async () => {
    // The user's count: 5 requests a window of 5 s, the clock held at a window's start.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime((Math.floor(Date.now() / 5_000) + 1) * 5_000);
    try {
      const svc = await startTestService({ env: { RATE_LIMIT_USER_RPS: '1', RATE_LIMIT_USER_BURST: '5' } });
      const user = await svc.newUser('bucket');
      const second = await svc.call('POST', `${V1}/user/api-keys`, { key: user.key, body: { name: 'second' } });
      expect(second.status).toBe(201);
      const keys = [user.key, second.body.data.key];
      const statuses: number[] = [];
      for (let i = 0; i < 16; i++) {
        statuses.push((await svc.call('GET', `${V1}/user/whoami`, { key: keys[i % 2] })).status);
      }
      // One count of 5 (one spent making the second key) bounds what both keys get together;
      // a count each would serve 9.
      expect(statuses).toEqual([...Array<number>(4).fill(200), ...Array<number>(12).fill(429)]);
    } finally {
      vi.useRealTimers();
    }
  });
});
