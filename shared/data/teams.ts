import type { Db } from '../storage/client.js';
import { getItem, type Item } from '../storage/item.js';
import type { TableWrite } from '../storage/transact.js';
import { keys } from './keys.js';

/** A team's profile, with how many admins it has (never fewer than one). */
export interface TeamRecord {
  id: string;
  name: string;
  slug: string;
  adminCount: number;
  createdAt: string;
}

const toTeam = (item: Item): TeamRecord => ({
  id: item.id as string,
  name: item.name as string,
  slug: item.slug as string,
  adminCount: (item.adminCount as number | undefined) ?? 0,
  createdAt: item.createdAt as string,
});

export async function readTeam(db: Db, teamId: string): Promise<TeamRecord | undefined> {
  const item = await getItem(db, keys.team(teamId));
  return item && toTeam(item);
}

export const teamCreate = (team: TeamRecord): TableWrite => ({ Put: { Item: { ...keys.team(team.id), ...team } } });

/** The team's admin count changed by `delta`; a decrease never takes it below one. */
export const adminCountChange = (teamId: string, delta: 1 | -1): TableWrite => ({
  Update: {
    Key: keys.team(teamId),
    UpdateExpression: 'ADD adminCount :d',
    ConditionExpression: delta < 0 ? 'adminCount > :one' : 'attribute_exists(pk)',
    ExpressionAttributeValues: delta < 0 ? { ':d': delta, ':one': 1 } : { ':d': delta },
  },
});
