/**
 * An owner as one string: `U#<userId>` or `T#<teamId>`. It names the owner in the table, in
 * a value's additional authenticated data and in the KMS encryption context of its data key.
 * Ids are checked by `isId` before they get here, so no part can contain `#`.
 */
export type OwnerKey = `U#${string}` | `T#${string}`;

export const ownerKeyOf = (owner: { userId: string } | { teamId: string }): OwnerKey =>
  'userId' in owner ? `U#${owner.userId}` : `T#${owner.teamId}`;
