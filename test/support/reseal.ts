import { expect, vi } from 'vitest';
import { RESEAL_GRACE_MS } from '../../shared/services/reseal.js';
import type { TestService } from './service.js';

/**
 * A re-seal removes an old data key version only a grace after its last move
 * (shared/services/reseal.ts): tests let that time pass at once, on a clock that runs on from
 * the real one plus what they skipped.
 */
let skippedMs = 0;

/** Date.now as the service reads it, from here on (`vi.restoreAllMocks` ends it). */
export function useSkippableClock(): void {
  const real = Date.now.bind(Date);
  vi.spyOn(Date, 'now').mockImplementation(() => real() + skippedMs);
}

/** As if the re-seal's grace, longer than its lease, had passed. */
export function skipGrace(): void {
  skippedMs += RESEAL_GRACE_MS + 1_000;
}

/** GETs the owner's data keys, skipping the grace between, until the re-seal is idle: the last answer. */
export async function settledDataKeys(svc: Pick<TestService, 'call'>, key: string, query = ''): Promise<any> {
  for (let i = 0; i < 10; i++) {
    const res = await svc.call('GET', `/api/v1/data-keys${query}`, { key });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (res.body.data.reseal.state === 'idle') return res.body.data;
    skipGrace();
  }
  throw new Error('the re-seal did not settle');
}
