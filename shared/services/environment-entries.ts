import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import type { Principal } from '../auth/principal.js';
import { isLinked, nameTakenInEnvironment } from '../conflicts.js';
import { openValue, sealValue, type ValuePlace } from '../crypto/values.js';
import type { AuditAction, AuditTargetType } from '../data/audit-events.js';
import { deletedEntryPut } from '../data/deleted-entries.js';
import {
  entryCreate,
  entryDelete,
  entryHolder,
  entryMove,
  entryReplace,
  readEntries,
  readVariables,
  readEntryById,
  type LinkEntry,
  type OwnEntry,
  type SecretInfo,
  type VariableEntry,
} from '../data/entries.js';
import { entryCountChange, type EnvironmentRecord } from '../data/environments.js';
import { readGlobalSecrets, type GlobalSecretRecord } from '../data/global-secrets.js';
import { deleteValueVersions, type ValueVersionRecord } from '../data/value-versions.js';
import { notFound } from '../errors.js';
import { newId, now, requireId } from '../ids.js';
import { compareText } from '../pagination.js';
import { requireValueForKind } from '../schemas.js';
import { LIMITS } from '../rules.js';
import { TransactionFailed, transactWrite } from '../storage/transact.js';
import { explainEntryFailure } from './entry-failures.js';
import { linkedName } from './linked-name.js';
import { finishDeletes } from './links.js';
import { environmentFor } from './environments.js';
import { optimistically, StaleRead } from './optimistic.js';
import { purgeTime } from './recovery-window.js';
import { transactSealed } from './sealing.js';
import { keptVersion, listVersions, requireVersion, versionWrites } from './value-history.js';

export type OwnKind = OwnEntry['kind'];

export const TARGET: Record<OwnKind, { type: AuditTargetType; what: string }> = {
  secret: { type: 'environment_secret', what: 'Secret' },
  variable: { type: 'variable', what: 'Variable' },
};

export interface EntryInput {
  name?: string | undefined;
  value?: string | undefined;
  description?: string | null | undefined;
  isFile?: boolean | undefined;
  /** A direct secret's only. */
  expiresAt?: string | null | undefined;
}

export type NewEntryInput = EntryInput & { name: string; value: string };

// ---- views ----

export const toDirectSecret = (e: SecretInfo): Api.EnvironmentSecret => ({
  id: e.id,
  name: e.name,
  source: 'environment',
  description: e.description,
  isFile: e.isFile,
  version: e.version,
  expiresAt: e.expiresAt,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
});

const toLinkedSecret = (link: LinkEntry, secret: GlobalSecretRecord): Api.EnvironmentSecret => ({
  id: secret.id,
  name: linkedName(link, secret),
  source: 'global-linked',
  description: secret.description,
  isFile: secret.isFile,
  version: secret.version,
  expiresAt: secret.expiresAt,
  createdAt: link.createdAt,
  updatedAt: secret.updatedAt,
  secretId: secret.id,
});

export const toVariable = (e: VariableEntry): Api.Variable => ({
  id: e.id,
  name: e.name,
  value: e.value,
  description: e.description,
  version: e.version,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
});

// ---- listing ----

export async function listEnvironmentSecrets(
  deps: Deps,
  principal: Principal,
  envId: string,
): Promise<Api.EnvironmentSecret[]> {
  const env = await environmentFor(deps, principal, envId, 'read');
  const entries = await readEntries(deps.db, env.id);
  const links = entries.filter((e) => e.kind === 'link');
  const secrets = await readGlobalSecrets(
    deps.db,
    env.ownerKey,
    links.map((l) => l.secretId),
  );
  const listed: Api.EnvironmentSecret[] = entries.filter((e) => e.kind === 'secret').map(toDirectSecret);
  for (const link of links) {
    // A link whose secret was just deleted is on its way out: it is not listed.
    const secret = secrets.get(link.secretId);
    if (secret) listed.push(toLinkedSecret(link, secret));
  }
  return listed.sort((a, b) => compareText(a.name, b.name));
}

export async function listVariables(deps: Deps, principal: Principal, envId: string): Promise<Api.Variable[]> {
  const env = await environmentFor(deps, principal, envId, 'read');
  return (await readVariables(deps.db, env.id)).map(toVariable).sort((a, b) => compareText(a.name, b.name));
}

// ---- direct secrets and variables ----

/** Where a direct secret's value belongs: bound into its seal, so a copy elsewhere fails to open. */
export const entryPlace = (env: EnvironmentRecord, entryId: string): ValuePlace => ({
  kind: 'environment',
  envId: env.id,
  entryId,
});

/** A direct secret's value, sealed under the owner's newest data key and bound to this entry. */
export const sealEntryValue = (deps: Deps, env: EnvironmentRecord, entryId: string, value: string) =>
  sealValue(deps.dataKeys, env.ownerKey, entryPlace(env, entryId), value);

export type EntryOf<K extends OwnKind> = Extract<OwnEntry, { kind: K }>;

export async function newEntry<K extends OwnKind>(
  deps: Deps,
  env: EnvironmentRecord,
  kind: K,
  input: NewEntryInput,
): Promise<EntryOf<K>> {
  const id = newId();
  const at = now();
  const common = {
    envId: env.id,
    id,
    name: input.name,
    description: input.description ?? null,
    rev: undefined,
    version: 1,
  };
  const times = { createdAt: at, updatedAt: at };
  const entry: OwnEntry =
    kind === 'secret'
      ? {
          ...common,
          ...times,
          kind: 'secret',
          isFile: input.isFile === true,
          sealed: await sealEntryValue(deps, env, id, input.value),
          expiresAt: input.expiresAt ?? null,
        }
      : { ...common, ...times, kind: 'variable', value: input.value };
  return entry as EntryOf<K>;
}

export function createEntry<K extends OwnKind>(
  deps: Deps,
  principal: Principal,
  envId: string,
  kind: K,
  input: NewEntryInput,
): Promise<EntryOf<K>> {
  return optimistically(TARGET[kind].what.toLowerCase(), async () => {
    const env = await environmentFor(deps, principal, envId, 'write');
    const entry = await newEntry(deps, env, kind, input);
    const writes = [
      entryCreate(entry),
      entryCountChange(env.id, 1, LIMITS.entriesPerEnvironment),
      entryAudit(deps, principal, env, entry, 'create'),
      ...versionWrites(principal, entry.id, 1, contentOf(entry), entry.createdAt),
    ];
    for (let attempt = 1; ; attempt++) {
      try {
        await transactSealed(deps, env.ownerKey, sealedVersion(entry), writes);
        return entry;
      } catch (err) {
        if (!(err instanceof TransactionFailed)) throw err;
        // The name held by a link of a deleted secret that a stopped delete left: finish it, try again.
        const holder = entryHolder(env.id, err.reasons[0]?.item);
        if (attempt === 1 && holder?.kind === 'link' && (await finishDeletes(deps, env.ownerKey))) continue;
        throw explainEntryFailure(err, env.id, entry.name, 0, 1, { action: 'create', kind });
      }
    }
  });
}

/** The audit event of a change to an entry. */
export const entryAudit = (
  deps: Deps,
  principal: Principal,
  env: EnvironmentRecord,
  entry: OwnEntry,
  action: AuditAction,
) =>
  auditPut(deps, {
    owner: env.ownerKey,
    principal,
    action,
    target: { type: TARGET[entry.kind].type, id: entry.id, name: entry.name },
    environmentId: env.id,
  });

/** What a version of the entry keeps: the sealed value of a secret, the value of a variable. */
const contentOf = (entry: OwnEntry): ValueVersionRecord['content'] =>
  entry.kind === 'secret' ? { sealed: entry.sealed } : { value: entry.value };

/** The data key version a write of this entry's value seals under (none for a variable). */
export const sealedVersion = (entry: OwnEntry): number | undefined =>
  entry.kind === 'secret' ? entry.sealed.dekVersion : undefined;

/** The entry of `kind` with this id; a linked secret's id on a direct-secret route is `is_linked`. */
export async function ownEntry<K extends OwnKind>(deps: Deps, env: EnvironmentRecord, kind: K, id: string) {
  const entry = await findOwnEntry(deps, env, kind, id);
  if (!entry) throw notFound(TARGET[kind].what);
  return entry;
}

/** The same, or undefined when there is none (a purge then looks among the deleted). */
export async function findOwnEntry<K extends OwnKind>(
  deps: Deps,
  env: EnvironmentRecord,
  kind: K,
  id: string,
): Promise<EntryOf<K> | undefined> {
  requireId(id, TARGET[kind].what);
  const entry = await readEntryById(deps.db, env.id, id);
  if (entry?.kind === 'link' && kind === 'secret') throw isLinked(entry);
  return entry?.kind === kind ? (entry as EntryOf<K>) : undefined;
}

/**
 * The entry as read with the input's changes, one revision on (so a write from a stale read is
 * refused), and one version on when its value changes.
 */
async function changedEntry(deps: Deps, env: EnvironmentRecord, read: OwnEntry, input: EntryInput): Promise<OwnEntry> {
  const common = {
    name: input.name ?? read.name,
    description: input.description === undefined ? read.description : input.description,
    rev: (read.rev ?? 0) + 1,
    version: input.value === undefined ? read.version : read.version + 1,
    updatedAt: now(),
  };
  if (read.kind === 'variable') return { ...read, ...common, value: input.value ?? read.value };
  if (input.value !== undefined) requireValueForKind(input.value, read.isFile);
  const sealed = input.value === undefined ? read.sealed : await sealEntryValue(deps, env, read.id, input.value);
  return { ...read, ...common, sealed, expiresAt: input.expiresAt === undefined ? read.expiresAt : input.expiresAt };
}

export function updateEntry<K extends OwnKind>(
  deps: Deps,
  principal: Principal,
  envId: string,
  kind: K,
  id: string,
  input: EntryInput,
  ifMatch: number | undefined,
): Promise<EntryOf<K>> {
  return optimistically(TARGET[kind].what.toLowerCase(), async () => {
    const env = await environmentFor(deps, principal, envId, 'write');
    const read = await ownEntry(deps, env, kind, id);
    requireVersion(TARGET[kind].what.toLowerCase(), read.version, ifMatch);
    return (await commitChange(deps, principal, env, read, input, 'update')) as EntryOf<K>;
  });
}

/** A rollback writes a new version holding the value of a kept one: history is never rewritten. */
export function rollbackEntry<K extends OwnKind>(
  deps: Deps,
  principal: Principal,
  envId: string,
  kind: K,
  id: string,
  version: number,
): Promise<EntryOf<K>> {
  return optimistically(TARGET[kind].what.toLowerCase(), async () => {
    const env = await environmentFor(deps, principal, envId, 'write');
    const read = await ownEntry(deps, env, kind, id);
    const { content } = await keptVersion(deps, id, version);
    const value =
      'value' in content
        ? content.value
        : await openValue(deps.dataKeys, env.ownerKey, entryPlace(env, read.id), content.sealed);
    return (await commitChange(deps, principal, env, read, { value }, 'rollback')) as EntryOf<K>;
  });
}

/** Writes the entry as read with `input`'s changes, and the value's new version if it has one. */
async function commitChange(
  deps: Deps,
  principal: Principal,
  env: EnvironmentRecord,
  read: OwnEntry,
  input: EntryInput,
  action: 'update' | 'rollback',
): Promise<OwnEntry> {
  const updated = await changedEntry(deps, env, read, input);
  const renaming = updated.name !== read.name;
  const newValue = updated.version !== read.version;
  const writes = [
    // Conditioned on the entry as read: the write copies it, so committing it over a
    // concurrent update would undo that update.
    ...(renaming ? entryMove(updated, read) : [entryReplace(updated, read)]),
    entryAudit(deps, principal, env, updated, renaming ? 'rename' : action),
    ...(newValue ? versionWrites(principal, read.id, updated.version, contentOf(updated), updated.updatedAt) : []),
  ];
  try {
    await transactSealed(deps, env.ownerKey, newValue ? sealedVersion(updated) : undefined, writes);
  } catch (err) {
    if (err instanceof TransactionFailed) {
      if (renaming && err.failedAt() === 1)
        throw nameTakenInEnvironment(updated.name, entryHolder(env.id, err.reasons[1]?.item), {
          action: 'rename',
          kind: updated.kind,
        });
      // Changed, renamed or deleted since our read: read it again (gone, that is a 404).
      throw new StaleRead();
    }
    throw err;
  }
  return updated;
}

/** The kept versions of a direct secret (never a value) or a variable (with its values). */
export async function entryVersions(
  deps: Deps,
  principal: Principal,
  envId: string,
  kind: OwnKind,
  id: string,
): Promise<Api.ValueVersion[]> {
  const env = await environmentFor(deps, principal, envId, 'read');
  const entry = await ownEntry(deps, env, kind, id);
  return listVersions(deps, entry.id, entry, kind === 'variable');
}

/**
 * A delete frees the name at once and keeps a copy of the entry, restorable until its purge
 * time (entry-recovery.ts); with `purge`, the entry and its versions are destroyed instead.
 */
export async function deleteEntry<K extends OwnKind>(
  deps: Deps,
  principal: Principal,
  env: EnvironmentRecord,
  entry: EntryOf<K>,
  purge: boolean,
): Promise<EntryOf<K>> {
  const deletedAt = now();
  try {
    await transactWrite(deps.db, [
      entryDelete(entry),
      entryCountChange(env.id, -1),
      entryAudit(deps, principal, env, entry, purge ? 'purge' : 'delete'),
      ...(purge ? [] : [deletedEntryPut({ entry, deletedAt, purgeAt: purgeTime(deps, deletedAt) })]),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) throw notFound(TARGET[entry.kind].what);
    throw err;
  }
  if (purge) await deleteValueVersions(deps.db, entry.id);
  return entry;
}
