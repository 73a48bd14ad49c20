/**
 * An owner as one string: `U#<userId>` or `T#<teamId>`. It names the owner in the table, in
 * a value's additional authenticated data and in the KMS encryption context of its data key.
 * Ids are checked by `isId` before they get here, so no part can contain `#`.
 */
export type OwnerKey = `U#${string}` | `T#${string}`;

export const ownerKeyOf = (owner: { userId: string } | { teamId: string }): OwnerKey =>
  'userId' in owner ? `U#${owner.userId}` : `T#${owner.teamId}`;

/** Every owned thing belongs to one user (personal scope) or one team. */
export type Owner = { userId: string } | { teamId: string };

/**
 * The owner a stored record names by its `userId` or `teamId`: the one rule, used both for
 * authorization and for the owner key that reads and opens its values, so that no single
 * edit of a record can make one owner's check open another owner's values.
 */
export function ownerOf(record: { userId: string | null; teamId: string | null }): Owner {
  if (record.teamId) return { teamId: record.teamId };
  if (record.userId) return { userId: record.userId };
  throw new Error('a record names no owner');
}
