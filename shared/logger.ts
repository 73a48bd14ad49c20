import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { RequestIds } from './metrics.js';

/**
 * What the service logs with: a message and its attributes. Only metadata is ever logged:
 * method, route, status, latency, request ids, the calling key's id, error names. Never a body, a
 * header, a value or a key.
 */
export interface Logger {
  info(message: string, attributes: LogAttributes): void;
  warn(message: string, attributes: LogAttributes): void;
  error(message: string, attributes: LogAttributes): void;
}

/** Structured JSON logs (Powertools). */
export function createLogger(serviceName = 'prime-secrets'): PowertoolsLogger {
  // The level comes from POWERTOOLS_LOG_LEVEL (or AWS_LAMBDA_LOG_LEVEL), INFO by default.
  return new PowertoolsLogger({ serviceName });
}

/**
 * `logger`, each line written during a request carrying that request's ids (`ids`, from
 * shared/metrics.ts), as its metric line and the `X-Request-Id` header do. Passed with every
 * line rather than appended to the logger: the local server answers many requests at once.
 */
export function withRequestIds(logger: Logger, ids: () => RequestIds | undefined): Logger {
  const level =
    (name: keyof Logger): Logger['info'] =>
    (message, attributes) =>
      logger[name](message, { ...ids(), ...attributes });
  return { info: level('info'), warn: level('warn'), error: level('error') };
}
