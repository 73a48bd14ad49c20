import { requireAdmin } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import { KeyUnusableError } from '../crypto/key-provider.js';
import { probeTable } from '../data/health-probe.js';
import { DeadlineReached, withDeadline } from '../deadline.js';
import type { Deps } from '../deps.js';

/** How long each dependency may take to answer the deep health check, well within a request's deadline. */
export const HEALTH_CHECK_MS = 2_000;

export interface DependencyHealth {
  ok: boolean;
  /** How long it took to answer (or to fail), in milliseconds. */
  ms: number;
  /** What failed: an error's name, never its message (an SDK's may carry an ARN or a principal). */
  error?: string;
}

export interface DeepHealth {
  status: 'ok' | 'degraded';
  dependencies: { dynamodb: DependencyHealth; kms: DependencyHealth };
}

/**
 * The operators' check (admin key): the table and the wrapping key (locally, the master key)
 * each asked once, side by side, each under its own short deadline. Nothing is written and no
 * data key is made.
 */
export async function deepHealth(deps: Deps, principal: Principal): Promise<DeepHealth> {
  requireAdmin(principal);
  const [dynamodb, kms] = await Promise.all([
    timed(() => probeTable(deps.db)),
    timed(() => deps.dataKeys.provider.check()),
  ]);
  return { status: dynamodb.ok && kms.ok ? 'ok' : 'degraded', dependencies: { dynamodb, kms } };
}

async function timed(check: () => Promise<void>): Promise<DependencyHealth> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    await withDeadline(HEALTH_CHECK_MS, check);
    return { ok: true, ms: elapsed() };
  } catch (err) {
    const ms = elapsed();
    return { ok: false, ms, error: err instanceof DeadlineReached ? `no answer within ${ms} ms` : failureOf(err) };
  }
}

function failureOf(err: unknown): string {
  if (err instanceof KeyUnusableError) return `${err.name}: ${err.message}`;
  if (!(err instanceof Error)) return typeof err;
  // A network failure is an `Error` whose code tells which (ECONNREFUSED, ENOTFOUND, …).
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? `${err.name} (${code})` : err.name;
}
