import type { OwnerKey } from '../owner-key.js';

/** The platform's own audit log (admin actions) beside the owners'. */
export const PLATFORM_AUDIT = 'PLATFORM';
export type AuditOwner = OwnerKey | typeof PLATFORM_AUDIT;
const AUDIT_PARTITION_PREFIX = 'AUDIT#';

/**
 * Key builders of the single table: the one place its key strings are written (the layout
 * is drawn in docs/architecture.md). Every id reaching here has been checked by `isId`, and
 * names by their schemas, so no part can contain `#` and reach into another record's key space.
 */
export const keys = {
  apiKey: (hash: string) => ({ pk: `KEY#${hash}`, sk: 'KEY' }),
  userApiKey: (userId: string, keyId: string) => ({ pk: `USER#${userId}`, sk: `APIKEY#${keyId}` }),
  userApiKeyPrefix: 'APIKEY#',
  serviceApiKey: (service: string, keyId: string) => ({ pk: `SERVICE#${service}`, sk: `KEY#${keyId}` }),
  serviceApiKeyPartition: (service: string) => `SERVICE#${service}`,
  serviceApiKeyPrefix: 'KEY#',
  adminApiKey: (keyId: string) => ({ pk: 'ADMIN', sk: `KEY#${keyId}` }),
  adminApiKeyPartition: 'ADMIN',
  adminApiKeyPrefix: 'KEY#',
  /**
   * An environment's runtime tokens, by id, for their listing and revocation (the token itself is
   * an `apiKey` item by its hash). Outside `ENV#<envId>`, which the runtime read queries whole.
   */
  runtimeToken: (envId: string, tokenId: string) => ({ pk: `RTOKEN#${envId}`, sk: tokenId }),
  runtimeTokenPartition: (envId: string) => `RTOKEN#${envId}`,
  user: (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),
  /** gsi1 of a user's profile: every user, oldest first (the platform admin's listing). */
  userIndex: (createdAt: string, userId: string) => ({ gsi1pk: 'USERS', gsi1sk: `${createdAt}#${userId}` }),
  userIndexPartition: 'USERS',
  team: (teamId: string) => ({ pk: `TEAM#${teamId}`, sk: 'PROFILE' }),
  slug: (slug: string) => ({ pk: `SLUG#${slug}`, sk: 'SLUG' }),
  member: (teamId: string, userId: string) => ({ pk: `TEAM#${teamId}`, sk: `MEMBER#${userId}` }),
  memberPrefix: 'MEMBER#',
  /** gsi1 of a membership: a user's teams. */
  memberIndex: (userId: string, teamId: string) => ({ gsi1pk: `USER#${userId}`, gsi1sk: `TEAM#${teamId}` }),
  memberIndexPartition: (userId: string) => `USER#${userId}`,
  memberIndexPrefix: 'TEAM#',
  environment: (envId: string) => ({ pk: `ENV#${envId}`, sk: 'META' }),
  environmentMetaSk: 'META',
  /**
   * The environment's revision: one more with every write of what the runtime read's Query
   * returns, so that a container's copy of the partition is known current by this one item.
   * Its sort key comes first in the partition, so a Query reads it before anything it counts.
   */
  environmentRevision: (envId: string) => ({ pk: `ENV#${envId}`, sk: '#REV' }),
  environmentRevisionSk: '#REV',
  environmentPartition: (envId: string) => `ENV#${envId}`,
  environmentName: (owner: OwnerKey, name: string) => ({ pk: `OWNER#${owner}`, sk: `ENVNAME#${name}` }),
  environmentNamePrefix: 'ENVNAME#',
  /**
   * A deleted environment whose contents are still being removed: written in the delete's
   * transaction, removed once nothing of it is left (shared/services/environment-removal.ts).
   */
  deletedEnvironment: (owner: OwnerKey, envId: string) => ({ pk: `OWNER#${owner}`, sk: `ENVDEL#${envId}` }),
  deletedEnvironmentPrefix: 'ENVDEL#',
  entry: (envId: string, name: string) => ({ pk: `ENV#${envId}`, sk: `ENTRY#${name}` }),
  entryPrefix: 'ENTRY#',
  /**
   * An entry's value (sealed for a direct secret), by the entry's id, beside the entry in the
   * environment's partition: the runtime read's Query reads it, a listing or an update of the
   * entry's other fields does not.
   */
  entryValue: (envId: string, entryId: string) => ({ pk: `ENV#${envId}`, sk: `VALUE#${entryId}` }),
  entryValuePrefix: 'VALUE#',
  /** A name the environment's code reads, in its partition: the runtime read's Query reads it too. */
  requirement: (envId: string, name: string) => ({ pk: `ENV#${envId}`, sk: `REQ#${name}` }),
  requirementPrefix: 'REQ#',
  ownerPartition: (owner: OwnerKey) => `OWNER#${owner}`,
  /** The owner's secrets' revision: one more with every write of a global secret's item (as `environmentRevision`). */
  ownerRevision: (owner: OwnerKey) => ({ pk: `OWNER#${owner}`, sk: '#REV' }),
  ownerCounts: (owner: OwnerKey) => ({ pk: `OWNER#${owner}`, sk: 'COUNTS' }),
  globalSecret: (owner: OwnerKey, secretId: string) => ({ pk: `OWNER#${owner}`, sk: `SECRET#${secretId}` }),
  globalSecretPrefix: 'SECRET#',
  /** gsi1 of a global secret: where it lives, whatever its owner (to tell a scope mismatch from a 404). */
  globalSecretIndex: (secretId: string) => ({ gsi1pk: `GSECRET#${secretId}`, gsi1sk: 'SECRET' }),
  /** A global secret's id claimed with its owner in the create: read consistently by id alone (the scope check). */
  globalSecretIdClaim: (secretId: string) => ({ pk: `SECRETID#${secretId}`, sk: 'SECRETID' }),
  /** A deleted global secret, kept while its links are removed (docs/architecture.md). */
  deletedSecret: (owner: OwnerKey, secretId: string) => ({ pk: `OWNER#${owner}`, sk: `TRASH#${secretId}` }),
  deletedSecretPrefix: 'TRASH#',
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
  /** An owner's re-seal under its newest data key: progress, so that an interrupted one resumes. */
  resealState: (owner: OwnerKey) => ({ pk: `OWNER#${owner}`, sk: 'RESEAL' }),
  /** One version of a value (a global secret's or an entry's, by its id), outside the environment's partition. */
  valueVersion: (valueId: string, version: number) => ({
    pk: `HIST#${valueId}`,
    sk: `V#${String(version).padStart(6, '0')}`,
  }),
  valueVersionPartition: (valueId: string) => `HIST#${valueId}`,
  valueVersionPrefix: 'V#',
  /** A recently deleted direct secret or variable of an environment, until its `ttl`. */
  deletedEntry: (envId: string, entryId: string) => ({ pk: `TRASH#${envId}`, sk: entryId }),
  deletedEntryPartition: (envId: string) => `TRASH#${envId}`,
  /**
   * gsi1 of an environment entry: its id (a linked secret's is the secret's), so that an update,
   * delete or unlink finds the one entry without reading the environment's values.
   */
  entryIdIndex: (envId: string, entryId: string) => ({ gsi1pk: `ENTRYID#${envId}`, gsi1sk: entryId }),
  auditPartition: (owner: AuditOwner, shard: number) => `${AUDIT_PARTITION_PREFIX}${owner}#${shard}`,
  /** What every audit partition key (an owner's and the platform's) starts with, and no other. */
  auditPartitionPrefix: AUDIT_PARTITION_PREFIX,
  auditSk: (at: string, id: string) => `${at}#${id}`,
  /**
   * The versions a runtime read served, named once for every event that served the same set
   * (by the set's digest): a job-start event then stays under one write unit.
   */
  auditVersionSet: (owner: AuditOwner, digest: string) => ({ pk: `AUDITVERSIONS#${owner}#${digest}`, sk: 'SET' }),
  /**
   * gsi1 of an event about an environment: that environment's events in the owner's log, sharded
   * as the log is (a job-start storm of one environment must not heat one index partition).
   */
  auditEnvironmentIndex: (owner: AuditOwner, envId: string, shard: number) => `AUDITENV#${owner}#${envId}#${shard}`,
  /**
   * A user's (or an admin key's) request count in one fixed window of the per-key rate limit,
   * shared by every process; expires by `ttl` soon after the window.
   */
  rateWindow: (subject: 'user' | 'key', id: string, window: number) => ({
    pk: `RATE#${subject}#${id}`,
    sk: `W#${window}`,
  }),
  /** An item no write ever makes: the deep health check reads it (shared/data/health-probe.ts) and finds nothing. */
  healthProbe: { pk: 'HEALTH', sk: 'PROBE' },
  /** A web console session, by the SHA-256 (hex) of its cookie token; expires by `ttl`. */
  consoleSession: (tokenHash: string) => ({ pk: `SESSION#${tokenHash}`, sk: 'SESSION' }),
} as const;
