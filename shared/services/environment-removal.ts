import type { Deps } from '../deps.js';
import { deletedEntryLeftovers } from '../data/deleted-entries.js';
import { deleteLeftovers, partitionLeftovers } from '../data/entries.js';
import { environmentDeleteFinished } from '../data/environments.js';
import { mapLimit } from '../map-limit.js';
import type { OwnerKey } from '../owner-key.js';
import { removeLink } from './links.js';

/** Passes over a deleted environment's partition before giving up on a writer that keeps adding to it. */
const MAX_PASSES = 5;

/**
 * Removes everything a deleted environment held, page by page, whatever its size: its entries
 * and requirements (a link with its reverse index and a bump of its secret's link sequence, so
 * that a concurrent rename of that secret retries), its recently deleted entries, and the
 * versions of every value among them, each value's versions before the item that names them.
 * Then its mark (`environmentDelete`). Each step can be done again, so a removal stopped
 * anywhere is finished by running it again: `finishDeletes` does, on the owner's next write.
 */
export async function removeEnvironmentContents(deps: Deps, ownerKey: OwnerKey, envId: string): Promise<void> {
  // Again until a pass reads the partition empty, so an entry written by a racing rename goes too.
  for (let pass = 0; ; pass++) {
    if (pass === MAX_PASSES) throw new Error('a deleted environment kept receiving entries');
    let found = false;
    let after: string | undefined;
    do {
      const page = await partitionLeftovers(deps.db, envId, after);
      found ||= page.keys.length + page.links.length > 0;
      await mapLimit(page.links, 8, (link) =>
        removeLink(deps, { ownerKey, secretId: link.secretId, envId, entryName: link.name }, { gone: 'environment' }),
      );
      await deleteLeftovers(deps.db, page);
      after = page.last;
    } while (after !== undefined);
    if (!found) break;
  }
  let after: string | undefined;
  do {
    const page = await deletedEntryLeftovers(deps.db, envId, after);
    await deleteLeftovers(deps.db, page);
    after = page.last;
  } while (after !== undefined);
  await environmentDeleteFinished(deps.db, ownerKey, envId);
}
