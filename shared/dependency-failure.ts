/**
 * Whether an error means a dependency (DynamoDB, KMS) is down, unreachable or throttling:
 * the caller gets 503 `unavailable` with Retry-After rather than 500. The SDK has already
 * retried such calls with its standard, bounded strategy before we see them.
 */
/** Refusals for throughput or request quota (DynamoDB's and KMS's), counted apart as throttles. */
const THROTTLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'LimitExceededException',
]);

const UNAVAILABLE_NAMES = new Set([
  ...THROTTLE_NAMES,
  'InternalServerError',
  'InternalServerErrorException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TransactionInProgressException',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export class DependencyUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DependencyUnavailableError';
  }
}

export function isDependencyUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err instanceof DependencyUnavailableError) return true;
  if (UNAVAILABLE_NAMES.has(err.name)) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  return err.cause !== undefined && err.cause !== err && isDependencyUnavailable(err.cause);
}

/**
 * How a failed call of a dependency counts in the metrics (shared/metrics.ts): a throttle, a
 * failure (down, unreachable, too slow), or neither (an answer, such as a condition that did not hold).
 */
export function dependencyFailureKind(err: unknown): 'throttle' | 'failure' | undefined {
  if (!isDependencyUnavailable(err)) return undefined;
  return err instanceof Error && THROTTLE_NAMES.has(err.name) ? 'throttle' : 'failure';
}
