import { SingleFlightCache } from '../cache.js';
import { METRICS } from '../metric-catalog.js';
import type { RequestMetrics } from '../metrics.js';
import type { Principal } from './principal.js';

/**
 * Verified keys by hash, trusted for at most `ttlMs` (30 s at most, shared/config.ts) so that
 * a revoked key stops working everywhere within that time, and at once in the process that
 * revoked it (shared/services/api-keys.ts drops it). An unknown key is not remembered: a key
 * created meanwhile works at once. `ttlMs` of 0 or less caches nothing, but concurrent look-ups
 * of one key still share one read.
 */
export class ApiKeyCache extends SingleFlightCache<Principal | undefined> {
  constructor(ttlMs: number, metrics?: RequestMetrics) {
    super({
      ttlMs,
      maxEntries: 10_000,
      onLookup: metrics && ((hit) => metrics.count(hit ? METRICS.apiKeyCacheHits : METRICS.apiKeyCacheMisses)),
    });
  }
}
