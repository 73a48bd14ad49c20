import { createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import { ErrorBody } from '../api-objects.js';
import type { ErrorCode } from '../errors.js';

/** Building blocks of route definitions: request bodies, success envelopes, the error responses. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  content: { 'application/json': { schema } },
  required: true,
});

export const dataOf = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema: z.object({ data: schema }) } },
});

export const listOf = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema: z.object({ data: z.array(schema), totalCount: z.number().int() }) } },
});

/** The 409 codes: what a create, rename, link, restore or membership change can run into. */
type ConflictCode = Extract<
  ErrorCode,
  | 'conflict'
  | 'name_taken'
  | 'slug_taken'
  | 'scope_mismatch'
  | 'already_linked'
  | 'is_linked'
  | 'last_admin'
  | 'last_admin_key'
  | 'limit_exceeded'
  | 'limit_reached'
>;

/**
 * What a route can answer besides success, beyond what its shape implies (`apiRoute`): each
 * route states only the errors its own operation can meet.
 */
export interface RouteErrors {
  /** 400 `bad_request` for something other than a malformed body: what. */
  badRequest?: string;
  /** 404 `not_found`: the route looks something up that may be missing or not the caller's. */
  notFound?: true;
  /** 409: the conflict codes the operation can answer. */
  conflicts?: readonly ConflictCode[];
  /** 412: `precondition_failed` (an `If-Match` header) or `missing_required` (the runtime read). */
  preconditions?: readonly Extract<ErrorCode, 'precondition_failed' | 'missing_required'>[];
  /** 413 for what the route answers: a resolved set over its limit. */
  responseTooLarge?: true;
}

const codes = (list: readonly ErrorCode[]) => list.map((code) => `\`${code}\``).join(', ');

export const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } },
} as const;

/** On every answer (shared/http/baseline.ts). */
const REQUEST_ID = {
  'X-Request-Id': {
    description: "The request's id, the one the service's logs carry: quote it when reporting an error",
    schema: { type: 'string' },
  },
} as const;

const error = (description: string, headers?: typeof RETRY_AFTER) => ({
  description,
  headers: { ...REQUEST_ID, ...headers },
  content: { 'application/json': { schema: ErrorBody } },
});

const PRECONDITIONS = {
  precondition_failed: '`If-Match` names a version that is no longer the current one (`precondition_failed`)',
  missing_required:
    'A required, non-optional name has no entry (`missing_required`); `?allowMissing=true` reads anyway',
} as const;

/**
 * The error responses of a route, derived from its shape and its own `errors`: a key (`security`)
 * brings 401, 403 (every keyed route takes only some kinds of key or scopes: shared/auth/authorization.ts),
 * 429 and 503 (the key is looked up, and rate limited, per request); a JSON body 400 and 413;
 * anything validated (params, query, headers, body) 422; every route may fail with 500.
 */
function errorResponsesOf(route: Pick<RouteConfig, 'security' | 'request'>, errors: RouteErrors) {
  const keyed = (route.security?.length ?? 0) > 0;
  const { body, ...parts } = route.request ?? {};
  const validated = body !== undefined || Object.values(parts).some((part) => part !== undefined);
  const badRequest = [...(body ? ['Malformed JSON, or a body that is not JSON'] : []), errors.badRequest ?? []].flat();
  const tooLarge = [
    ...(body ? ['Body over 256 KiB'] : []),
    ...(errors.responseTooLarge ? ['The resolved set over 5 MiB, naming the largest entries'] : []),
  ];
  const conflicts = errors.conflicts ?? [];
  const preconditions = errors.preconditions ?? [];
  return {
    ...(badRequest.length ? { 400: error(`${badRequest.join('; ')} (\`bad_request\`)`) } : {}),
    ...(keyed ? { 401: error('Missing, unknown, revoked or expired API key (`unauthorized`)') } : {}),
    ...(keyed ? { 403: error("Visible, but the caller's role or kind of key may not do this (`forbidden`)") } : {}),
    ...(errors.notFound ? { 404: error('Not found, or not visible to the caller (`not_found`)') } : {}),
    ...(conflicts.length ? { 409: error(`Conflict: ${codes(conflicts)}`) } : {}),
    ...(preconditions.length ? { 412: error(preconditions.map((code) => PRECONDITIONS[code]).join('; ')) } : {}),
    ...(tooLarge.length ? { 413: error(`${tooLarge.join('; ')} (\`payload_too_large\`)`) } : {}),
    ...(validated ? { 422: error('Validation error, FastAPI style (`validation_error`)') } : {}),
    ...(keyed ? { 429: error("Over the key's rate limit (`rate_limited`)", RETRY_AFTER) } : {}),
    500: error('Internal error (`internal`), with no detail of the cause'),
    ...(keyed ? { 503: error('A dependency is down or throttling (`unavailable`)', RETRY_AFTER) } : {}),
  };
}

/**
 * `createRoute`, with the errors the route itself may answer beyond its shape (`RouteErrors`)
 * kept on it: the OpenAPI document's module alone turns them into responses (`withErrorResponses`),
 * so no function's cold start builds them.
 */
export const apiRoute = <P extends string, R extends Omit<RouteConfig, 'path'> & { path: P }>(
  route: R,
  errors: RouteErrors = {},
) => createRoute<P, R>({ ...route, errors });

/**
 * A route declared by `apiRoute` as the document shows it: its error responses added, and the
 * request id on every answer. A status the route declares itself keeps its declaration (the deep
 * health check's 503 also carries a body).
 */
export function withErrorResponses(declared: RouteConfig & { errors?: RouteErrors }): RouteConfig {
  const { errors = {}, ...route } = declared;
  const own = Object.entries(route.responses).map(([status, response]) => [
    status,
    { ...response, headers: { ...REQUEST_ID, ...('headers' in response ? response.headers : {}) } },
  ]);
  return { ...route, responses: { ...errorResponsesOf(route, errors), ...Object.fromEntries(own) } };
}

/** What a route declares of keys; shared/http/api-app.ts has them, zod-free, beside the check that enforces them. */
export { security, securityWithRuntimeToken } from './api-app.js';
