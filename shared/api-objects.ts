import { z } from '@hono/zod-openapi';
import { ERROR_CODES } from './errors.js';
import { HostedService, KeyScope, Role } from './schemas.js';

/** The API's objects as they go on the wire; the OpenAPI document (functions/openapi-document.ts) is generated from these. */
const Timestamp = z.string().openapi({ example: '2026-11-28T20:51:04.123Z' });
/** One more on every change of the value; 1 on create. */
const Version = z.number().int().openapi({ example: 3 });

export const GlobalSecret = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    isFile: z.boolean(),
    userId: z.string().nullable(),
    teamId: z.string().nullable(),
    version: Version,
    expiresAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('GlobalSecret');
export type GlobalSecret = z.infer<typeof GlobalSecret>;

export const EnvironmentRef = z
  .object({ id: z.string(), owner: z.string(), name: z.string() })
  .openapi('EnvironmentRef');
export type EnvironmentRef = z.infer<typeof EnvironmentRef>;

export const GlobalSecretDetail = GlobalSecret.extend({ linkedEnvironments: z.array(EnvironmentRef) }).openapi(
  'GlobalSecretDetail',
);
export type GlobalSecretDetail = z.infer<typeof GlobalSecretDetail>;

export const Environment = z
  .object({
    id: z.string(),
    owner: z.string(),
    name: z.string(),
    userId: z.string().nullable(),
    teamId: z.string().nullable(),
    createdAt: Timestamp,
  })
  .openapi('Environment');
export type Environment = z.infer<typeof Environment>;

export const EnvironmentSecret = z
  .object({
    id: z.string(),
    name: z.string(),
    source: z.enum(['environment', 'global-linked']),
    description: z.string().nullable(),
    isFile: z.boolean(),
    version: Version,
    expiresAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    secretId: z.string().optional(),
  })
  .openapi('EnvironmentSecret');
export type EnvironmentSecret = z.infer<typeof EnvironmentSecret>;

export const Link = z
  .object({
    id: z.string(),
    secretId: z.string(),
    secretName: z.string(),
    environmentId: z.string(),
    createdAt: Timestamp,
  })
  .openapi('Link');
export type Link = z.infer<typeof Link>;

export const Variable = z
  .object({
    id: z.string(),
    name: z.string(),
    value: z.string(),
    description: z.string().nullable(),
    version: Version,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Variable');
export type Variable = z.infer<typeof Variable>;

/** A kept version of a value: who wrote it and when; a variable's also carries its value, a secret's never. */
export const ValueVersion = z
  .object({
    version: Version,
    createdAt: Timestamp,
    createdBy: z.object({ type: z.string(), id: z.string() }),
    current: z.boolean(),
    value: z.string().optional(),
  })
  .openapi('ValueVersion');
export type ValueVersion = z.infer<typeof ValueVersion>;

/** When something deleted was deleted, and when it is gone for good. */
const Deletion = { deletedAt: Timestamp, purgeAt: Timestamp };

export const DeletedGlobalSecret = GlobalSecretDetail.extend(Deletion).openapi('DeletedGlobalSecret');
export type DeletedGlobalSecret = z.infer<typeof DeletedGlobalSecret>;
export const DeletedEnvironmentSecret = EnvironmentSecret.extend(Deletion).openapi('DeletedEnvironmentSecret');
export type DeletedEnvironmentSecret = z.infer<typeof DeletedEnvironmentSecret>;
export const DeletedVariable = Variable.extend(Deletion).openapi('DeletedVariable');
export type DeletedVariable = z.infer<typeof DeletedVariable>;

/** Where a restored secret was not linked again, and why (`environment_full`: at its entry limit). */
export const NotRelinked = z
  .object({
    environmentId: z.string(),
    reason: z.enum(['name_taken', 'environment_deleted', 'environment_full']),
  })
  .openapi('NotRelinked');
export type NotRelinked = z.infer<typeof NotRelinked>;

export const RestoredGlobalSecret = z
  .object({ secret: GlobalSecret, relinked: z.array(z.string()), notRelinked: z.array(NotRelinked) })
  .openapi('RestoredGlobalSecret');
export type RestoredGlobalSecret = z.infer<typeof RestoredGlobalSecret>;

export const RuntimeSet = z
  .object({
    environmentId: z.string(),
    env: z.record(z.string(), z.string()),
    sources: z.record(z.string(), z.enum(['variable', 'global-linked', 'environment'])),
    files: z.array(z.string()),
    versions: z.record(z.string(), Version),
    resolvedAt: Timestamp,
  })
  .openapi('RuntimeSet');
export type RuntimeSet = z.infer<typeof RuntimeSet>;

/** A name an environment's code reads. */
export const Requirement = z
  .object({ name: z.string(), description: z.string().nullable(), optional: z.boolean(), createdAt: Timestamp })
  .openapi('Requirement');
export type Requirement = z.infer<typeof Requirement>;

/** The pre-flight check of a job: never a value. */
export const RuntimeCheck = z
  .object({
    ready: z.boolean(),
    missing: z.array(z.string()),
    optionalMissing: z.array(z.string()),
    expired: z.array(z.string()),
    expiringSoon: z.array(z.object({ name: z.string(), expiresAt: Timestamp })),
    names: z.array(z.object({ name: z.string(), source: z.enum(['variable', 'global-linked', 'environment']) })),
  })
  .openapi('RuntimeCheck');
export type RuntimeCheck = z.infer<typeof RuntimeCheck>;

export const WhoAmI = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    slug: z.string(),
    scope: z.object({ teams: z.array(z.object({ teamId: z.string(), slug: z.string(), role: Role })) }),
  })
  .openapi('WhoAmI');
export type WhoAmI = z.infer<typeof WhoAmI>;

export const UserTeam = z
  .object({ teamId: z.string(), name: z.string(), slug: z.string(), role: Role })
  .openapi('UserTeam');
export type UserTeam = z.infer<typeof UserTeam>;

export const Team = z
  .object({ id: z.string(), teamId: z.string(), name: z.string(), slug: z.string(), createdAt: Timestamp })
  .openapi('Team');
export type Team = z.infer<typeof Team>;

export const Member = z
  .object({ userId: z.string(), email: z.string(), name: z.string(), slug: z.string(), role: Role })
  .openapi('Member');
export type Member = z.infer<typeof Member>;

export const ApiKey = z
  .object({ id: z.string(), name: z.string(), scopes: z.array(KeyScope), createdAt: Timestamp })
  .openapi('ApiKey');
export type ApiKey = z.infer<typeof ApiKey>;

export const NewApiKey = ApiKey.extend({ key: z.string() }).openapi('NewApiKey');
export type NewApiKey = z.infer<typeof NewApiKey>;

export const User = z
  .object({ id: z.string(), email: z.string(), name: z.string(), slug: z.string(), createdAt: Timestamp })
  .openapi('User');
export type User = z.infer<typeof User>;

export const NewUser = z.object({ user: User, apiKey: z.string() }).openapi('NewUser');

/** A user as the platform admin lists them: a disabled user's keys and console sessions are refused. */
export const AdminUser = User.extend({ disabled: z.boolean() }).openapi('AdminUser');
export type AdminUser = z.infer<typeof AdminUser>;

/** A platform admin key as listed: never the key itself. */
export const AdminKey = z.object({ id: z.string(), name: z.string(), createdAt: Timestamp }).openapi('AdminKey');
export type AdminKey = z.infer<typeof AdminKey>;

/** A platform admin key as made: `key` is shown only here. */
export const NewAdminKey = AdminKey.extend({ key: z.string() }).openapi('NewAdminKey');
export type NewAdminKey = z.infer<typeof NewAdminKey>;
export const ServiceKey = z
  .object({ id: z.string(), service: HostedService, name: z.string(), createdAt: Timestamp })
  .openapi('ServiceKey');
export type ServiceKey = z.infer<typeof ServiceKey>;

export const NewServiceKey = z
  .object({ id: z.string(), service: HostedService, name: z.string(), key: z.string(), createdAt: Timestamp })
  .openapi('NewServiceKey');
export type NewServiceKey = z.infer<typeof NewServiceKey>;

/** A job's runtime token as listed: never the token itself. */
export const RuntimeToken = z
  .object({ id: z.string(), environmentId: z.string(), jobId: z.string(), expiresAt: Timestamp })
  .openapi('RuntimeToken');
export type RuntimeToken = z.infer<typeof RuntimeToken>;

/** A runtime token as minted: `token` is shown only here. */
export const NewRuntimeToken = RuntimeToken.extend({ token: z.string() }).openapi('NewRuntimeToken');
export type NewRuntimeToken = z.infer<typeof NewRuntimeToken>;

export const AuditEvent = z
  .object({
    id: z.string(),
    at: Timestamp,
    actor: z.object({ type: z.string(), id: z.string(), keyId: z.string().optional() }),
    action: z.string(),
    target: z.object({ type: z.string(), id: z.string(), name: z.string().nullable() }),
    environmentId: z.string().nullable(),
    jobId: z.string().nullable(),
    versions: z.record(z.string(), Version).optional(),
  })
  .openapi('AuditEvent');
export type AuditEvent = z.infer<typeof AuditEvent>;

const DependencyHealth = z
  .object({
    ok: z.boolean(),
    ms: z.number().int().openapi({ example: 4 }),
    error: z.string().optional().openapi({ example: 'ResourceNotFoundException' }),
  })
  .openapi('DependencyHealth');

/** The deep health check (admin key): each dependency reached, how fast, and what failed. */
export const DeepHealth = z
  .object({
    status: z.enum(['ok', 'degraded']),
    dependencies: z.object({ dynamodb: DependencyHealth, kms: DependencyHealth }),
  })
  .openapi('DeepHealth');

export const ErrorBody = z
  .object({
    detail: z.union([
      z.string(),
      z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() })),
    ]),
    code: z.enum(ERROR_CODES),
  })
  .openapi('Error');

export const DataKeyVersion = z
  .object({
    version: z.number().int(),
    createdAt: Timestamp,
    /** Values (each kept version counts) still sealed under it, as the re-seal last counted them. */
    values: z.number().int(),
  })
  .openapi('DataKeyVersion');

export const DataKeys = z
  .object({
    /** The version new values are sealed under (0: the owner has sealed nothing yet). */
    current: z.number().int(),
    /** Newest first. */
    versions: z.array(DataKeyVersion),
    reseal: z.object({ state: z.enum(['idle', 'running']), moved: z.number().int(), total: z.number().int() }),
  })
  .openapi('DataKeys');
export type DataKeys = z.infer<typeof DataKeys>;
