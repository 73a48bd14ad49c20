import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/schemas.js';
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
    const svc = await startTestService({ env: { RATE_LIMIT_USER_RPS: '1', RATE_LIMIT_USER_BURST: '5' } });
    const user = await svc.newUser('bucket');
    const second = await svc.call('POST', `${V1}/user/api-keys`, { key: user.key, body: { name: 'second' } });
    expect(second.status).toBe(201);
    const keys = [user.key, second.body.data.key];
    const started = performance.now();
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) {
      statuses.push((await svc.call('GET', `${V1}/user/whoami`, { key: keys[i % 2] })).status);
    }
    const elapsedSeconds = (performance.now() - started) / 1000;
    const served = statuses.filter((s) => s === 200).length;
    // One bucket of 5 (one spent making the second key), refilled at 1 a second, bounds what
    // both keys get together; a bucket each would serve at least 9.
    expect(served).toBeLessThanOrEqual(4 + Math.ceil(elapsedSeconds));
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(statuses).toContain(429);
  });
});
