import type { Principal } from './principal.js';

/**
 * Verified keys, trusted for at most `ttlMs` (DESIGN: 30 s at most) so that a revoked key
 * stops working everywhere within that time, and at once in the process that revoked it.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, { principal: Principal; expiresAt: number }>();

  constructor(private readonly ttlMs: number) {}

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
  }
}
