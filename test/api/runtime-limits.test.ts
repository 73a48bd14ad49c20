import { beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/rules.js';
import { startTestService, type TestService } from '../support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});

describe('the runtime payload limit', () => {
  it('answers 413 naming the largest entries once the resolved set passes 5 MiB, and 200 below it', async () => {
    const { call, seed } = svc;
    const env = seed.environments.personal.id;
    const value = (i: number) => String(i % 10).repeat(LIMITS.valueBytes);
    const count = Math.floor(LIMITS.runtimePayloadBytes / LIMITS.valueBytes) - 1; // 79 values: just under
    for (let i = 0; i < count; i++) {
      const res = await call('POST', `/api/v1/environmentshub/${env}/secrets`, {
        key: seed.user.apiKey,
        body: { name: `BIG_${String(i).padStart(3, '0')}`, value: value(i) },
      });
      expect(res.status).toBe(201);
    }
    const under = await call('GET', `/api/v1/environmentshub/${env}/runtime`, { key: seed.serviceKey });
    expect(under.status).toBe(200);
    expect(Object.keys(under.body.data.env)).toHaveLength(count);

    const largest = await call('POST', `/api/v1/environmentshub/${env}/variables`, {
      key: seed.user.apiKey,
      body: { name: 'THE_LARGEST_ONE', value: 'x'.repeat(LIMITS.valueBytes) },
    });
    expect(largest.status).toBe(201);
    const over = await call('GET', `/api/v1/environmentshub/${env}/runtime`, { key: seed.serviceKey });
    expect(over.status).toBe(413);
    expect(over.body.code).toBe('payload_too_large');
    expect(over.body.detail).toMatch(/^The resolved set is \d+ bytes, over the 5242880-byte limit\. Largest entries: /);
    expect(over.body.detail).toContain('THE_LARGEST_ONE (65551 bytes)');
    expect(over.body.detail).not.toContain('xxxx');
  });
});
