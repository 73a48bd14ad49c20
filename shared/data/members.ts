import type { Role } from '../schemas.js';
import type { Db } from '../storage/client.js';
import { getItem, type Item } from '../storage/item.js';
import { queryAll, queryPrefix } from '../storage/query.js';
import { TABLE } from '../storage/table-definition.js';
import type { TableWrite } from '../storage/transact.js';
import { keys } from './keys.js';

/** A membership, with copies of the team's and the user's names for listing without joins. */
export interface MemberRecord {
  teamId: string;
  teamName: string;
  teamSlug: string;
  userId: string;
  email: string;
  name: string;
  slug: string;
  role: Role;
  createdAt: string;
}

const toMember = (item: Item): MemberRecord => ({
  teamId: item.teamId as string,
  teamName: item.teamName as string,
  teamSlug: item.teamSlug as string,
  userId: item.userId as string,
  email: item.email as string,
  name: item.name as string,
  slug: item.slug as string,
  role: item.role as Role,
  createdAt: item.createdAt as string,
});

/** A membership, read consistently (a removed member loses access at once), or undefined. */
export async function readMember(db: Db, teamId: string, userId: string): Promise<MemberRecord | undefined> {
  const item = await getItem(db, keys.member(teamId, userId));
  return item && toMember(item);
}

export async function listMembersOf(db: Db, teamId: string): Promise<MemberRecord[]> {
  const items = await queryPrefix(db, keys.team(teamId).pk, keys.memberPrefix);
  return items.map(toMember);
}

/** A user's memberships, by the index. */
export async function membershipsOf(db: Db, userId: string): Promise<MemberRecord[]> {
  const items = await queryAll(db, {
    IndexName: TABLE.index.name,
    KeyConditionExpression: '#gsiPk = :u AND begins_with(#gsiSk, :t)',
    ExpressionAttributeNames: { '#gsiPk': TABLE.index.partitionKey, '#gsiSk': TABLE.index.sortKey },
    ExpressionAttributeValues: { ':u': keys.memberIndexPartition(userId), ':t': keys.memberIndexPrefix },
  });
  return items.map(toMember);
}

/** A new membership, on the condition that the user is not a member yet. */
export const memberCreate = (member: MemberRecord): TableWrite => ({
  Put: {
    Item: {
      ...keys.member(member.teamId, member.userId),
      ...keys.memberIndex(member.userId, member.teamId),
      ...member,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/** A new role, or removal (`null`), on the condition that the role is still the one we read. */
export function memberRoleChange(member: MemberRecord, role: Role | null): TableWrite {
  const unchanged = { ConditionExpression: '#role = :previous', ExpressionAttributeNames: { '#role': 'role' } };
  const key = keys.member(member.teamId, member.userId);
  return role === null
    ? { Delete: { Key: key, ...unchanged, ExpressionAttributeValues: { ':previous': member.role } } }
    : {
        Update: {
          Key: key,
          UpdateExpression: 'SET #role = :role',
          ...unchanged,
          ExpressionAttributeValues: { ':role': role, ':previous': member.role },
        },
      };
}
