import { BatchWriteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import { authorize, type Action, type Owner } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import { conflict, notFound } from '../errors.js';
import { newId, now, requireId } from '../ids.js';
import { compareText } from '../pagination.js';
import { queryAll } from '../storage/query.js';
import { EnvironmentName, Slug } from '../schemas.js';
import { keys, ownerKeyOf, type OwnerKey } from '../storage/keys.js';
import { TransactionFailed, transactWrite } from '../storage/transact.js';
import { removeLink } from './links.js';
import { ownerFields, scopeOwner } from './scope.js';

/** An environment as stored in its META item. */
export type EnvironmentRecord = Api.Environment & {
  ownerKey: OwnerKey;
  entryCount: number;
};

export const ownerOf = (env: { userId: string | null; teamId: string | null }): Owner =>
  env.teamId ? { teamId: env.teamId } : { userId: env.userId! };

export const toEnvironment = (item: Record<string, unknown>): Api.Environment => ({
  id: item.id as string,
  owner: item.owner as string,
  name: item.name as string,
  userId: (item.userId as string | null) ?? null,
  teamId: (item.teamId as string | null) ?? null,
  createdAt: item.createdAt as string,
});

/** `owner/name`, as people and the CLI name an environment. */
export const environmentLabel = (env: { owner: string; name: string }) => `${env.owner}/${env.name}`;

function toRecord(item: Record<string, unknown>): EnvironmentRecord {
  return {
    ...toEnvironment(item),
    ownerKey: item.ownerKey as OwnerKey,
    entryCount: (item.entryCount as number | undefined) ?? 0,
  };
}

/** An environment the caller may act on, or the contract's 404/403. */
export async function environmentFor(
  deps: Deps,
  principal: Principal,
  envId: string,
  action: Action,
): Promise<EnvironmentRecord> {
  requireId(envId, 'Environment');
  const out = await deps.db.doc.send(
    new GetCommand({ TableName: deps.db.tableName, Key: keys.environment(envId), ConsistentRead: true }),
  );
  if (!out.Item) throw notFound('Environment');
  const env = toRecord(out.Item);
  await authorize(deps, principal, ownerOf(env), action, 'Environment');
  return env;
}

/** `GET` of one environment the caller may read, as the API shows it. */
export async function getEnvironment(deps: Deps, principal: Principal, envId: string): Promise<Api.Environment> {
  return toEnvironment(await environmentFor(deps, principal, envId, 'read'));
}

async function ownerSlug(deps: Deps, owner: Owner): Promise<string> {
  const key = 'userId' in owner ? keys.user(owner.userId) : keys.team(owner.teamId);
  const out = await deps.db.doc.send(new GetCommand({ TableName: deps.db.tableName, Key: key, ConsistentRead: true }));
  if (!out.Item) throw notFound('teamId' in owner ? 'Team' : 'User');
  return out.Item.slug as string;
}

export async function createEnvironment(
  deps: Deps,
  principal: Principal,
  input: { name: string; teamId?: string | null | undefined },
): Promise<Api.Environment> {
  const owner = scopeOwner(principal, input.teamId);
  await authorize(deps, principal, owner, 'write', 'Team');
  const ownerKey = ownerKeyOf(owner);
  const env: Api.Environment = {
    id: newId(),
    owner: await ownerSlug(deps, owner),
    name: input.name,
    ...ownerFields(owner),
    createdAt: now(),
  };
  try {
    await transactWrite(deps.db, [
      {
        Put: {
          TableName: deps.db.tableName,
          Item: { ...keys.environmentName(ownerKey, env.name), ...env },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: deps.db.tableName,
          Item: { ...keys.environment(env.id), ...env, ownerKey, entryCount: 0 },
        },
      },
      auditPut(deps, {
        owner: ownerKey,
        principal,
        action: 'create',
        target: { type: 'environment', id: env.id, name: env.name },
        environmentId: env.id,
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) {
      throw conflict(
        'name_taken',
        `An environment named ${env.name} already exists for ${env.owner}. Choose another name.`,
      );
    }
    throw err;
  }
  return env;
}

export async function listEnvironments(
  deps: Deps,
  principal: Principal,
  teamId: string | undefined,
): Promise<Api.Environment[]> {
  const owner = scopeOwner(principal, teamId);
  await authorize(deps, principal, owner, 'read', 'Team');
  const items = await queryAll(deps.db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :n)',
    ExpressionAttributeValues: { ':pk': keys.ownerPartition(ownerKeyOf(owner)), ':n': keys.environmentNamePrefix },
    ConsistentRead: true,
  });
  return items.map(toEnvironment).sort((a, b) => compareText(a.name, b.name));
}

/** `GET /environmentshub/{owner}/{name}/@latest`: by the owner's slug and the name. */
export async function environmentBySlug(
  deps: Deps,
  principal: Principal,
  slug: string,
  name: string,
): Promise<Api.Environment> {
  // Anything the schemas would refuse names no environment: it cannot reach a key.
  if (!Slug.safeParse(slug).success || !EnvironmentName.safeParse(name).success) {
    throw notFound('Environment');
  }
  const claim = await deps.db.doc.send(
    new GetCommand({ TableName: deps.db.tableName, Key: keys.slug(slug), ConsistentRead: true }),
  );
  if (!claim.Item) throw notFound('Environment');
  const owner: Owner =
    claim.Item.kind === 'team' ? { teamId: claim.Item.id as string } : { userId: claim.Item.id as string };
  const out = await deps.db.doc.send(
    new GetCommand({
      TableName: deps.db.tableName,
      Key: keys.environmentName(ownerKeyOf(owner), name),
      ConsistentRead: true,
    }),
  );
  if (!out.Item) throw notFound('Environment');
  await authorize(deps, principal, owner, 'read', 'Environment');
  return toEnvironment(out.Item);
}

export async function deleteEnvironment(deps: Deps, principal: Principal, envId: string): Promise<Api.Environment> {
  const env = await environmentFor(deps, principal, envId, 'write');
  try {
    await transactWrite(deps.db, [
      {
        Delete: {
          TableName: deps.db.tableName,
          Key: keys.environment(env.id),
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      { Delete: { TableName: deps.db.tableName, Key: keys.environmentName(env.ownerKey, env.name) } },
      auditPut(deps, {
        owner: env.ownerKey,
        principal,
        action: 'delete',
        target: { type: 'environment', id: env.id, name: env.name },
        environmentId: env.id,
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) throw notFound('Environment');
    throw err;
  }
  // The environment is gone for every reader from here on (no META); its entries follow.
  await removeEntries(deps, env);
  return toEnvironment(env);
}

/**
 * Deletes the entries of a deleted environment. Links go with their reverse index and a bump
 * of their secret's link sequence (so a concurrent rename of that secret retries); the rest
 * in batches. Repeated until the partition reads empty, so an entry written by a racing
 * rename is removed too.
 */
async function removeEntries(deps: Deps, env: EnvironmentRecord): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const out = await deps.db.doc.send(
      new QueryCommand({
        TableName: deps.db.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.environmentPartition(env.id) },
        ConsistentRead: true,
      }),
    );
    const items = out.Items ?? [];
    if (items.length === 0) return;
    const links = items.filter((i) => i.kind === 'link');
    const others = items.filter((i) => i.kind !== 'link');
    await Promise.all(
      links.map((link) =>
        removeLink(
          deps,
          {
            ownerKey: env.ownerKey,
            secretId: link.secretId as string,
            envId: env.id,
            entrySk: link.sk as string,
          },
          { gone: 'environment' },
        ),
      ),
    );
    for (let i = 0; i < others.length; i += 25) {
      await deps.db.doc.send(
        new BatchWriteCommand({
          RequestItems: {
            [deps.db.tableName]: others
              .slice(i, i + 25)
              .map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } })),
          },
        }),
      );
    }
  }
}
