import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut, type AuditTargetType } from '../audit.js';
import type { Principal } from '../auth/principal.js';
import { alreadyLinked, environmentFull, isLinked, nameTakenInEnvironment, scopeMismatch } from '../conflicts.js';
import { sealValue } from '../crypto/values.js';
import { notFound } from '../errors.js';
import { newId, now, requireId } from '../ids.js';
import { compareText } from '../pagination.js';
import { LIMITS, requireValueForKind } from '../schemas.js';
import { batchGet, itemId } from '../storage/batch.js';
import { queryAll } from '../storage/query.js';
import { keys } from '../storage/keys.js';
import { TransactionFailed, transactWrite, type TransactItem } from '../storage/transact.js';
import { environmentFor, type EnvironmentRecord } from './environments.js';
import { readGlobalSecret, toGlobalSecret } from './global-secrets.js';
import { removeLink } from './links.js';
import { optimistically, StaleRead } from './optimistic.js';

/** The kinds of entry an environment holds, one entry per name across all three. */
export type EntryKind = 'secret' | 'variable' | 'link';
type OwnKind = Exclude<EntryKind, 'link'>;

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

/** Every entry of an environment, read consistently. */
export function readEntries(deps: Deps, envId: string): Promise<Record<string, unknown>[]> {
  return queryAll(deps.db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
    ExpressionAttributeValues: { ':pk': keys.environmentPartition(envId), ':e': keys.entryPrefix },
    ConsistentRead: true,
  });
}

async function findEntry(deps: Deps, envId: string, attribute: 'id' | 'secretId', id: string) {
  const entries = await readEntries(deps, envId);
  return entries.find((e) => e[attribute] === id);
}

const metaCountUpdate = (deps: Deps, envId: string, delta: 1 | -1): TransactItem => ({
  Update: {
    TableName: deps.db.tableName,
    Key: keys.environment(envId),
    UpdateExpression: 'ADD entryCount :d',
    ConditionExpression: delta > 0 ? 'attribute_exists(pk) AND entryCount < :max' : 'attribute_exists(pk)',
    ExpressionAttributeValues: delta > 0 ? { ':d': delta, ':max': LIMITS.entriesPerEnvironment } : { ':d': delta },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  },
});

const entryPut = (deps: Deps, item: Record<string, unknown>): TransactItem => ({
  Put: {
    TableName: deps.db.tableName,
    Item: item,
    ConditionExpression: 'attribute_not_exists(pk)',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  },
});

/** The 409 or 404 a failed entry write deserves: the name's holder, a full or deleted environment. */
function explainEntryFailure(err: TransactionFailed, name: string, putAt: number, countAt: number) {
  const failed = err.failedAt();
  if (failed === putAt) return nameTakenInEnvironment(name, err.reasons[putAt]?.item);
  if (failed === countAt)
    return err.reasons[countAt]?.item ? environmentFull(LIMITS.entriesPerEnvironment) : notFound('Environment');
  return notFound('Environment');
}

// ---- views ----

const toDirectSecret = (e: Record<string, unknown>): Api.EnvironmentSecret => ({
  id: e.id as string,
  name: e.name as string,
  source: 'environment',
  description: (e.description as string | null | undefined) ?? null,
  isFile: e.isFile === true,
  createdAt: e.createdAt as string,
  updatedAt: e.updatedAt as string,
});

const toLinkedSecret = (link: Record<string, unknown>, secret: Record<string, unknown>): Api.EnvironmentSecret => {
  const global = toGlobalSecret(secret);
  return {
    id: global.id,
    name: link.name as string,
    source: 'global-linked',
    description: global.description,
    isFile: global.isFile,
    createdAt: link.createdAt as string,
    updatedAt: global.updatedAt,
    secretId: global.id,
  };
};

const toVariable = (e: Record<string, unknown>): Api.Variable => ({
  id: e.id as string,
  name: e.name as string,
  value: e.value as string,
  description: (e.description as string | null | undefined) ?? null,
  createdAt: e.createdAt as string,
  updatedAt: e.updatedAt as string,
});

const toLink = (link: Record<string, unknown>, envId: string): Api.Link => ({
  id: link.linkId as string,
  secretId: link.secretId as string,
  secretName: link.name as string,
  environmentId: envId,
  createdAt: link.createdAt as string,
});

// ---- listing ----

export async function listEnvironmentSecrets(
  deps: Deps,
  principal: Principal,
  envId: string,
): Promise<Api.EnvironmentSecret[]> {
  const env = await environmentFor(deps, principal, envId, 'read');
  const entries = await readEntries(deps, env.id);
  const links = entries.filter((e) => e.kind === 'link');
  const secrets = await batchGet(
    deps.db,
    links.map((l) => keys.globalSecret(env.ownerKey, l.secretId as string)),
  );
  const listed: Api.EnvironmentSecret[] = entries.filter((e) => e.kind === 'secret').map(toDirectSecret);
  for (const link of links) {
    // A link whose secret was just deleted is on its way out: it is not listed.
    const secret = secrets.get(itemId(keys.globalSecret(env.ownerKey, link.secretId as string)));
    if (secret) listed.push(toLinkedSecret(link, secret));
  }
  return listed.sort((a, b) => compareText(a.name, b.name));
}

export async function listVariables(deps: Deps, principal: Principal, envId: string): Promise<Api.Variable[]> {
  const env = await environmentFor(deps, principal, envId, 'read');
  const entries = await readEntries(deps, env.id);
  return entries
    .filter((e) => e.kind === 'variable')
    .map(toVariable)
    .sort((a, b) => compareText(a.name, b.name));
}

// ---- direct secrets and variables ----

async function createEntry(
  deps: Deps,
  principal: Principal,
  envId: string,
  kind: OwnKind,
  input: EntryInput & { name: string; value: string },
): Promise<Record<string, unknown>> {
  const env = await environmentFor(deps, principal, envId, 'write');
  const id = newId();
  const at = now();
  const item: Record<string, unknown> = {
    ...keys.entry(env.id, input.name),
    kind,
    id,
    name: input.name,
    description: input.description ?? null,
    createdAt: at,
    updatedAt: at,
    ...(kind === 'secret'
      ? {
          isFile: input.isFile === true,
          ...(await sealValue(
            deps.dataKeys,
            env.ownerKey,
            { kind: 'environment', envId: env.id, entryId: id },
            input.value,
          )),
        }
      : { value: input.value }),
  };
  try {
    await transactWrite(deps.db, [
      entryPut(deps, item),
      metaCountUpdate(deps, env.id, 1),
      auditPut(deps, {
        owner: env.ownerKey,
        principal,
        action: 'create',
        target: { type: TARGET[kind].type, id, name: input.name },
        environmentId: env.id,
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) throw explainEntryFailure(err, input.name, 0, 1);
    throw err;
  }
  return item;
}

/** The entry of `kind` with this id; a linked secret's id on a direct-secret route is `is_linked`. */
async function ownEntry(deps: Deps, env: EnvironmentRecord, kind: OwnKind, id: string) {
  requireId(id, TARGET[kind].what);
  const entry = await findEntry(deps, env.id, 'id', id);
  if (entry?.kind === 'link' && kind === 'secret') throw isLinked(entry.secretId as string);
  if (!entry || entry.kind !== kind) throw notFound(TARGET[kind].what);
  return entry;
}

function updateEntry(
  deps: Deps,
  principal: Principal,
  envId: string,
  kind: OwnKind,
  id: string,
  input: EntryInput,
): Promise<Record<string, unknown>> {
  return optimistically(TARGET[kind].what.toLowerCase(), async () => {
    const env = await environmentFor(deps, principal, envId, 'write');
    const entry = await ownEntry(deps, env, kind, id);
    if (kind === 'secret' && input.value !== undefined) requireValueForKind(input.value, entry.isFile === true);
    const name = input.name ?? (entry.name as string);
    const value =
      input.value === undefined
        ? {}
        : kind === 'secret'
          ? await sealValue(
              deps.dataKeys,
              env.ownerKey,
              { kind: 'environment', envId: env.id, entryId: id },
              input.value,
            )
          : { value: input.value };
    const updated: Record<string, unknown> = {
      ...entry,
      ...keys.entry(env.id, name),
      name,
      ...(input.description === undefined ? {} : { description: input.description }),
      ...value,
      // One more revision per write, so that a write from a stale read can be refused (below).
      rev: ((entry.rev as number | undefined) ?? 0) + 1,
      updatedAt: now(),
    };
    const renaming = name !== entry.name;
    const audit = auditPut(deps, {
      owner: env.ownerKey,
      principal,
      action: renaming ? 'rename' : 'update',
      target: { type: TARGET[kind].type, id, name },
      environmentId: env.id,
    });
    // Still there and unchanged since we read it: the write copies the entry as read, so
    // committing it over a concurrent update would undo that update.
    const stillThere =
      entry.rev === undefined
        ? { ConditionExpression: 'id = :id AND attribute_not_exists(rev)', ExpressionAttributeValues: { ':id': id } }
        : {
            ConditionExpression: 'id = :id AND rev = :rev',
            ExpressionAttributeValues: { ':id': id, ':rev': entry.rev },
          };
    try {
      await transactWrite(
        deps.db,
        renaming
          ? [
              { Delete: { TableName: deps.db.tableName, Key: { pk: entry.pk, sk: entry.sk }, ...stillThere } },
              entryPut(deps, updated),
              audit,
            ]
          : [{ Put: { TableName: deps.db.tableName, Item: updated, ...stillThere } }, audit],
      );
    } catch (err) {
      if (err instanceof TransactionFailed) {
        if (renaming && err.failedAt() === 1) throw nameTakenInEnvironment(name, err.reasons[1]?.item);
        // Changed, renamed or deleted since our read: read it again (gone, that is a 404).
        throw new StaleRead();
      }
      throw err;
    }
    return updated;
  });
}

async function deleteEntry(
  deps: Deps,
  principal: Principal,
  envId: string,
  kind: OwnKind,
  id: string,
): Promise<Record<string, unknown>> {
  const env = await environmentFor(deps, principal, envId, 'write');
  const entry = await ownEntry(deps, env, kind, id);
  try {
    await transactWrite(deps.db, [
      {
        Delete: {
          TableName: deps.db.tableName,
          Key: { pk: entry.pk, sk: entry.sk },
          ConditionExpression: 'id = :id',
          ExpressionAttributeValues: { ':id': id },
        },
      },
      metaCountUpdate(deps, env.id, -1),
      auditPut(deps, {
        owner: env.ownerKey,
        principal,
        action: 'delete',
        target: { type: TARGET[kind].type, id, name: entry.name as string },
        environmentId: env.id,
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) throw notFound(TARGET[kind].what);
    throw err;
  }
  return entry;
}

export const createEnvironmentSecret = async (
  deps: Deps,
  principal: Principal,
  envId: string,
  input: EntryInput & { name: string; value: string },
) => toDirectSecret(await createEntry(deps, principal, envId, 'secret', input));

export const updateEnvironmentSecret = async (
  deps: Deps,
  principal: Principal,
  envId: string,
  id: string,
  input: EntryInput,
) => toDirectSecret(await updateEntry(deps, principal, envId, 'secret', id, input));

export const deleteEnvironmentSecret = async (deps: Deps, principal: Principal, envId: string, id: string) =>
  toDirectSecret(await deleteEntry(deps, principal, envId, 'secret', id));

export const createVariable = async (
  deps: Deps,
  principal: Principal,
  envId: string,
  input: EntryInput & { name: string; value: string },
) => toVariable(await createEntry(deps, principal, envId, 'variable', input));

export const updateVariable = async (deps: Deps, principal: Principal, envId: string, id: string, input: EntryInput) =>
  toVariable(await updateEntry(deps, principal, envId, 'variable', id, input));

export const deleteVariable = async (deps: Deps, principal: Principal, envId: string, id: string) =>
  toVariable(await deleteEntry(deps, principal, envId, 'variable', id));

// ---- links ----

const MAX_LINK_ATTEMPTS = 5;

/** Where a global secret lives, whatever its scope (for telling a scope mismatch from a 404). */
async function secretExistsAnywhere(deps: Deps, secretId: string): Promise<boolean> {
  const out = await deps.db.doc.send(
    new QueryCommand({
      TableName: deps.db.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :g',
      ExpressionAttributeValues: { ':g': `GSECRET#${secretId}` },
      ProjectionExpression: 'pk',
      Limit: 1,
    }),
  );
  return (out.Items ?? []).length > 0;
}

export async function linkGlobalSecret(
  deps: Deps,
  principal: Principal,
  envId: string,
  secretId: string,
): Promise<Api.Link> {
  const env = await environmentFor(deps, principal, envId, 'write');
  requireId(secretId, 'Secret');
  for (let attempt = 1; ; attempt++) {
    const secret = await readGlobalSecret(deps, env.ownerKey, secretId);
    if (!secret) {
      if (await secretExistsAnywhere(deps, secretId)) throw scopeMismatch();
      throw notFound('Secret');
    }
    const name = secret.name as string;
    const at = now();
    const entry = {
      ...keys.entry(env.id, name),
      kind: 'link',
      id: secretId,
      secretId,
      linkId: newId(),
      name,
      // Which data key version sealed the secret when linked: lets a cold runtime read
      // fetch that key in the same batch as the secret.
      dekVersion: secret.dekVersion,
      createdAt: at,
      updatedAt: at,
    };
    try {
      await transactWrite(deps.db, [
        entryPut(deps, entry),
        {
          Put: {
            TableName: deps.db.tableName,
            Item: {
              ...keys.secretLink(env.ownerKey, secretId, env.id),
              envId: env.id,
              envOwner: env.owner,
              envName: env.name,
              createdAt: at,
            },
          },
        },
        metaCountUpdate(deps, env.id, 1),
        {
          Update: {
            TableName: deps.db.tableName,
            Key: keys.globalSecret(env.ownerKey, secretId),
            UpdateExpression: 'ADD linkSeq :one',
            ConditionExpression: 'attribute_exists(pk) AND #name = :name',
            ExpressionAttributeNames: { '#name': 'name' },
            ExpressionAttributeValues: { ':one': 1, ':name': name },
          },
        },
        auditPut(deps, {
          owner: env.ownerKey,
          principal,
          action: 'link',
          target: { type: 'global_secret', id: secretId, name },
          environmentId: env.id,
        }),
      ]);
      return toLink(entry, env.id);
    } catch (err) {
      if (!(err instanceof TransactionFailed)) throw err;
      const holder = err.reasons[0]?.item;
      if (err.failedAt() === 0 && holder?.kind === 'link' && holder.secretId === secretId)
        throw alreadyLinked(secretId);
      // The secret was renamed or deleted between our read and write: read it again.
      if (err.failedAt() === 3 && attempt < MAX_LINK_ATTEMPTS) continue;
      throw explainEntryFailure(err, name, 0, 2);
    }
  }
}

export async function unlinkGlobalSecret(
  deps: Deps,
  principal: Principal,
  envId: string,
  secretId: string,
): Promise<Api.Link> {
  const env = await environmentFor(deps, principal, envId, 'write');
  requireId(secretId, 'Link');
  const entry = await findEntry(deps, env.id, 'secretId', secretId);
  if (!entry || entry.kind !== 'link') throw notFound('Link');
  const removed = await removeLink(
    deps,
    { ownerKey: env.ownerKey, secretId, envId: env.id, entrySk: entry.sk as string },
    {
      extra: [
        auditPut(deps, {
          owner: env.ownerKey,
          principal,
          action: 'unlink',
          target: { type: 'global_secret', id: secretId, name: entry.name as string },
          environmentId: env.id,
        }),
      ],
    },
  );
  if (!removed) throw notFound('Link');
  return toLink(entry, env.id);
}
