import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import type { Principal } from '../auth/principal.js';
import { isLinked, nameTakenInEnvironment } from '../conflicts.js';
import { sealValue } from '../crypto/values.js';
import type { AuditTargetType } from '../data/audit-events.js';
import {
  entryCreate,
  entryDelete,
  entryHolder,
  entryRemoveAsRead,
  entryReplace,
  readEntries,
  type LinkEntry,
  type OwnEntry,
  type SecretEntry,
  type VariableEntry,
} from '../data/entries.js';
import { entryCountChange, type EnvironmentRecord } from '../data/environments.js';
import { readGlobalSecrets, type GlobalSecretRecord } from '../data/global-secrets.js';
import { notFound } from '../errors.js';
import { newId, now, requireId } from '../ids.js';
import { compareText } from '../pagination.js';
import { LIMITS, requireValueForKind } from '../schemas.js';
import { TransactionFailed, transactWrite } from '../storage/transact.js';
import { explainEntryFailure } from './entry-failures.js';
import { finishDeletes, linkedName } from './links.js';
import { environmentFor } from './environments.js';
import { optimistically, StaleRead } from './optimistic.js';

type OwnKind = OwnEntry['kind'];

const TARGET: Record<OwnKind, { type: AuditTargetType; what: string }> = {
  secret: { type: 'environment_secret', what: 'Secret' },
  variable: { type: 'variable', what: 'Variable' },
};

interface EntryInput {
  name?: string | undefined;
  value?: string | undefined;
  description?: string | null | undefined;
  isFile?: boolean | undefined;
}

type NewEntryInput = EntryInput & { name: string; value: string };

// ---- views ----

const toDirectSecret = (e: SecretEntry): Api.EnvironmentSecret => ({
  id: e.id,
  name: e.name,
  source: 'environment',
  description: e.description,
  isFile: e.isFile,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
});

const toLinkedSecret = (link: LinkEntry, secret: GlobalSecretRecord): Api.EnvironmentSecret => ({
  id: secret.id,
  name: linkedName(link, secret),
  source: 'global-linked',
  description: secret.description,
  isFile: secret.isFile,
  createdAt: link.createdAt,
  updatedAt: secret.updatedAt,
  secretId: secret.id,
});

const toVariable = (e: VariableEntry): Api.Variable => ({
  id: e.id,
  name: e.name,
  value: e.value,
  description: e.description,
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
  const entries = await readEntries(deps.db, env.id);
  return entries
    .filter((e) => e.kind === 'variable')
    .map(toVariable)
    .sort((a, b) => compareText(a.name, b.name));
}

// ---- direct secrets and variables ----

/** A direct secret's value, sealed under the owner's data key and bound to this entry. */
const sealEntryValue = (deps: Deps, env: EnvironmentRecord, entryId: string, value: string) =>
  sealValue(deps.dataKeys, env.ownerKey, { kind: 'environment', envId: env.id, entryId }, value);

type EntryOf<K extends OwnKind> = Extract<OwnEntry, { kind: K }>;

async function newEntry<K extends OwnKind>(
  deps: Deps,
  env: EnvironmentRecord,
  kind: K,
  input: NewEntryInput,
): Promise<EntryOf<K>> {
  const id = newId();
  const at = now();
  const common = { envId: env.id, id, name: input.name, description: input.description ?? null, rev: undefined };
  const times = { createdAt: at, updatedAt: at };
  const entry: OwnEntry =
    kind === 'secret'
      ? {
          ...common,
          ...times,
          kind: 'secret',
          isFile: input.isFile === true,
          sealed: await sealEntryValue(deps, env, id, input.value),
        }
      : { ...common, ...times, kind: 'variable', value: input.value };
  return entry as EntryOf<K>;
}

async function createEntry<K extends OwnKind>(
  deps: Deps,
  principal: Principal,
  envId: string,
  kind: K,
  input: NewEntryInput,
): Promise<EntryOf<K>> {
  const env = await environmentFor(deps, principal, envId, 'write');
  const entry = await newEntry(deps, env, kind, input);
  const writes = [
    entryCreate(entry),
    entryCountChange(env.id, 1, LIMITS.entriesPerEnvironment),
    auditPut(deps, {
      owner: env.ownerKey,
      principal,
      action: 'create',
      target: { type: TARGET[kind].type, id: entry.id, name: entry.name },
      environmentId: env.id,
    }),
  ];
  for (let attempt = 1; ; attempt++) {
    try {
      await transactWrite(deps.db, writes);
      return entry;
    } catch (err) {
      if (!(err instanceof TransactionFailed)) throw err;
      // The name held by a link of a deleted secret that a stopped delete left: finish it, try again.
      const holder = entryHolder(env.id, err.reasons[0]?.item);
      if (attempt === 1 && holder?.kind === 'link' && (await finishDeletes(deps, env.ownerKey))) continue;
      throw explainEntryFailure(err, env.id, entry.name, 0, 1);
    }
  }
}

/** The entry of `kind` with this id; a linked secret's id on a direct-secret route is `is_linked`. */
async function ownEntry<K extends OwnKind>(deps: Deps, env: EnvironmentRecord, kind: K, id: string) {
  requireId(id, TARGET[kind].what);
  const entry = (await readEntries(deps.db, env.id)).find((e) => e.id === id);
  if (entry?.kind === 'link' && kind === 'secret') throw isLinked(entry.secretId);
  if (!entry || entry.kind !== kind) throw notFound(TARGET[kind].what);
  return entry as EntryOf<K>;
}

/** The entry as read with the input's changes, one revision on (so a write from a stale read is refused). */
async function changedEntry(deps: Deps, env: EnvironmentRecord, read: OwnEntry, input: EntryInput): Promise<OwnEntry> {
  const common = {
    name: input.name ?? read.name,
    description: input.description === undefined ? read.description : input.description,
    rev: (read.rev ?? 0) + 1,
    updatedAt: now(),
  };
  if (read.kind === 'variable') return { ...read, ...common, value: input.value ?? read.value };
  if (input.value !== undefined) requireValueForKind(input.value, read.isFile);
  const sealed = input.value === undefined ? read.sealed : await sealEntryValue(deps, env, read.id, input.value);
  return { ...read, ...common, sealed };
}

function updateEntry<K extends OwnKind>(
  deps: Deps,
  principal: Principal,
  envId: string,
  kind: K,
  id: string,
  input: EntryInput,
): Promise<EntryOf<K>> {
  return optimistically(TARGET[kind].what.toLowerCase(), async () => {
    const env = await environmentFor(deps, principal, envId, 'write');
    const read = await ownEntry(deps, env, kind, id);
    const updated = await changedEntry(deps, env, read, input);
    const renaming = updated.name !== read.name;
    const audit = auditPut(deps, {
      owner: env.ownerKey,
      principal,
      action: renaming ? 'rename' : 'update',
      target: { type: TARGET[kind].type, id, name: updated.name },
      environmentId: env.id,
    });
    try {
      // Conditioned on the entry as read: the write copies it, so committing it over a
      // concurrent update would undo that update.
      await transactWrite(
        deps.db,
        renaming ? [entryRemoveAsRead(read), entryCreate(updated), audit] : [entryReplace(updated, read), audit],
      );
    } catch (err) {
      if (err instanceof TransactionFailed) {
        if (renaming && err.failedAt() === 1)
          throw nameTakenInEnvironment(updated.name, entryHolder(env.id, err.reasons[1]?.item));
        // Changed, renamed or deleted since our read: read it again (gone, that is a 404).
        throw new StaleRead();
      }
      throw err;
    }
    return updated as EntryOf<K>;
  });
}

async function deleteEntry<K extends OwnKind>(
  deps: Deps,
  principal: Principal,
  envId: string,
  kind: K,
  id: string,
): Promise<EntryOf<K>> {
  const env = await environmentFor(deps, principal, envId, 'write');
  const entry = await ownEntry(deps, env, kind, id);
  try {
    await transactWrite(deps.db, [
      entryDelete(entry),
      entryCountChange(env.id, -1),
      auditPut(deps, {
        owner: env.ownerKey,
        principal,
        action: 'delete',
        target: { type: TARGET[kind].type, id, name: entry.name },
        environmentId: env.id,
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) throw notFound(TARGET[kind].what);
    throw err;
  }
  return entry;
}

export const createEnvironmentSecret = async (deps: Deps, principal: Principal, envId: string, input: NewEntryInput) =>
  toDirectSecret(await createEntry(deps, principal, envId, 'secret', input));

export const updateEnvironmentSecret = async (
  deps: Deps,
  principal: Principal,
  envId: string,
  id: string,
  input: EntryInput,
) => toDirectSecret(await updateEntry(deps, principal, envId, 'secret', id, input));

export const deleteEnvironmentSecret = async (deps: Deps, principal: Principal, envId: string, id: string) =>
  toDirectSecret(await deleteEntry(deps, principal, envId, 'secret', id));

export const createVariable = async (deps: Deps, principal: Principal, envId: string, input: NewEntryInput) =>
  toVariable(await createEntry(deps, principal, envId, 'variable', input));

export const updateVariable = async (deps: Deps, principal: Principal, envId: string, id: string, input: EntryInput) =>
  toVariable(await updateEntry(deps, principal, envId, 'variable', id, input));

export const deleteVariable = async (deps: Deps, principal: Principal, envId: string, id: string) =>
  toVariable(await deleteEntry(deps, principal, envId, 'variable', id));
