import { z } from '@hono/zod-openapi';
import { validationError } from './errors.js';
import { FLAG, ID_RULE, JOB_ID_RULE, LIMITS, type TextRule } from './rules.js';

/**
 * Every rule on names, values and bodies, once. Routes validate with these, the OpenAPI
 * document is generated from them, and the CLI checks names with the same ones. The limits, and
 * the rules the runtime read checks without zod, are plain data in shared/rules.ts, built here.
 */

/** A text rule of shared/rules.ts as a zod schema: the same checks, in the same order, with the same messages. */
function textOf(rule: TextRule) {
  const atLeast = z.string().min(rule.min.length, rule.min.message);
  const atMost = rule.max ? atLeast.max(rule.max.length, rule.max.message) : atLeast;
  return rule.pattern ? atMost.regex(rule.pattern.regex, rule.pattern.message) : atMost;
}

export const NAME_MESSAGE =
  'must start with an uppercase letter and contain only uppercase letters, digits and underscores';

export const EntryName = z
  .string()
  .min(1, NAME_MESSAGE)
  .max(LIMITS.nameLength, `must be at most ${LIMITS.nameLength} characters`)
  .regex(/^[A-Z][A-Z0-9_]*$/, NAME_MESSAGE)
  .openapi({ example: 'MY_API_KEY' });

const utf8Bytes = (value: string) => Buffer.byteLength(value, 'utf8');

export const Value = z
  .string()
  .min(1, 'must not be empty')
  .refine((v) => utf8Bytes(v) <= LIMITS.valueBytes, `must be at most ${LIMITS.valueBytes} bytes of UTF-8`)
  .refine((v) => !v.includes('\u0000'), 'must not contain a NUL character')
  .refine((v) => v.isWellFormed(), 'must be valid Unicode (no lone surrogates)')
  .openapi({ example: 'sk-example' });

/** The value of an `isFile` secret: the file's content as standard base64. */
export const FileValue = z
  .string()
  .min(1, 'must not be empty')
  .max(LIMITS.fileValueChars, `must be at most ${LIMITS.fileValueChars} characters of base64`)
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be base64');

/** The most bytes a file secret holds: what `fileValueChars` characters of base64 encode. */
export const FILE_SECRET_MAX_BYTES = (LIMITS.fileValueChars / 4) * 3;

export const Description = z
  .string()
  .max(LIMITS.descriptionLength, `must be at most ${LIMITS.descriptionLength} characters`)
  .refine((v) => !v.includes('\u0000'), 'must not contain a NUL character')
  .refine((v) => v.isWellFormed(), 'must be valid Unicode (no lone surrogates)')
  .nullable();

/**
 * When a credential stops working where it was issued: ISO-8601 (with `Z` or an offset), in
 * the future, stored as UTC with milliseconds; `null` clears it.
 */
export const ExpiresAt = z.iso
  .datetime({ offset: true, message: 'must be an ISO-8601 date and time, e.g. 2027-01-31T00:00:00Z' })
  .refine((v) => Date.parse(v) > Date.now(), 'must be in the future')
  .transform((v) => new Date(v).toISOString())
  .nullable();

export const Slug = z.string().regex(
  // biome-ignore lint/complexity/noUselessEscapeInRegex: the console's `pattern` attribute is compiled with the v flag, where a bare "-" in a class is an error (functions/console/input-rules.ts)
  /^[a-z0-9][a-z0-9\-]{0,38}$/,
  'must be 1–39 lowercase letters, digits or hyphens, starting with a letter or digit',
);

export const RESERVED_ENVIRONMENT_NAMES = ['secrets', 'variables', 'runtime', 'link'] as const;

export const EnvironmentName = z
  .string()
  .regex(
    // biome-ignore lint/complexity/noUselessEscapeInRegex: the console's `pattern` attribute is compiled with the v flag, where a bare "-" in a class is an error (functions/console/input-rules.ts)
    /^[a-z0-9][a-z0-9._\-]{0,99}$/,
    'must be 1–100 lowercase letters, digits, dots, underscores or hyphens, starting with a letter or digit',
  )
  .refine((v) => !(RESERVED_ENVIRONMENT_NAMES as readonly string[]).includes(v), 'is a reserved name');

/** Any id a client passes (`ID_RULE`). */
export const Id = textOf(ID_RULE);

const DisplayName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .refine((v) => v.isWellFormed(), 'must be valid Unicode (no lone surrogates)');

export const Role = z.enum(['admin', 'member', 'viewer']);
export type Role = z.infer<typeof Role>;

export const KeyScope = z.enum(['manage', 'runtime']);
export type KeyScope = z.infer<typeof KeyScope>;

export const HostedService = z.enum(['environment-actions', 'hosted-evaluations', 'hosted-training']);
export type HostedService = z.infer<typeof HostedService>;

/** A hosted service's job id (`JOB_ID_RULE`). */
const JobId = textOf(JOB_ID_RULE);

// ---- request bodies ----

export const CreateGlobalSecretBody = z
  .object({
    name: EntryName,
    value: z.string(),
    description: Description.optional(),
    isFile: z.boolean().optional(),
    expiresAt: ExpiresAt.optional(),
    teamId: Id.nullable().optional(),
  })
  .superRefine(refineValueForKind)
  .openapi('CreateGlobalSecret');

export const CreateEnvironmentSecretBody = z
  .object({
    name: EntryName,
    value: z.string(),
    description: Description.optional(),
    isFile: z.boolean().optional(),
    expiresAt: ExpiresAt.optional(),
  })
  .superRefine(refineValueForKind)
  .openapi('CreateEnvironmentSecret');

export const UpdateSecretBody = z
  .object({
    name: EntryName.optional(),
    value: z.string().optional(),
    description: Description.optional(),
    expiresAt: ExpiresAt.optional(),
  })
  .refine(
    (b) => b.name !== undefined || b.value !== undefined || b.description !== undefined || b.expiresAt !== undefined,
    { message: 'give at least one of name, value, description, expiresAt' },
  )
  .openapi('UpdateSecret');

export const CreateVariableBody = z
  .object({ name: EntryName, value: Value, description: Description.optional() })
  .openapi('CreateVariable');

export const UpdateVariableBody = z
  .object({ name: EntryName.optional(), value: Value.optional(), description: Description.optional() })
  .refine((b) => b.name !== undefined || b.value !== undefined || b.description !== undefined, {
    message: 'give at least one of name, value, description',
  })
  .openapi('UpdateVariable');

export const RollbackBody = z
  .object({ version: z.number().int().min(1, 'must be a version number, 1 or more') })
  .openapi('Rollback');

export const RestoreBody = z.object({ name: EntryName.optional() }).openapi('Restore');

/** On a POST under `/secrets/` the scope is a body field, as on create (a `teamId` query is read too). */
const BodyScope = { teamId: Id.nullable().optional() };
export const GlobalRollbackBody = RollbackBody.extend(BodyScope).openapi('GlobalRollback');
export const GlobalRestoreBody = RestoreBody.extend(BodyScope).openapi('GlobalRestore');

/** `PUT …/requirements/{name}`: idempotent; what the name is for, and whether a job can do without it. */
export const RequirementBody = z
  .object({ description: Description.optional(), optional: z.boolean().optional() })
  .openapi('Requirement');

export const RequirementParams = z.object({ envId: Id, name: EntryName });

export const CreateEnvironmentBody = z
  .object({ name: EnvironmentName, teamId: Id.nullable().optional() })
  .openapi('CreateEnvironment');

export const CreateTeamBody = z.object({ name: DisplayName, slug: Slug }).openapi('CreateTeam');
export const AddMemberBody = z.object({ userId: Id, role: Role }).openapi('AddMember');
export const UpdateMemberBody = z.object({ role: Role }).openapi('UpdateMember');
export const CreateApiKeyBody = z
  .object({ name: DisplayName, scopes: z.array(KeyScope).min(1).max(2).optional() })
  .openapi('CreateApiKey');
export const CreateUserBody = z
  .object({ email: z.email().max(254), name: DisplayName, slug: Slug })
  .openapi('CreateUser');
export const CreateAdminKeyBody = z.object({ name: DisplayName }).openapi('CreateAdminKey');
export const CreateServiceKeyBody = z.object({ service: HostedService, name: DisplayName }).openapi('CreateServiceKey');
export const CreateRuntimeTokenBody = z
  .object({
    jobId: JobId,
    ttlSeconds: z
      .number()
      .int()
      .min(1)
      .max(LIMITS.runtimeTokenTtlMaxSeconds)
      .default(LIMITS.runtimeTokenTtlDefaultSeconds),
  })
  .openapi('CreateRuntimeToken');

/** The owner whose data keys a request means: a team, a user (the admin key names one), or neither for the caller. */
const DataKeysOwner = z
  .object({ userId: Id.optional(), teamId: Id.optional() })
  .refine((o) => !(o.userId && o.teamId), { message: 'give userId or teamId, not both', path: ['teamId'] });

export const RotateDataKeysBody = DataKeysOwner.openapi('RotateDataKeys');

/**
 * A secret's value is checked against the rule of its kind: base64 for a file, UTF-8
 * text otherwise. Used for creates here and for updates by the services, which know the kind.
 */
function valueIssue(value: string, isFile: boolean): string | undefined {
  const result = (isFile ? FileValue : Value).safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
}

/** For an update, where the kind is known only from the stored secret: the contract's 422. */
export function requireValueForKind(value: string, isFile: boolean): void {
  const message = valueIssue(value, isFile);
  if (message) throw validationError([{ loc: ['body', 'value'], msg: message, type: 'value_error' }]);
}

function refineValueForKind(body: { value: string; isFile?: boolean | undefined }, ctx: z.RefinementCtx): void {
  const message = valueIssue(body.value, body.isFile === true);
  if (message) ctx.addIssue({ code: 'custom', path: ['value'], message });
}

// ---- query strings and path parameters ----

export const ListQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(LIMITS.listMax).default(LIMITS.listDefault),
});

/** A query flag written `true` or `false` (`FLAG`). */
const Flag = z
  .enum(FLAG.values, FLAG.message)
  .optional()
  .transform((v) => v === 'true');

/** `?deleted=true` lists the recently deleted instead. */
export const EntryListQuery = ListQuery.extend({ deleted: Flag });
export const ScopedListQuery = ListQuery.extend({ teamId: Id.optional() });
export const GlobalSecretListQuery = ScopedListQuery.extend({ deleted: Flag });
export const TeamScopeQuery = z.object({ teamId: Id.optional() });

/** `?purge=true` destroys at once, also what is already deleted. */
export const DeleteQuery = z.object({ purge: Flag });
export const ScopedDeleteQuery = DeleteQuery.extend({ teamId: Id.optional() });

/** `If-Match: <version>` on a change: made only to that version (a quoted entity tag is read the same). */
export const IfMatchHeaders = z.object({
  'if-match': z
    .string()
    .regex(/^(?:\d{1,9}|"\d{1,9}"|\*)$/, 'must be a version number')
    .optional()
    .transform((v) => (v === undefined || v === '*' ? undefined : Number(v.replaceAll('"', '')))),
});

export const AuditQuery = z.object({
  teamId: Id.optional(),
  environmentId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.listMax).default(LIMITS.listDefault),
  cursor: z.string().max(512).optional(),
});

export const PlatformAuditQuery = AuditQuery.pick({ limit: true, cursor: true });

/** `?allowMissing=true` reads the runtime set although required names are missing. */
export const RuntimeQuery = z.object({ allowMissing: Flag });

/** `X-Job-Id` of a runtime read, recorded in its audit event. */
export const RuntimeHeaders = z.object({ 'x-job-id': JobId.optional() });

/** `GET /data-keys`: the owner as `POST /data-keys/rotate` names it in its body. */
export const DataKeysQuery = DataKeysOwner;
