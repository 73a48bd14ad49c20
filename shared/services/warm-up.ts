import { probeTable } from '../data/health-probe.js';
import { withDeadline } from '../deadline.js';
import type { Deps } from '../deps.js';
import { errorName } from '../logger.js';

/** How long a container's warm-up may hold its initialization: well inside Lambda's 10 s. */
export const WARM_UP_MS = 1_000;

/** Lambda initializes this container ahead of traffic (the stack's `runtimeProvisionedConcurrency`). */
export const initializedAhead = (env: NodeJS.ProcessEnv = process.env) =>
  env.AWS_LAMBDA_INITIALIZATION_TYPE === 'provisioned-concurrency';

/**
 * A container initialized ahead of traffic makes its first DynamoDB call now rather than in its
 * first job start: the SDK's first-call set-up (credentials, endpoint rules, its code run once)
 * and the connection, on the table's health probe (a GetItem of a key never written). KMS is
 * left cold: the function's only KMS call is Decrypt, and one made up for this would fail in the
 * key's audit trail. On demand, nothing is done: it would only move the same time from the first
 * answer to the container's start. Bounded, and a failure leaves the container as it was.
 */
export async function warmUp(deps: Deps): Promise<void> {
  await withDeadline(WARM_UP_MS, () => probeTable(deps.db)).catch((err: unknown) =>
    deps.logger.warn('warm-up skipped', { error: errorName(err) }),
  );
}
