import type { Db } from '../storage/client.js';
import { getItem } from '../storage/item.js';
import { keys } from './keys.js';

/**
 * The cheapest call that proves the table answers this function: a consistent GetItem of a key
 * nothing is ever written under (half a read unit, whatever the table holds).
 */
export async function probeTable(db: Db): Promise<void> {
  await getItem(db, keys.healthProbe);
}
