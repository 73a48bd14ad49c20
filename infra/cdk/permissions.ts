import type { Resource } from '../../functions/routes.js';
import { dataKeyContext } from '../../shared/crypto/key-provider.js';
import { keys } from '../../shared/data/keys.js';

type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:Query'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem'
  | 'dynamodb:BatchWriteItem';
type KmsAction = 'kms:GenerateDataKey' | 'kms:Decrypt';

/** The table actions that write items: the ones conditioned on `dynamodb:LeadingKeys`. */
export const WRITE_ACTIONS: readonly TableAction[] = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

/**
 * What DynamoDB may ask KMS for on behalf of a function that reads or writes the table, which is
 * encrypted with the service key: Decrypt of the table key it caches per caller, and Encrypt and
 * GenerateDataKey on the write side (the set aws-cdk-lib grants a table's readers and writers,
 * without its wildcards). Granted only through DynamoDB (`kms:ViaService`).
 */
export const TABLE_KMS_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] as const;

/**
 * The IAM pattern (StringLike) of every partition key a key builder makes: its parts as `*`,
 * so the layout of shared/data/keys.ts stays written there only.
 */
const anyKey = (build: (...parts: never[]) => string | { pk: string }): string => {
  const key = (build as (...parts: string[]) => string | { pk: string })(...Array<string>(build.length).fill('*'));
  return typeof key === 'string' ? key : key.pk;
};

/** The partition keys items are written under, by what lives there. */
export const PARTITIONS = {
  /** `KEY#<hash>`: an API key by its hash. */
  apiKey: anyKey(keys.apiKey),
  /** `USER#<id>`: a user's profile and their API key listing. */
  user: anyKey(keys.user),
  /** `ADMIN`: the platform admin keys' listing. */
  admin: anyKey(() => keys.adminApiKeyPartition),
  /** `SERVICE#<service>`: a hosted service's keys. */
  service: anyKey(keys.serviceApiKey),
  /** `TEAM#<id>`: a team's profile and members. */
  team: anyKey(keys.team),
  /** `SLUG#<slug>`: slug claims of users and teams. */
  slug: anyKey(keys.slug),
  /** `ENV#<id>`: an environment's META and entries. */
  environment: anyKey(keys.environmentPartition),
  /** `OWNER#<owner>`: environment names, counts, global secrets, their names and links, data keys. */
  owner: anyKey(keys.ownerPartition),
  /** `AUDIT#<owner>#<shard>`: audit events. */
  audit: anyKey(keys.auditPartition),
  /** `AUDITVERSIONS#<owner>#<digest>`: a set of versions runtime reads' audit events name. */
  auditVersionSet: anyKey(keys.auditVersionSet),
  /** `SESSION#<hash>`: web console sessions. */
  session: anyKey(keys.consoleSession),
  /** `SECRETID#<id>`: which owner a global secret id belongs to (the scope check's consistent read). */
  secretId: anyKey(keys.globalSecretIdClaim),
  /** `HIST#<id>`: the kept versions of a value. */
  valueVersion: anyKey(keys.valueVersion),
  /** `TRASH#<envId>`: an environment's recently deleted entries. */
  deletedEntry: anyKey(keys.deletedEntry),
  /** `RTOKEN#<envId>`: an environment's runtime tokens, listed (each token itself is a `KEY#<hash>`). */
  runtimeToken: anyKey(keys.runtimeToken),
  /** `RATE#<user|key>#<id>`: user and admin keys' request counts (shared/http/table-rate-limit.ts). */
  rateWindow: anyKey(keys.rateWindow),
} as const;

export interface ResourcePermissions {
  /** DynamoDB actions on the table itself. */
  table: readonly TableAction[];
  /** DynamoDB actions on the GSI (`<table arn>/index/<name>`): only Query is ever used there. */
  index: readonly 'dynamodb:Query'[];
  /** KMS actions on the service key, always under the `purpose: secrets-dek` encryption context. */
  kms: readonly KmsAction[];
  /**
   * KMS actions on the key's metadata, which carry no encryption context: the deep health check's
   * DescribeKey (shared/crypto/kms-key-provider.ts `check`). It moves no key material.
   */
  keyCheck: readonly 'kms:DescribeKey'[];
  /**
   * The partition keys (`dynamodb:LeadingKeys`, StringLike patterns) of the items it may write:
   * every write action is conditioned on them. Empty for a resource that writes nothing.
   */
  writes: readonly string[];
}

/**
 * What each Lambda may do, and nothing else: the one list the stack grants from, read off the
 * code each resource runs (shared/services over shared/data, audit.ts, auth/, crypto/data-keys.ts).
 *
 * - Every resource authenticates: `GetItem` of `KEY#<hash>`, and of a membership when it
 *   checks a team role (auth/api-keys.ts, auth/authorization.ts). Every resource takes user
 *   keys (the console, their sessions), whose requests it counts with an `UpdateItem` under
 *   `RATE#…` (http/table-rate-limit.ts).
 * - There is no IAM action for TransactWriteItems: each item of a transaction is authorized as
 *   the single-item action it is (Put → PutItem, Update → UpdateItem, Delete → DeleteItem,
 *   ConditionCheck → ConditionCheckItem). Every mutation writes its audit event as a Put in its
 *   own transaction (audit.ts `auditPut`), so each mutating resource needs PutItem; each
 *   transaction that writes a sealed value holds a ConditionCheck that its data key is still the
 *   owner's newest (services/sealing.ts), and so does each move of a re-seal (services/reseal.ts),
 *   so the resources that seal values get ConditionCheckItem.
 * - Sealing a value (crypto/values.ts `sealValue`) reads the owner's newest data key (Query of
 *   `DEK#`) and unwraps it (kms:Decrypt), or creates version 1 (kms:GenerateDataKey, then a
 *   conditional PutItem). Only resources that seal values or read them hold KMS actions.
 *
 * - Every write lands only in the partitions listed in `writes`; each resource writes its audit
 *   events (`AUDIT#…`) beside what it changes.
 *
 * test/infra/permissions-usage.test.ts drives every route of every resource against DynamoDB
 * Local and checks this map against the calls each resource actually made, and the partition
 * keys of the items it wrote, both ways.
 */
export const PERMISSIONS: Record<Resource, ResourcePermissions> = {
  accounts: {
    // Get: API keys, profiles, members (and the deep health check's probe of an item never written). Query: a team's members, a user's, a service's and the
    // admin key listing; on the index, a user's teams and every user. The public health check and
    // OpenAPI document (/openapi.json) read nothing. Put/Update/Delete: slug
    // claims, teams, members (admin count), API keys and their listing, users (disabled or not),
    // service and admin keys, each with its audit event. ConditionCheck: that another admin key
    // remains when one is revoked (services/api-keys.ts).
    table: [
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:ConditionCheckItem',
    ],
    index: ['dynamodb:Query'],
    kms: [],
    // The deep health check (admin key) asks KMS whether the key is usable: DescribeKey, never an
    // unwrap, so accounts, which writes credentials, still opens no value.
    keyCheck: ['kms:DescribeKey'],
    writes: [
      PARTITIONS.apiKey,
      PARTITIONS.user,
      PARTITIONS.admin,
      PARTITIONS.service,
      PARTITIONS.team,
      PARTITIONS.slug,
      PARTITIONS.audit,
      PARTITIONS.rateWindow,
    ],
  },
  environments: {
    // Get: an environment's META, slug and name claims, owner profiles. Query: an owner's
    // environments, the partition of a deleted environment. Put/Delete: the environment and its
    // name claim; link removal on delete deletes entries and reverse indexes and updates the
    // secrets' link sequence (UpdateItem); when that transaction loses a race (a secret deleted
    // meanwhile) it re-reads what still exists with BatchGetItem (services/links.ts).
    // BatchWriteItem: the remaining entries of a deleted environment, its deleted entries and
    // the versions of every value it held.
    table: [
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ],
    index: [],
    kms: [],
    keyCheck: [],
    writes: [
      PARTITIONS.environment,
      PARTITIONS.owner,
      PARTITIONS.deletedEntry,
      PARTITIONS.valueVersion,
      PARTITIONS.audit,
      PARTITIONS.rateWindow,
    ],
  },
  'global-secrets': {
    // Get: a secret. Query: an owner's secrets, a secret's link reverse index, the newest data
    // key, the kept versions. BatchGetItem: the environments and entries a rename touches.
    // Put/Update/Delete: the secret, its name claim, its versions, renamed link entries, link
    // removal on delete, relinks on restore, the first data key; ConditionCheck: the data key
    // is still the newest. BatchWriteItem: the versions of a purged secret. The data keys' routes
    // (functions/global-secrets/data-key-routes.ts) also rotate (a new data key), keep the
    // re-seal's state, move every sealed value of the owner (its secrets, deleted ones, direct
    // secrets and deleted entries of its environments, their kept versions), mend link entries'
    // hints and remove an emptied version (Delete with a ConditionCheck).
    table: [
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:BatchWriteItem',
    ],
    index: [],
    // Seals values under the owner's data key: creates it (GenerateDataKey) or unwraps it (Decrypt).
    kms: ['kms:GenerateDataKey', 'kms:Decrypt'],
    keyCheck: [],
    writes: [
      PARTITIONS.owner,
      PARTITIONS.environment,
      PARTITIONS.secretId,
      PARTITIONS.valueVersion,
      PARTITIONS.deletedEntry,
      PARTITIONS.audit,
      PARTITIONS.rateWindow,
    ],
  },
  'environment-secrets': {
    // Get: the environment, a global secret to link. Query: the environment's entries, the
    // newest data key; on the index, an entry by its id, and whether a secret exists in another
    // scope (scope_mismatch).
    // BatchGetItem: linked secrets of a listing, link re-reads. Put/Update/Delete: entries,
    // links with their reverse index, entry counts, link sequences, versions, deleted entries,
    // the first data key; ConditionCheck: the data key is still the newest. BatchWriteItem: the
    // versions of a purged secret.
    table: [
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:BatchWriteItem',
    ],
    index: ['dynamodb:Query'],
    kms: ['kms:GenerateDataKey', 'kms:Decrypt'],
    keyCheck: [],
    writes: [
      PARTITIONS.environment,
      PARTITIONS.owner,
      PARTITIONS.deletedEntry,
      PARTITIONS.valueVersion,
      PARTITIONS.audit,
      PARTITIONS.rateWindow,
    ],
  },
  'environment-variables': {
    // Variables are plain values: no data keys, no KMS. Get: the environment, a variable's
    // value item. Query: its entries, deleted entries, versions; on the index, an entry by its
    // id. BatchGetItem: the value items of a listing. Put/Update/Delete: entries, their value
    // items and the entry count, their versions and deleted copies, with their audit events.
    // BatchWriteItem: the versions of a purged variable.
    table: [
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ],
    index: ['dynamodb:Query'],
    kms: [],
    keyCheck: [],
    writes: [
      PARTITIONS.environment,
      PARTITIONS.deletedEntry,
      PARTITIONS.valueVersion,
      PARTITIONS.audit,
      PARTITIONS.rateWindow,
    ],
  },
  runtime: {
    // The read path: Query of the environment partition, BatchGetItem of linked secrets, data
    // keys and membership, GetItem of a data key version the batch did not hold. It writes the
    // runtime_read audit event (PutItem), and with the first event naming a large set of versions
    // that set (both Puts of one transaction), after a GetItem of whether it is there. It only
    // unwraps data keys (Decrypt); it never creates one. UpdateItem: a user runtime key's request count.
    table: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    index: [],
    kms: ['kms:Decrypt'],
    keyCheck: [],
    writes: [PARTITIONS.audit, PARTITIONS.auditVersionSet, PARTITIONS.rateWindow],
  },
  'runtime-tokens': {
    // Get: the key, the environment's META, a team role, a token's listing. Query: an environment's
    // tokens. Put: a token's key item and listing, with the audit event; Delete: both on a revoke.
    // It opens no value, so no KMS: minting credentials lives apart from `runtime`, so that no
    // function can both unwrap data keys and write `KEY#…` items (functions/runtime-tokens/app.ts).
    // UpdateItem: a user runtime key's request count.
    table: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    index: [],
    kms: [],
    keyCheck: [],
    writes: [PARTITIONS.apiKey, PARTITIONS.runtimeToken, PARTITIONS.audit, PARTITIONS.rateWindow],
  },
  audit: {
    // Reads: Get for the key and the team role, Query of the owner's audit shards, and of the
    // index for one environment's events, BatchGetItem of the sets of versions a page's events
    // name. Reading the audit log is not itself audited: its one write is the caller's request count.
    table: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
    index: ['dynamodb:Query'],
    kms: [],
    keyCheck: [],
    writes: [PARTITIONS.rateWindow],
  },
  console: {
    // The web console runs the same service functions as global-secrets, environment-secrets
    // and environment-variables, and reads what environments and accounts read (an owner's
    // environments, the caller's profile; on the index, their teams and the scope check of a
    // link). Put/Get/Delete also keep its sessions (SESSION#<hash>) and check their API key.
    // It creates and deletes environments as environments does, never purges; BatchWriteItem:
    // the contents of an environment it deletes, and what is left of one whose delete stopped
    // half-way, which its writes finish like every owner write (finishDeletes). BatchGetItem
    // also reads which environments already use a global secret's name (its Link to Environment).
    // ConditionCheck: the data key of a value it seals is still the newest.
    table: [
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:BatchWriteItem',
    ],
    index: ['dynamodb:Query'],
    // Seals values of the secrets it adds or changes: creates the owner's data key or unwraps it.
    kms: ['kms:GenerateDataKey', 'kms:Decrypt'],
    keyCheck: [],
    writes: [
      PARTITIONS.environment,
      PARTITIONS.owner,
      PARTITIONS.secretId,
      PARTITIONS.deletedEntry,
      PARTITIONS.valueVersion,
      PARTITIONS.session,
      PARTITIONS.audit,
      PARTITIONS.rateWindow,
    ],
  },
  'console-keys': {
    // The console's API keys page (functions/console/keys-app.tsx): the user's keys, made and
    // revoked as accounts does them (Put, Update of the user's key count, Delete, with the audit
    // event), and the console's sessions (Get; Delete of a session whose key was revoked, its
    // own included). Get: the session's key and profile, a key to revoke. Query: the user's key
    // listing; on the index, the user's teams (the page's header). It writes credentials, so it
    // opens no value: no KMS, as for accounts and runtime-tokens.
    table: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    index: ['dynamodb:Query'],
    kms: [],
    keyCheck: [],
    writes: [PARTITIONS.apiKey, PARTITIONS.user, PARTITIONS.session, PARTITIONS.audit, PARTITIONS.rateWindow],
  },
};

/** The encryption context every KMS call of the service carries, from the code that sends it. */
const CONTEXT = dataKeyContext('owner');
/** The `purpose` every KMS grant is conditioned on (`secrets-dek`). */
export const KMS_PURPOSE: string = CONTEXT.purpose;
/** The encryption context keys every call carries (`owner`, `purpose`): no other is allowed. */
export const KMS_CONTEXT_KEYS: readonly string[] = Object.keys(CONTEXT).sort();
