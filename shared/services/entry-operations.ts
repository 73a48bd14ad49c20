import type { Deps } from '../deps.js';
import type { Principal } from '../auth/principal.js';
import {
  createEntry,
  entryVersions,
  rollbackEntry,
  toDirectSecret,
  toVariable,
  updateEntry,
  type EntryInput,
  type EntryOf,
  type NewEntryInput,
  type OwnKind,
} from './environment-entries.js';
import { listDeletedEntries, removeEntry, restoreEntry } from './entry-recovery.js';

/**
 * What the API does to an environment's direct secrets and to its variables: the same
 * operations for both kinds, each answering in its kind's wire object.
 */
function operationsOn<K extends OwnKind, View>(kind: K, view: (entry: EntryOf<K>) => View) {
  return {
    create: async (deps: Deps, principal: Principal, envId: string, input: NewEntryInput) =>
      view(await createEntry(deps, principal, envId, kind, input)),
    update: async (deps: Deps, principal: Principal, envId: string, id: string, input: EntryInput, ifMatch?: number) =>
      view(await updateEntry(deps, principal, envId, kind, id, input, ifMatch)),
    remove: async (deps: Deps, principal: Principal, envId: string, id: string, purge = false) =>
      view(await removeEntry(deps, principal, envId, kind, id, purge)),
    versions: (deps: Deps, principal: Principal, envId: string, id: string) =>
      entryVersions(deps, principal, envId, kind, id),
    rollback: async (deps: Deps, principal: Principal, envId: string, id: string, version: number) =>
      view(await rollbackEntry(deps, principal, envId, kind, id, version)),
    restore: async (deps: Deps, principal: Principal, envId: string, id: string, name?: string) =>
      view(await restoreEntry(deps, principal, envId, kind, id, name)),
    listDeleted: async (deps: Deps, principal: Principal, envId: string) =>
      (await listDeletedEntries(deps, principal, envId, kind)).map(({ entry, deletedAt, purgeAt }) => ({
        ...view(entry),
        deletedAt,
        purgeAt,
      })),
  };
}

export const directSecrets = operationsOn('secret', toDirectSecret);
export const variables = operationsOn('variable', toVariable);
