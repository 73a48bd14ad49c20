import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import { authorize, requireUser } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import { limitReached, slugTaken } from '../conflicts.js';
import { listMembersOf, memberCreate, memberRoleChange, readMember, type MemberRecord } from '../data/members.js';
import { slugClaim } from '../data/slugs.js';
import { adminCountChange, readTeam, teamCreate } from '../data/teams.js';
import { readUser, teamCountChange, type UserRecord } from '../data/users.js';
import { conflict, notFound } from '../errors.js';
import { isId, newId, now, requireId } from '../ids.js';
import { ownerKeyOf } from '../owner-key.js';
import { compareText } from '../pagination.js';
import type { Role } from '../schemas.js';
import { transactWrite, TransactionFailed } from '../storage/transact.js';

const toMember = (m: MemberRecord): Api.Member => ({
  userId: m.userId,
  email: m.email,
  name: m.name,
  slug: m.slug,
  role: m.role,
});

const membershipOf = (
  team: { id: string; name: string; slug: string },
  user: UserRecord,
  role: Role,
  createdAt: string,
): MemberRecord => ({
  teamId: team.id,
  teamName: team.name,
  teamSlug: team.slug,
  userId: user.id,
  email: user.email,
  name: user.name,
  slug: user.slug,
  role,
  createdAt,
});

const lastAdmin = () => conflict('last_admin', 'A team needs at least one admin: make another member admin first.');

/** A new team, with the caller as its first admin. */
export async function createTeam(
  deps: Deps,
  principal: Principal,
  input: { name: string; slug: string },
): Promise<Api.Team> {
  const user = requireUser(principal);
  const profile = await readUser(deps.db, user.userId);
  if (!profile) throw notFound('User');
  const team = { id: newId(), name: input.name, slug: input.slug, adminCount: 1, createdAt: now() };
  const max = deps.config.maxTeamsPerUser;
  try {
    await transactWrite(deps.db, [
      slugClaim(input.slug, { kind: 'team', id: team.id }),
      teamCreate(team),
      memberCreate(membershipOf(team, profile, 'admin', team.createdAt)),
      // Counted in the create's transaction: concurrent creates never pass the cap.
      teamCountChange(user.userId, 1, max),
      auditPut(deps, {
        owner: ownerKeyOf({ teamId: team.id }),
        principal,
        action: 'create',
        target: { type: 'team', id: team.id, name: input.slug },
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) {
      if (err.failedAt() === 3) throw limitReached(`A user creates at most ${max} teams`, 'MAX_TEAMS_PER_USER');
      throw slugTaken(input.slug);
    }
    throw err;
  }
  return { id: team.id, teamId: team.id, name: team.name, slug: team.slug, createdAt: team.createdAt };
}

export async function listMembers(deps: Deps, principal: Principal, teamId: string): Promise<Api.Member[]> {
  requireId(teamId, 'Team');
  await authorize(deps, principal, { teamId }, 'read', 'Team');
  const members = await listMembersOf(deps.db, teamId);
  return members.map(toMember).sort((a, b) => compareText(a.slug, b.slug));
}

export async function addMember(
  deps: Deps,
  principal: Principal,
  teamId: string,
  input: { userId: string; role: Role },
): Promise<Api.Member> {
  requireId(teamId, 'Team');
  await authorize(deps, principal, { teamId }, 'manage-members', 'Team');
  const [team, profile] = await Promise.all([
    readTeam(deps.db, teamId),
    isId(input.userId) ? readUser(deps.db, input.userId) : undefined,
  ]);
  if (!team) throw notFound('Team');
  if (!profile) throw notFound('User');
  const member = membershipOf(team, profile, input.role, now());
  try {
    await transactWrite(deps.db, [
      memberCreate(member),
      ...(input.role === 'admin' ? [adminCountChange(teamId, 1)] : []),
      auditPut(deps, {
        owner: ownerKeyOf({ teamId }),
        principal,
        action: 'create',
        target: { type: 'member', id: input.userId, name: profile.slug },
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) throw conflict('conflict', 'That user is already a member of this team.');
    throw err;
  }
  return toMember(member);
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
  const member = await readMember(deps.db, teamId, userId);
  if (!member) throw notFound('Member');
  if (member.role === role) return toMember(member);
  const countChange =
    member.role === 'admin' ? [adminCountChange(teamId, -1)] : role === 'admin' ? [adminCountChange(teamId, 1)] : [];
  try {
    await transactWrite(deps.db, [
      memberRoleChange(member, role),
      ...countChange,
      auditPut(deps, {
        owner: ownerKeyOf({ teamId }),
        principal,
        action: role === null ? 'delete' : 'update',
        target: { type: 'member', id: userId, name: member.slug },
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) {
      throw err.failedAt() === 1 ? lastAdmin() : conflict('conflict', 'The member changed meanwhile; try again.');
    }
    throw err;
  }
  return toMember({ ...member, role: role ?? member.role });
}
