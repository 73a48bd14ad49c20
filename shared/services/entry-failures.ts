import { environmentFull, nameTakenInEnvironment, type NameUse } from '../conflicts.js';
import { entryHolder } from '../data/entries.js';
import { notFound } from '../errors.js';
import { LIMITS } from '../rules.js';
import type { TransactionFailed } from '../storage/transact.js';

/**
 * The 409 or 404 a failed entry write deserves, from which of its writes failed: the entry's
 * put at `putAt` (the name's holder, worded for `use`), the entry count at `countAt` (a full or
 * deleted environment).
 */
export function explainEntryFailure(
  err: TransactionFailed,
  envId: string,
  name: string,
  putAt: number,
  countAt: number,
  use: NameUse,
) {
  const failed = err.failedAt();
  if (failed === putAt) return nameTakenInEnvironment(name, entryHolder(envId, err.reasons[putAt]?.item), use);
  if (failed === countAt)
    return err.reasons[countAt]?.item ? environmentFull(LIMITS.entriesPerEnvironment) : notFound('Environment');
  return notFound('Environment');
}
