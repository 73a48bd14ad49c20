/**
 * Key builders of the single table (DESIGN.md, "Single table"). Every id reaching here has
 * been checked by `isId`, and names by their schemas, so no part can contain `#` and
 * reach into another record's key space.
 */
export type OwnerKey = `U#${string}` | `T#${string}`;

export const ownerKeyOf = (owner: { userId: string } | { teamId: string }): OwnerKey =>
  'userId' in owner ? `U#${owner.userId}` : `T#${owner.teamId}`;

export const keys = {
  apiKey: (hash: string) => ({ pk: `KEY#${hash}`, sk: 'KEY' }),
  userApiKey: (userId: string, keyId: string) => ({ pk: `USER#${userId}`, sk: `APIKEY#${keyId}` }),
  userApiKeyPrefix: 'APIKEY#',
  user: (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),
  team: (teamId: string) => ({ pk: `TEAM#${teamId}`, sk: 'PROFILE' }),
  slug: (slug: string) => ({ pk: `SLUG#${slug}`, sk: 'SLUG' }),
  member: (teamId: string, userId: string) => ({ pk: `TEAM#${teamId}`, sk: `MEMBER#${userId}` }),
  memberPrefix: 'MEMBER#',
  /** gsi1 of a membership: a user's teams. */
  memberIndex: (userId: string, teamId: string) => ({ gsi1pk: `USER#${userId}`, gsi1sk: `TEAM#${teamId}` }),
  environment: (envId: string) => ({ pk: `ENV#${envId}`, sk: 'META' }),
  environmentPartition: (envId: string) => `ENV#${envId}`,
  environmentName: (owner: OwnerKey, name: string) => ({ pk: `OWNER#${owner}`, sk: `ENVNAME#${name}` }),
  environmentNamePrefix: 'ENVNAME#',
  entry: (envId: string, name: string) => ({ pk: `ENV#${envId}`, sk: `ENTRY#${name}` }),
  entryPrefix: 'ENTRY#',
  ownerPartition: (owner: OwnerKey) => `OWNER#${owner}`,
  ownerCounts: (owner: OwnerKey) => ({ pk: `OWNER#${owner}`, sk: 'COUNTS' }),
  globalSecret: (owner: OwnerKey, secretId: string) => ({ pk: `OWNER#${owner}`, sk: `SECRET#${secretId}` }),
  globalSecretPrefix: 'SECRET#',
  globalSecretName: (owner: OwnerKey, name: string) => ({ pk: `OWNER#${owner}`, sk: `SECRETNAME#${name}` }),
  /** Reverse index of a link, beside the secret: which environments link it. */
  secretLink: (owner: OwnerKey, secretId: string, envId: string) => ({
    pk: `OWNER#${owner}`,
    sk: `SLINK#${secretId}#${envId}`,
  }),
  secretLinkPrefix: (secretId: string) => `SLINK#${secretId}#`,
  dataKey: (owner: OwnerKey, version: number) => ({
    pk: `OWNER#${owner}`,
    sk: `DEK#${String(version).padStart(6, '0')}`,
  }),
  dataKeyPrefix: 'DEK#',
  auditPartition: (owner: OwnerKey, shard: number) => `AUDIT#${owner}#${shard}`,
  /** A web console session, by the SHA-256 (hex) of its cookie token; expires by `ttl`. */
  consoleSession: (tokenHash: string) => ({ pk: `SESSION#${tokenHash}`, sk: 'SESSION' }),
} as const;
