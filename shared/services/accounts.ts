import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import { newApiKey } from '../auth/api-keys.js';
import { authorize, requireAdmin, requireUser, type UserPrincipal } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import { conflict, notFound } from '../errors.js';
import { compareText } from '../pagination.js';
import { isId, newId, now, requireId } from '../ids.js';
import type { HostedService, KeyScope, Role } from '../schemas.js';
import { queryAll } from '../storage/query.js';
import { keys, ownerKeyOf } from '../storage/keys.js';
import { transactWrite, TransactionFailed, type TransactItem } from '../storage/transact.js';

const slugTaken = (slug: string) =>
  conflict('slug_taken', `The slug "${slug}" is already taken by a user or a team. Choose another one.`);

function slugClaim(deps: Deps, slug: string, kind: 'user' | 'team', id: string): TransactItem {
  return {
    Put: {
      TableName: deps.db.tableName,
      Item: { ...keys.slug(slug), kind, id },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

function apiKeyItems(
  deps: Deps,
  principal: Principal,
  meta: { name: string; listing?: { pk: string; sk: string } },
): { items: TransactItem[]; key: string; createdAt: string } {
  const { key, hash } = newApiKey();
  const createdAt = now();
  const items: TransactItem[] = [
    {
      Put: {
        TableName: deps.db.tableName,
        Item: { ...keys.apiKey(hash), keyId: principal.keyId, name: meta.name, principal, createdAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
  if (meta.listing) {
    const scopes = principal.type === 'user' ? principal.scopes : [];
    items.push({
      Put: {
        TableName: deps.db.tableName,
        Item: { ...meta.listing, id: principal.keyId, name: meta.name, scopes, hash, createdAt },
      },
    });
  }
  return { items, key, createdAt };
}

// ---- the caller ----

async function userProfile(deps: Deps, userId: string): Promise<Record<string, unknown> | undefined> {
  const out = await deps.db.doc.send(
    new GetCommand({ TableName: deps.db.tableName, Key: keys.user(userId), ConsistentRead: true }),
  );
  return out.Item;
}

async function membershipsOf(deps: Deps, userId: string): Promise<Record<string, unknown>[]> {
  const items = await queryAll(deps.db, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :u AND begins_with(gsi1sk, :t)',
    ExpressionAttributeValues: { ':u': `USER#${userId}`, ':t': 'TEAM#' },
  });
  return items;
}

export async function whoami(deps: Deps, principal: Principal): Promise<Api.WhoAmI> {
  const user = requireUser(principal);
  const [profile, memberships] = await Promise.all([userProfile(deps, user.userId), membershipsOf(deps, user.userId)]);
  if (!profile) throw notFound('User');
  return {
    id: profile.id as string,
    email: profile.email as string,
    name: profile.name as string,
    slug: profile.slug as string,
    scope: {
      teams: memberships.map((m) => ({ teamId: m.teamId as string, slug: m.teamSlug as string, role: m.role as Role })),
    },
  };
}

export async function listUserTeams(deps: Deps, principal: Principal): Promise<Api.UserTeam[]> {
  const user = requireUser(principal);
  const memberships = await membershipsOf(deps, user.userId);
  return memberships
    .map((m) => ({
      teamId: m.teamId as string,
      name: m.teamName as string,
      slug: m.teamSlug as string,
      role: m.role as Role,
    }))
    .sort((a, b) => compareText(a.slug, b.slug));
}

// ---- teams and members ----

export async function createTeam(
  deps: Deps,
  principal: Principal,
  input: { name: string; slug: string },
): Promise<Api.Team> {
  const user = requireUser(principal);
  const profile = await userProfile(deps, user.userId);
  if (!profile) throw notFound('User');
  const teamId = newId();
  const createdAt = now();
  try {
    await transactWrite(deps.db, [
      slugClaim(deps, input.slug, 'team', teamId),
      {
        Put: {
          TableName: deps.db.tableName,
          Item: { ...keys.team(teamId), id: teamId, name: input.name, slug: input.slug, adminCount: 1, createdAt },
        },
      },
      memberPut(deps, { teamId, teamName: input.name, teamSlug: input.slug }, profile, 'admin', createdAt),
      auditPut(deps, {
        owner: ownerKeyOf({ teamId }),
        principal,
        action: 'create',
        target: { type: 'team', id: teamId, name: input.slug },
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) throw slugTaken(input.slug);
    throw err;
  }
  return { id: teamId, teamId, name: input.name, slug: input.slug, createdAt };
}

function memberPut(
  deps: Deps,
  team: { teamId: string; teamName: string; teamSlug: string },
  profile: Record<string, unknown>,
  role: Role,
  createdAt: string,
): TransactItem {
  const userId = profile.id as string;
  return {
    Put: {
      TableName: deps.db.tableName,
      Item: {
        ...keys.member(team.teamId, userId),
        ...keys.memberIndex(userId, team.teamId),
        ...team,
        userId,
        email: profile.email,
        name: profile.name,
        slug: profile.slug,
        role,
        createdAt,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

const toMember = (m: Record<string, unknown>): Api.Member => ({
  userId: m.userId as string,
  email: m.email as string,
  name: m.name as string,
  slug: m.slug as string,
  role: m.role as Role,
});

export async function listMembers(deps: Deps, principal: Principal, teamId: string): Promise<Api.Member[]> {
  requireId(teamId, 'Team');
  await authorize(deps, principal, { teamId }, 'read', 'Team');
  const items = await queryAll(deps.db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
    ExpressionAttributeValues: { ':pk': keys.team(teamId).pk, ':m': keys.memberPrefix },
    ConsistentRead: true,
  });
  return items.map(toMember).sort((a, b) => compareText(a.slug, b.slug));
}

async function teamProfile(deps: Deps, teamId: string): Promise<Record<string, unknown>> {
  const out = await deps.db.doc.send(
    new GetCommand({ TableName: deps.db.tableName, Key: keys.team(teamId), ConsistentRead: true }),
  );
  if (!out.Item) throw notFound('Team');
  return out.Item;
}

async function currentMember(deps: Deps, teamId: string, userId: string): Promise<Record<string, unknown>> {
  const out = await deps.db.doc.send(
    new GetCommand({ TableName: deps.db.tableName, Key: keys.member(teamId, userId), ConsistentRead: true }),
  );
  if (!out.Item) throw notFound('Member');
  return out.Item;
}

/** Changes the team's admin count by `delta`; a decrease never takes it below one. */
function adminCountUpdate(deps: Deps, teamId: string, delta: 1 | -1): TransactItem {
  return {
    Update: {
      TableName: deps.db.tableName,
      Key: keys.team(teamId),
      UpdateExpression: 'ADD adminCount :d',
      ConditionExpression: delta < 0 ? 'adminCount > :one' : 'attribute_exists(pk)',
      ExpressionAttributeValues: delta < 0 ? { ':d': delta, ':one': 1 } : { ':d': delta },
    },
  };
}

const lastAdmin = () => conflict('last_admin', 'A team needs at least one admin: make another member admin first.');

export async function addMember(
  deps: Deps,
  principal: Principal,
  teamId: string,
  input: { userId: string; role: Role },
): Promise<Api.Member> {
  requireId(teamId, 'Team');
  await authorize(deps, principal, { teamId }, 'manage-members', 'Team');
  const [team, profile] = await Promise.all([
    teamProfile(deps, teamId),
    isId(input.userId) ? userProfile(deps, input.userId) : undefined,
  ]);
  if (!profile) throw notFound('User');
  const items = [
    memberPut(
      deps,
      { teamId, teamName: team.name as string, teamSlug: team.slug as string },
      profile,
      input.role,
      now(),
    ),
    ...(input.role === 'admin' ? [adminCountUpdate(deps, teamId, 1)] : []),
    auditPut(deps, {
      owner: ownerKeyOf({ teamId }),
      principal,
      action: 'create',
      target: { type: 'member', id: input.userId, name: profile.slug as string },
    }),
  ];
  try {
    await transactWrite(deps.db, items);
  } catch (err) {
    if (err instanceof TransactionFailed) throw conflict('conflict', 'That user is already a member of this team.');
    throw err;
  }
  return toMember({ ...profile, userId: profile.id, role: input.role });
}

export function updateMember(
  deps: Deps,
  principal: Principal,
  teamId: string,
  userId: string,
  role: Role,
): Promise<Api.Member> {
  return changeMembership(deps, principal, teamId, userId, role);
}

export function removeMember(deps: Deps, principal: Principal, teamId: string, userId: string): Promise<Api.Member> {
  return changeMembership(deps, principal, teamId, userId, null);
}

/**
 * A new role, or removal (`null`). Conditioned on the role we read, with the team's admin
 * count in the same transaction, so two admins demoting each other cannot leave none.
 */
async function changeMembership(
  deps: Deps,
  principal: Principal,
  teamId: string,
  userId: string,
  role: Role | null,
): Promise<Api.Member> {
  requireId(teamId, 'Team');
  requireId(userId, 'Member');
  await authorize(deps, principal, { teamId }, 'manage-members', 'Team');
  const member = await currentMember(deps, teamId, userId);
  const previous = member.role as Role;
  if (previous === role) return toMember(member);
  const unchanged = {
    ConditionExpression: '#role = :previous',
    ExpressionAttributeNames: { '#role': 'role' },
  };
  const memberWrite: TransactItem =
    role === null
      ? {
          Delete: {
            TableName: deps.db.tableName,
            Key: keys.member(teamId, userId),
            ...unchanged,
            ExpressionAttributeValues: { ':previous': previous },
          },
        }
      : {
          Update: {
            TableName: deps.db.tableName,
            Key: keys.member(teamId, userId),
            UpdateExpression: 'SET #role = :role',
            ...unchanged,
            ExpressionAttributeValues: { ':role': role, ':previous': previous },
          },
        };
  const countChange =
    previous === 'admin'
      ? [adminCountUpdate(deps, teamId, -1)]
      : role === 'admin'
        ? [adminCountUpdate(deps, teamId, 1)]
        : [];
  try {
    await transactWrite(deps.db, [
      memberWrite,
      ...countChange,
      auditPut(deps, {
        owner: ownerKeyOf({ teamId }),
        principal,
        action: role === null ? 'delete' : 'update',
        target: { type: 'member', id: userId, name: member.slug as string },
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) {
      throw err.failedAt() === 1 ? lastAdmin() : conflict('conflict', 'The member changed meanwhile; try again.');
    }
    throw err;
  }
  return toMember({ ...member, role: role ?? previous });
}

// ---- API keys ----

export async function createApiKey(
  deps: Deps,
  principal: Principal,
  input: { name: string; scopes?: KeyScope[] | undefined },
): Promise<Api.NewApiKey> {
  const user = requireUser(principal);
  return issueUserKey(deps, principal, user.userId, input);
}

/** A key for a user; also used by the admin route and by the local seed (a runtime-scoped key). */
export async function issueUserKey(
  deps: Deps,
  actor: Principal,
  userId: string,
  input: { name: string; scopes?: KeyScope[] | undefined },
  extra: TransactItem[] = [],
): Promise<Api.NewApiKey> {
  const scopes: KeyScope[] = [...new Set(input.scopes ?? ['manage'])].sort() as KeyScope[];
  const keyId = newId();
  const issued = apiKeyItems(
    deps,
    { type: 'user', userId, keyId, scopes },
    {
      name: input.name,
      listing: keys.userApiKey(userId, keyId),
    },
  );
  await transactWrite(deps.db, [
    ...extra,
    ...issued.items,
    auditPut(deps, {
      owner: ownerKeyOf({ userId }),
      principal: actor,
      action: 'create',
      target: { type: 'api_key', id: keyId, name: input.name },
    }),
  ]);
  return { id: keyId, name: input.name, scopes, key: issued.key, createdAt: issued.createdAt };
}

export async function listApiKeys(deps: Deps, principal: Principal): Promise<Api.ApiKey[]> {
  const user = requireUser(principal);
  const out = await deps.db.doc.send(
    new QueryCommand({
      TableName: deps.db.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :k)',
      ExpressionAttributeValues: { ':pk': keys.user(user.userId).pk, ':k': keys.userApiKeyPrefix },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? [])
    .map((k) => ({
      id: k.id as string,
      name: k.name as string,
      scopes: k.scopes as KeyScope[],
      createdAt: k.createdAt as string,
    }))
    .sort((a, b) => compareText(a.createdAt, b.createdAt));
}

export async function revokeApiKey(deps: Deps, principal: Principal, keyId: string): Promise<Api.ApiKey> {
  const user: UserPrincipal = requireUser(principal);
  requireId(keyId, 'API key');
  const listing = keys.userApiKey(user.userId, keyId);
  const out = await deps.db.doc.send(
    new GetCommand({ TableName: deps.db.tableName, Key: listing, ConsistentRead: true }),
  );
  if (!out.Item) throw notFound('API key');
  const hash = out.Item.hash as string;
  await transactWrite(deps.db, [
    { Delete: { TableName: deps.db.tableName, Key: listing } },
    { Delete: { TableName: deps.db.tableName, Key: keys.apiKey(hash) } },
    auditPut(deps, {
      owner: ownerKeyOf({ userId: user.userId }),
      principal,
      action: 'revoke',
      target: { type: 'api_key', id: keyId, name: out.Item.name as string },
    }),
  ]);
  deps.apiKeys.delete(hash);
  return {
    id: keyId,
    name: out.Item.name as string,
    scopes: out.Item.scopes as KeyScope[],
    createdAt: out.Item.createdAt as string,
  };
}

// ---- platform admin ----

export async function createUser(
  deps: Deps,
  principal: Principal,
  input: { email: string; name: string; slug: string },
): Promise<{ user: Api.User; apiKey: string }> {
  requireAdmin(principal);
  const userId = newId();
  const createdAt = now();
  const user: Api.User = { id: userId, email: input.email, name: input.name, slug: input.slug, createdAt };
  try {
    const issued = await issueUserKey(deps, principal, userId, { name: 'default', scopes: ['manage'] }, [
      slugClaim(deps, input.slug, 'user', userId),
      { Put: { TableName: deps.db.tableName, Item: { ...keys.user(userId), ...user } } },
    ]);
    return { user, apiKey: issued.key };
  } catch (err) {
    if (err instanceof TransactionFailed) throw slugTaken(input.slug);
    throw err;
  }
}

export async function createServiceKey(
  deps: Deps,
  principal: Principal,
  input: { service: HostedService; name: string },
): Promise<Api.NewServiceKey> {
  requireAdmin(principal);
  const keyId = newId();
  const issued = apiKeyItems(
    deps,
    { type: 'service', service: input.service, keyId },
    {
      name: input.name,
      listing: { pk: `SERVICE#${input.service}`, sk: `KEY#${keyId}` },
    },
  );
  await transactWrite(deps.db, issued.items);
  return { id: keyId, service: input.service, name: input.name, key: issued.key, createdAt: issued.createdAt };
}

/** A platform admin key (`npm run admin -- create-admin-key`), printed once by the caller. */
export async function createAdminKey(deps: Deps, name: string): Promise<{ id: string; key: string }> {
  const keyId = newId();
  const issued = apiKeyItems(deps, { type: 'admin', keyId }, { name, listing: { pk: 'ADMIN', sk: `KEY#${keyId}` } });
  await transactWrite(deps.db, issued.items);
  return { id: keyId, key: issued.key };
}
