import { Console } from 'node:console';
import { getXRayTraceIdFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import type { RequestIds } from './metrics.js';

/** A log line's own fields: metadata only (see `Logger`). */
export type LogAttributes = Readonly<Record<string, unknown>>;

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

/** Where lines go: info to `stdout`, warn and error to `stderr`. */
export interface LogStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const THRESHOLDS = {
  TRACE: 6,
  DEBUG: 8,
  INFO: 12,
  WARN: 16,
  ERROR: 20,
  CRITICAL: 24,
  SILENT: 28,
} as const;

const isLevel = (name: string): name is keyof typeof THRESHOLDS => Object.hasOwn(THRESHOLDS, name);

/** The fields every line starts with; an attribute of the same name is dropped. */
const RESERVED = new Set(['level', 'message', 'timestamp', 'service', 'xray_trace_id']);

/**
 * The level below which nothing is written, read as Powertools Logger read it (the logger the
 * service used before this one): Lambda's own log level (AWS_LAMBDA_LOG_LEVEL, FATAL meaning
 * CRITICAL) wins, then POWERTOOLS_LOG_LEVEL, else LOG_LEVEL; INFO when none names a level.
 */
export function logThreshold(env: NodeJS.ProcessEnv = process.env): number {
  const lambda = env.AWS_LAMBDA_LOG_LEVEL?.trim() ?? '';
  const lambdaLevel = lambda === 'FATAL' ? 'CRITICAL' : lambda;
  if (isLevel(lambdaLevel)) return THRESHOLDS[lambdaLevel];
  const level = env.POWERTOOLS_LOG_LEVEL?.trim() || env.LOG_LEVEL?.trim() || '';
  return isLevel(level) ? THRESHOLDS[level] : THRESHOLDS.INFO;
}

/**
 * An error as its name, where it was thrown and its stack's frames, and its cause alike: never
 * its message, nor its own fields, which can carry what was being read or written (a parser's
 * message quotes its input; an SDK error may hold the item a condition refused). The service logs
 * errors by name; this holds should an error object reach a line anyway.
 */
function errorFields(error: Error): Record<string, unknown> {
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  // `at fn (file:line:column)` or `at file:line:column`.
  const location = /at (?:.*\()?(.+?):(\d+):\d+\)?$/.exec(frames[0] ?? '');
  return {
    name: error.name,
    location: location ? `${location[1] ?? ''}:${Number(location[2])}` : '',
    stack: frames.map((frame) => frame.trim()),
    ...(error.cause instanceof Error ? { cause: errorFields(error.cause) } : {}),
  };
}

/** An error as the service logs it: by its name, never its message (`typeof` of anything thrown that is no error). */
export const errorName = (err: unknown): string => (err instanceof Error ? err.name : typeof err);

/** JSON of anything: errors as fields, bigints as text, a repeated (circular) object left out. */
function serialize(line: Record<string, unknown>): string {
  const ancestors: unknown[] = [];
  return JSON.stringify(line, function (this: unknown, _key, value: unknown) {
    const replaced = value instanceof Error ? errorFields(value) : value;
    if (typeof replaced === 'bigint') return replaced.toString();
    if (typeof replaced === 'object' && replaced !== null) {
      while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
      if (ancestors.includes(replaced)) return undefined;
      ancestors.push(replaced);
    }
    return replaced;
  });
}

/**
 * Structured JSON logs: one line per call, `level`, `message`, `timestamp` (ISO), `service` and,
 * in Lambda, `xray_trace_id` first, then the attributes: the fields Powertools Logger wrote (an
 * error object's excepted, `errorFields`), for the few calls the service makes. Its own because every function parses its logger on each cold
 * start, the job-start read's included, and Powertools Logger was the largest part of what that
 * bundle adds to the AWS SDK's (README, Performance). Never throws: attributes that cannot be
 * written (a getter or `toJSON` that throws) leave the line with its own fields and
 * `attributesError`.
 */
export function createLogger(serviceName = 'prime-secrets', streams: LogStreams = process): Logger {
  const threshold = logThreshold();
  const out = new Console({ stdout: streams.stdout, stderr: streams.stderr });
  const level =
    (name: 'INFO' | 'WARN' | 'ERROR', write: (line: string) => void): Logger['info'] =>
    (message, attributes) => {
      if (THRESHOLDS[name] < threshold) return;
      const base = {
        level: name,
        message,
        timestamp: new Date().toISOString(),
        service: serviceName,
        // The invocation's trace (Lambda sets it whether or not the function traces), as Powertools
        // Logger wrote it, so a line leads to its trace in X-Ray.
        xray_trace_id: getXRayTraceIdFromEnv(),
      };
      let text: string;
      try {
        const line: Record<string, unknown> = { ...base };
        for (const [key, value] of Object.entries(attributes)) if (!RESERVED.has(key)) line[key] = value;
        text = serialize(line);
      } catch (err) {
        text = serialize({ ...base, attributesError: errorName(err) });
      }
      write(text);
    };
  return {
    info: level('INFO', (line) => out.info(line)),
    warn: level('WARN', (line) => out.warn(line)),
    error: level('ERROR', (line) => out.error(line)),
  };
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
