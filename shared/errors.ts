import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The machine codes of the contract's error body `{"detail", "code"}` (the OpenAPI document's enum too). */
export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'name_taken',
  'slug_taken',
  'scope_mismatch',
  'already_linked',
  'is_linked',
  'last_admin',
  'last_admin_key',
  'limit_exceeded',
  'limit_reached',
  'payload_too_large',
  'precondition_failed',
  'missing_required',
  'validation_error',
  'rate_limited',
  'internal',
  'unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** An error the API answers with; `detail` is shown to the caller, so it never holds a value. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    readonly detail: string | ValidationIssue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof detail === 'string' ? detail : 'validation error');
    this.name = 'ApiError';
  }

  body(): { detail: string | ValidationIssue[]; code: ErrorCode } {
    return { detail: this.detail, code: this.code };
  }
}

export const badRequest = (detail: string) => new ApiError(400, 'bad_request', detail);
export const unauthorized = (detail = 'Missing or invalid API key.') => new ApiError(401, 'unauthorized', detail);
export const forbidden = (detail = 'Your role does not allow this change.') => new ApiError(403, 'forbidden', detail);
export const notFound = (what = 'Resource') => new ApiError(404, 'not_found', `${what} not found.`);
export const conflict = (code: ErrorCode, detail: string) => new ApiError(409, code, detail);
export const validationError = (issues: ValidationIssue[]) => new ApiError(422, 'validation_error', issues);
export const preconditionFailed = (detail: string) => new ApiError(412, 'precondition_failed', detail);
/** The runtime read's refusal of a set without its required names: names only. */
export const missingRequiredError = (names: string[]) =>
  new ApiError(
    412,
    'missing_required',
    `Missing required secrets: ${names.join(', ')}. Add them on the environment's Secrets tab.`,
  );
export const payloadTooLarge = (detail: string) => new ApiError(413, 'payload_too_large', detail);
export const internalError = () =>
  new ApiError(500, 'internal', 'Internal error. The request could not be completed; nothing was disclosed.');
export const unavailable = (retryAfterSeconds = 1) =>
  new ApiError(503, 'unavailable', 'A dependency is unavailable or throttling. Retry later.', {
    'Retry-After': String(retryAfterSeconds),
  });
export const rateLimited = (retryAfterSeconds: number) =>
  new ApiError(429, 'rate_limited', 'Too many requests with this API key. Retry later.', {
    'Retry-After': String(retryAfterSeconds),
  });
