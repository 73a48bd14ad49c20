import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ApiError, badRequest, internalError, unavailable } from '../errors.js';
import { SealBrokenError } from '../crypto/envelope.js';
import { isDependencyUnavailable } from '../dependency-failure.js';
import { errorName, type Logger } from '../logger.js';

/**
 * Every failure leaves as the contract's error body. Unexpected errors become 500
 * `internal` or 503 `unavailable`; only their names reach the log, never a message that
 * could carry a key, a table name or a value.
 */
function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) {
    if (err.status === 400) return badRequest('Malformed JSON in request body.');
    if (err.status === 413) return new ApiError(413, 'payload_too_large', 'Request body is larger than 256 KiB.');
    // A body sent without `Content-Type: application/json`: the contract has no 415, and this is a bad request.
    if (err.status === 415) return badRequest('The body must be JSON, sent with Content-Type: application/json.');
    return new ApiError(
      err.status as ApiError['status'],
      err.status === 404 ? 'not_found' : 'bad_request',
      err.message,
    );
  }
  if (isDependencyUnavailable(err)) return unavailable();
  return internalError();
}

/** The contract's error for `err`, its headers set on `c`, and a log line when it is a 5xx. */
export function handleError(c: Context, err: unknown, logger: Logger): ApiError {
  const apiError = toApiError(err);
  if (apiError.status >= 500) {
    logger.error('request failed', {
      method: c.req.method,
      route: c.req.routePath,
      status: apiError.status,
      error: errorName(err),
      sealBroken: err instanceof SealBrokenError,
    });
  }
  for (const [name, value] of Object.entries(apiError.headers)) c.header(name, value);
  return apiError;
}

/** An error as the contract's JSON body. */
export function jsonError(c: Context, error: ApiError): Response {
  return c.json(error.body(), error.status);
}

/** An unknown path, in the contract's shape. */
export function routeNotFound(c: Context): Response {
  return jsonError(c, new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}.`));
}
