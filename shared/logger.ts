import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs (Powertools). Only metadata is ever logged: method, route, status,
 * latency, request id, error names. Never a body, a header, a value or a key.
 */
export function createLogger(serviceName = 'prime-secrets'): Logger {
  // The level comes from POWERTOOLS_LOG_LEVEL (or AWS_LAMBDA_LOG_LEVEL), INFO by default.
  return new Logger({ serviceName });
}

export type { Logger };
