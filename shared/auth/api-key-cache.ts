import type { Principal } from './principal.js';

/**
 * Verified keys, trusted for at most `ttlMs` (DESIGN: 30 s at most) so that a revoked key
 * stops working everywhere within that time, and at once in the process that revoked it.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, { principal: Principal; expiresAt: number }>();
  private readonly pending = new Map<string, Promise<Principal | undefined>>();

  constructor(private readonly ttlMs: number) {}

  /**
   * The cached principal, else one look-up shared by every request that asks for the same key
   * meanwhile (single flight: a burst of job starts with one service key is one read, not one
   * per request). Only a found principal is cached; a look-up dropped by `delete` caches nothing.
   */
  lookUp(hash: string, load: () => Promise<Principal | undefined>): Promise<Principal | undefined> {
    const cached = this.get(hash);
    if (cached) return Promise.resolve(cached);
    let pending = this.pending.get(hash);
    if (!pending) {
      const loading = load().then(
        (principal) => {
          if (this.pending.get(hash) === loading) {
            this.pending.delete(hash);
            if (principal) this.set(hash, principal);
          }
          return principal;
        },
        (err: unknown) => {
          if (this.pending.get(hash) === loading) this.pending.delete(hash);
          throw err;
        },
      );
      pending = loading;
      this.pending.set(hash, pending);
    }
    return pending;
  }

  get(hash: string): Principal | undefined {
    const hit = this.entries.get(hash);
    if (!hit) return undefined;
    if (hit.expiresAt <= Date.now()) {
      this.entries.delete(hash);
      return undefined;
    }
    return hit.principal;
  }

  set(hash: string, principal: Principal): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= 10_000) this.entries.clear();
    this.entries.set(hash, { principal, expiresAt: Date.now() + this.ttlMs });
  }

  delete(hash: string): void {
    this.entries.delete(hash);
    this.pending.delete(hash);
  }
}
