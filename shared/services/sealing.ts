import type { Deps } from '../deps.js';
import { dataKeyStillNewest } from '../data/data-keys.js';
import type { OwnerKey } from '../owner-key.js';
import { TransactionFailed, transactWrite, type TableWrite } from '../storage/transact.js';
import { StaleRead } from './optimistic.js';

/**
 * A transaction that writes a value sealed under data key version `dekVersion` (undefined: no
 * value written). It commits only while that version is still the owner's newest: should
 * another process have rotated the key since this one sealed, the newest is forgotten and the
 * caller reads again (StaleRead), so after a rotation no write adds to an old version. Other
 * failed conditions come out as TransactionFailed, their indexes as in `writes`.
 */
export async function transactSealed(
  deps: Deps,
  owner: OwnerKey,
  dekVersion: number | undefined,
  writes: TableWrite[],
): Promise<void> {
  if (dekVersion === undefined) return transactWrite(deps.db, writes);
  try {
    await transactWrite(deps.db, [...writes, dataKeyStillNewest(owner, dekVersion)]);
  } catch (err) {
    if (err instanceof TransactionFailed && err.reasons[writes.length]?.code === 'ConditionalCheckFailed') {
      deps.dataKeys.forgetNewest(owner);
      throw new StaleRead();
    }
    throw err;
  }
}
