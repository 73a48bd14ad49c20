import type { Deps } from '../deps.js';

/**
 * How long something deleted can be restored: `RECOVERY_DAYS` from its delete. DynamoDB's TTL
 * removes items hours late, so every read checks the purge time itself.
 */
export const purgeTime = (deps: Deps, deletedAt: string): string =>
  new Date(Date.parse(deletedAt) + deps.config.recoveryDays * 86_400_000).toISOString();

/** Still within its recovery window: listed, restorable. */
export const isRecoverable = (deleted: { purgeAt: string }): boolean => Date.parse(deleted.purgeAt) > Date.now();
