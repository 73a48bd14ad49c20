import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import { authorize, type Owner } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import { globalNameTaken, nameTakenInLinkedEnvironments } from '../conflicts.js';
import { sealValue } from '../crypto/values.js';
import { conflict, notFound } from '../errors.js';
import { newId, now, requireId } from '../ids.js';
import { mapLimit } from '../map-limit.js';
import { compareText } from '../pagination.js';
import { LIMITS, requireValueForKind } from '../schemas.js';
import { batchGet, itemId } from '../storage/batch.js';
import { queryAll } from '../storage/query.js';
import { keys, ownerKeyOf, type OwnerKey } from '../storage/keys.js';
import { TransactionFailed, transactWrite, type TransactItem } from '../storage/transact.js';
import { environmentLabel } from './environments.js';
import { removeLink } from './links.js';
import { optimistically, StaleRead } from './optimistic.js';
import { ownerFields, scopeOwner } from './scope.js';

/** A rename touches 4 items plus 2 per linked environment; TransactWriteItems takes 100. */
const MAX_LINKS_PER_RENAME = 48;

export const toGlobalSecret = (item: Record<string, unknown>): Api.GlobalSecret => ({
  id: item.id as string,
  name: item.name as string,
  description: (item.description as string | null | undefined) ?? null,
  isFile: item.isFile === true,
  userId: (item.userId as string | null) ?? null,
  teamId: (item.teamId as string | null) ?? null,
  createdAt: item.createdAt as string,
  updatedAt: item.updatedAt as string,
});

/** The global secret item of an owner, read consistently, or undefined. */
export async function readGlobalSecret(deps: Deps, owner: OwnerKey, secretId: string) {
  const out = await deps.db.doc.send(
    new GetCommand({ TableName: deps.db.tableName, Key: keys.globalSecret(owner, secretId), ConsistentRead: true }),
  );
  return out.Item;
}

/** The reverse index of a secret's links: which environments link it. */
export function linksOf(deps: Deps, owner: OwnerKey, secretId: string): Promise<Record<string, unknown>[]> {
  return queryAll(deps.db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :l)',
    ExpressionAttributeValues: { ':pk': keys.ownerPartition(owner), ':l': keys.secretLinkPrefix(secretId) },
    ConsistentRead: true,
  });
}

const toEnvironmentRef = (link: Record<string, unknown>): Api.EnvironmentRef => ({
  id: link.envId as string,
  owner: link.envOwner as string,
  name: link.envName as string,
});

async function secretInScope(
  deps: Deps,
  principal: Principal,
  owner: Owner,
  secretId: string,
  action: 'read' | 'write',
) {
  requireId(secretId, 'Secret');
  await authorize(deps, principal, owner, action, 'Secret');
  const item = await readGlobalSecret(deps, ownerKeyOf(owner), secretId);
  if (!item) throw notFound('Secret');
  return item;
}

export async function listGlobalSecrets(
  deps: Deps,
  principal: Principal,
  teamId: string | undefined,
): Promise<Api.GlobalSecret[]> {
  const owner = scopeOwner(principal, teamId);
  await authorize(deps, principal, owner, 'read', 'Team');
  const items = await queryAll(deps.db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
    ExpressionAttributeValues: { ':pk': keys.ownerPartition(ownerKeyOf(owner)), ':s': keys.globalSecretPrefix },
    // Only metadata leaves the table: the sealed value is never read for a listing.
    ProjectionExpression: 'id, #name, description, isFile, userId, teamId, createdAt, updatedAt',
    ExpressionAttributeNames: { '#name': 'name' },
    ConsistentRead: true,
  });
  return items.map(toGlobalSecret).sort((a, b) => compareText(a.name, b.name));
}

/** The owner's global secrets, each with the environments linking it (the console's dashboard). */
export async function listGlobalSecretsWithLinks(
  deps: Deps,
  principal: Principal,
  teamId: string | undefined,
): Promise<Api.GlobalSecretDetail[]> {
  const secrets = await listGlobalSecrets(deps, principal, teamId);
  const ownerKey = ownerKeyOf(scopeOwner(principal, teamId));
  return mapLimit(secrets, 8, async (secret) => ({
    ...secret,
    linkedEnvironments: (await linksOf(deps, ownerKey, secret.id))
      .map(toEnvironmentRef)
      .sort((a, b) => compareText(environmentLabel(a), environmentLabel(b))),
  }));
}

export async function createGlobalSecret(
  deps: Deps,
  principal: Principal,
  input: {
    name: string;
    value: string;
    description?: string | null | undefined;
    isFile?: boolean | undefined;
    teamId?: string | null | undefined;
  },
): Promise<Api.GlobalSecret> {
  const owner = scopeOwner(principal, input.teamId);
  await authorize(deps, principal, owner, 'write', 'Team');
  const ownerKey = ownerKeyOf(owner);
  const id = newId();
  const at = now();
  const secret: Api.GlobalSecret = {
    id,
    name: input.name,
    description: input.description ?? null,
    isFile: input.isFile === true,
    ...ownerFields(owner),
    createdAt: at,
    updatedAt: at,
  };
  const sealed = await sealValue(deps.dataKeys, ownerKey, { kind: 'global', secretId: id }, input.value);
  try {
    await transactWrite(deps.db, [
      {
        Put: {
          TableName: deps.db.tableName,
          Item: { ...keys.globalSecretName(ownerKey, input.name), secretId: id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: deps.db.tableName,
          Item: {
            ...keys.globalSecret(ownerKey, id),
            ...secret,
            ...sealed,
            linkSeq: 0,
            gsi1pk: `GSECRET#${id}`,
            gsi1sk: 'SECRET',
          },
        },
      },
      {
        Update: {
          TableName: deps.db.tableName,
          Key: keys.ownerCounts(ownerKey),
          UpdateExpression: 'ADD secretCount :one',
          ConditionExpression: 'attribute_not_exists(secretCount) OR secretCount < :max',
          ExpressionAttributeValues: { ':one': 1, ':max': LIMITS.globalSecretsPerOwner },
        },
      },
      auditPut(deps, {
        owner: ownerKey,
        principal,
        action: 'create',
        target: { type: 'global_secret', id, name: input.name },
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) {
      if (err.failedAt() === 0) throw globalNameTaken(input.name);
      throw conflict('limit_exceeded', `An owner holds at most ${LIMITS.globalSecretsPerOwner} global secrets.`);
    }
    throw err;
  }
  return secret;
}

export async function getGlobalSecret(
  deps: Deps,
  principal: Principal,
  secretId: string,
  teamId: string | undefined,
): Promise<Api.GlobalSecretDetail> {
  const owner = scopeOwner(principal, teamId);
  const item = await secretInScope(deps, principal, owner, secretId, 'read');
  const links = await linksOf(deps, ownerKeyOf(owner), secretId);
  return { ...toGlobalSecret(item), linkedEnvironments: links.map(toEnvironmentRef) };
}

export async function updateGlobalSecret(
  deps: Deps,
  principal: Principal,
  secretId: string,
  teamId: string | undefined,
  input: { name?: string | undefined; value?: string | undefined; description?: string | null | undefined },
): Promise<Api.GlobalSecret> {
  const owner = scopeOwner(principal, teamId);
  const ownerKey = ownerKeyOf(owner);
  return optimistically('secret', async () => {
    const item = await secretInScope(deps, principal, owner, secretId, 'write');
    if (input.value !== undefined) {
      requireValueForKind(input.value, item.isFile === true);
    }
    const renaming = input.name !== undefined && input.name !== item.name;
    return renaming
      ? renameGlobalSecret(deps, principal, ownerKey, item, input as typeof input & { name: string })
      : changeGlobalSecret(deps, principal, ownerKey, item, input);
  });
}

async function updatedFields(
  deps: Deps,
  ownerKey: OwnerKey,
  item: Record<string, unknown>,
  input: { name?: string | undefined; value?: string | undefined; description?: string | null | undefined },
) {
  const sealed =
    input.value === undefined
      ? {}
      : await sealValue(deps.dataKeys, ownerKey, { kind: 'global', secretId: item.id as string }, input.value);
  return {
    name: input.name ?? (item.name as string),
    ...(input.description === undefined ? {} : { description: input.description }),
    ...sealed,
    updatedAt: now(),
  };
}

function secretUpdate(
  deps: Deps,
  ownerKey: OwnerKey,
  item: Record<string, unknown>,
  fields: Record<string, unknown>,
  expectedName?: string,
): TransactItem {
  const names: Record<string, string> = { '#name': 'name' };
  const values: Record<string, unknown> = { ':seq': item.linkSeq ?? 0 };
  for (const [field, value] of Object.entries(fields)) {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
  }
  // Optimistic: no link or unlink happened since we read the secret (and, for a rename, the
  // name is still the one whose entries we move).
  let condition = 'attribute_exists(pk) AND linkSeq = :seq';
  if (expectedName !== undefined) {
    values[':oldName'] = expectedName;
    condition += ' AND #name = :oldName';
  }
  return {
    Update: {
      TableName: deps.db.tableName,
      Key: keys.globalSecret(ownerKey, item.id as string),
      UpdateExpression: `SET ${Object.keys(fields)
        .map((f) => `#${f} = :${f}`)
        .join(', ')}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

async function changeGlobalSecret(
  deps: Deps,
  principal: Principal,
  ownerKey: OwnerKey,
  item: Record<string, unknown>,
  input: { value?: string | undefined; description?: string | null | undefined },
): Promise<Api.GlobalSecret> {
  const fields = await updatedFields(deps, ownerKey, item, input);
  try {
    await transactWrite(deps.db, [
      // Still under the name we read: a rename meanwhile moved its claim and link entries, and
      // writing the old name back would leave them pointing at a name the secret no longer has.
      secretUpdate(deps, ownerKey, item, fields, item.name as string),
      auditPut(deps, {
        owner: ownerKey,
        principal,
        action: 'update',
        target: { type: 'global_secret', id: item.id as string, name: item.name as string },
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) throw new StaleRead();
    throw err;
  }
  return toGlobalSecret({ ...item, ...fields });
}

/**
 * A rename claims the new name in the owner's scope and renames the entry in every linked
 * environment, all in one transaction: either every place has the new name or none has.
 */
async function renameGlobalSecret(
  deps: Deps,
  principal: Principal,
  ownerKey: OwnerKey,
  item: Record<string, unknown>,
  input: { name: string; value?: string | undefined; description?: string | null | undefined },
): Promise<Api.GlobalSecret> {
  const secretId = item.id as string;
  const oldName = item.name as string;
  const links = await linksOf(deps, ownerKey, secretId);
  if (links.length > MAX_LINKS_PER_RENAME) {
    throw conflict(
      'conflict',
      `This secret is linked to ${links.length} environments; a rename can move at most ${MAX_LINKS_PER_RENAME} at once. Unlink some environments first.`,
    );
  }
  // Name every environment where the new name is taken (the transaction alone would only refuse).
  const holders = await batchGet(
    deps.db,
    links.map((l) => keys.entry(l.envId as string, input.name)),
  );
  const taken = links
    .map((l) => ({
      environment: environmentLabel({ owner: l.envOwner as string, name: l.envName as string }),
      holder: holders.get(itemId(keys.entry(l.envId as string, input.name))),
    }))
    .filter((p): p is { environment: string; holder: Record<string, unknown> } => p.holder !== undefined);
  if (taken.length > 0) throw nameTakenInLinkedEnvironments(input.name, taken);

  const fields = await updatedFields(deps, ownerKey, item, input);
  const entryMoves: TransactItem[] = [];
  const entries = await batchGet(
    deps.db,
    links.map((l) => keys.entry(l.envId as string, oldName)),
  );
  for (const link of links) {
    const envId = link.envId as string;
    const entry = entries.get(itemId(keys.entry(envId, oldName)));
    if (!entry || entry.secretId !== secretId) throw new StaleRead();
    entryMoves.push(
      {
        Delete: {
          TableName: deps.db.tableName,
          Key: keys.entry(envId, oldName),
          ConditionExpression: 'secretId = :id',
          ExpressionAttributeValues: { ':id': secretId },
        },
      },
      {
        Put: {
          TableName: deps.db.tableName,
          Item: { ...entry, ...keys.entry(envId, input.name), name: input.name, updatedAt: fields.updatedAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    );
  }
  try {
    await transactWrite(deps.db, [
      secretUpdate(deps, ownerKey, item, fields, oldName),
      { Delete: { TableName: deps.db.tableName, Key: keys.globalSecretName(ownerKey, oldName) } },
      {
        Put: {
          TableName: deps.db.tableName,
          Item: { ...keys.globalSecretName(ownerKey, input.name), secretId },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...entryMoves,
      auditPut(deps, {
        owner: ownerKey,
        principal,
        action: 'rename',
        target: { type: 'global_secret', id: secretId, name: input.name },
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) {
      if (err.failedAt() === 2) throw globalNameTaken(input.name);
      throw new StaleRead();
    }
    throw err;
  }
  return toGlobalSecret({ ...item, ...fields });
}

export async function deleteGlobalSecret(
  deps: Deps,
  principal: Principal,
  secretId: string,
  teamId: string | undefined,
): Promise<Api.GlobalSecret> {
  const owner = scopeOwner(principal, teamId);
  const ownerKey = ownerKeyOf(owner);
  const item = await optimistically('secret', async () => {
    const item = await secretInScope(deps, principal, owner, secretId, 'write');
    try {
      await transactWrite(deps.db, [
        {
          Delete: {
            TableName: deps.db.tableName,
            Key: keys.globalSecret(ownerKey, secretId),
            // Still under the name whose claim and link entries we remove (a rename moves them).
            ConditionExpression: 'attribute_exists(pk) AND #name = :name',
            ExpressionAttributeNames: { '#name': 'name' },
            ExpressionAttributeValues: { ':name': item.name },
          },
        },
        { Delete: { TableName: deps.db.tableName, Key: keys.globalSecretName(ownerKey, item.name as string) } },
        {
          Update: {
            TableName: deps.db.tableName,
            Key: keys.ownerCounts(ownerKey),
            UpdateExpression: 'ADD secretCount :minus',
            ExpressionAttributeValues: { ':minus': -1 },
          },
        },
        auditPut(deps, {
          owner: ownerKey,
          principal,
          action: 'delete',
          target: { type: 'global_secret', id: secretId, name: item.name as string },
        }),
      ]);
    } catch (err) {
      // Deleted meanwhile (the fresh read is a 404) or renamed since our read.
      if (err instanceof TransactionFailed) throw new StaleRead();
      throw err;
    }
    return item;
  });
  // The secret is gone: no runtime read can return it (links to a missing secret resolve to
  // nothing). Now unlink it everywhere; a link made meanwhile failed its secret check.
  const links = await linksOf(deps, ownerKey, secretId);
  await Promise.all(
    links.map((link) =>
      removeLink(
        deps,
        {
          ownerKey,
          secretId,
          envId: link.envId as string,
          entrySk: keys.entry(link.envId as string, item.name as string).sk,
        },
        { gone: 'secret' },
      ),
    ),
  );
  return toGlobalSecret(item);
}
