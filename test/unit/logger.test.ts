import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, logThreshold, withRequestIds, type Logger } from '../../shared/logger.js';

afterEach(() => vi.unstubAllEnvs());

/** A logger whose two streams are kept, each as the lines written to it. */
function capturedLogger(): { logger: Logger; stdout: string[]; stderr: string[] } {
  const into = (lines: string[]) =>
    new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { logger: createLogger('logger-test', { stdout: into(stdout), stderr: into(stderr) }), stdout, stderr };
}

const parsed = (lines: string[]) => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

/** The threshold's environment as in a function that sets none of it, outside any trace. */
function levelEnv(env: { AWS_LAMBDA_LOG_LEVEL?: string; POWERTOOLS_LOG_LEVEL?: string; LOG_LEVEL?: string }): void {
  vi.stubEnv('AWS_LAMBDA_LOG_LEVEL', env.AWS_LAMBDA_LOG_LEVEL);
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', env.POWERTOOLS_LOG_LEVEL);
  vi.stubEnv('LOG_LEVEL', env.LOG_LEVEL);
  vi.stubEnv('_X_AMZN_TRACE_ID', undefined);
}

describe('a log line', () => {
  it('is one JSON line: level, message, ISO timestamp, service, then the attributes', () => {
    levelEnv({});
    const { logger, stdout, stderr } = capturedLogger();
    logger.info('request', { method: 'GET', status: 200, latencyMs: 3 });

    expect(stderr).toEqual([]);
    expect(stdout).toHaveLength(1);
    expect(stdout[0]).toMatch(/^\{.*\}\n$/);
    const [line] = parsed(stdout);
    expect(Object.keys(line ?? {})).toEqual([
      'level',
      'message',
      'timestamp',
      'service',
      'method',
      'status',
      'latencyMs',
    ]);
    expect(line).toMatchObject({
      level: 'INFO',
      message: 'request',
      service: 'logger-test',
      method: 'GET',
      status: 200,
    });
    expect(new Date(String(line?.timestamp)).toISOString()).toBe(line?.timestamp);
  });

  it('goes to stdout for info and to stderr for warn and error, as Powertools wrote them', () => {
    levelEnv({});
    const { logger, stdout, stderr } = capturedLogger();
    logger.info('i', {});
    logger.warn('w', {});
    logger.error('e', {});
    expect(parsed(stdout).map((l) => l.level)).toEqual(['INFO']);
    expect(parsed(stderr).map((l) => [l.level, l.message])).toEqual([
      ['WARN', 'w'],
      ['ERROR', 'e'],
    ]);
  });

  it("in Lambda, carries the invocation's X-Ray trace id after the service, as Powertools Logger did", () => {
    levelEnv({});
    // What Lambda sets for each invocation, whether or not the function traces.
    vi.stubEnv('_X_AMZN_TRACE_ID', 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=1');
    const { logger, stdout } = capturedLogger();
    logger.info('request', { status: 200, xray_trace_id: 'forged' });
    const [line] = parsed(stdout);
    expect(Object.keys(line ?? {})).toEqual(['level', 'message', 'timestamp', 'service', 'xray_trace_id', 'status']);
    expect(line?.xray_trace_id).toBe('1-5759e988-bd862e3fe1be46a994272793');
  });

  it('keeps its own fields: an attribute named like one is dropped', () => {
    levelEnv({});
    const { logger, stdout } = capturedLogger();
    logger.info('request', { level: 'ERROR', message: 'forged', service: 'other', route: '/x' });
    expect(parsed(stdout)[0]).toMatchObject({ level: 'INFO', message: 'request', service: 'logger-test', route: '/x' });
  });

  it('carries the request ids withRequestIds gives, under the attributes', () => {
    levelEnv({});
    const { logger, stdout } = capturedLogger();
    withRequestIds(logger, () => ({ requestId: 'r-1', awsRequestId: 'a-1' })).info('request', { status: 204 });
    expect(parsed(stdout)[0]).toMatchObject({ requestId: 'r-1', awsRequestId: 'a-1', status: 204 });
  });
});

describe('odd attributes', () => {
  it('writes an Error by its name, where it was thrown, its frames and its cause: never its message or its fields', () => {
    levelEnv({});
    const { logger, stderr } = capturedLogger();
    const secret = 'sk-live-0123456789';
    const err = Object.assign(new SyntaxError(`Unexpected token in "${secret}"`, { cause: new RangeError(secret) }), {
      Item: { value: { S: secret } },
    });
    logger.error('request failed', { error: err });

    expect(stderr.join('')).not.toContain(secret);
    const error = parsed(stderr)[0]?.error as Record<string, unknown>;
    expect(Object.keys(error)).toEqual(['name', 'location', 'stack', 'cause']);
    expect(error.name).toBe('SyntaxError');
    // The first frame `(file:line:column)`, as file:line; the frames as they were, without the message line.
    expect(error.location).toMatch(/^\S+:\d+$/);
    expect(error.stack).toEqual(
      err
        .stack!.split('\n')
        .slice(1)
        .map((frame) => frame.trim()),
    );
    expect(error.cause).toMatchObject({ name: 'RangeError' });
    expect(error.cause).not.toHaveProperty('message');
  });

  it('writes a bigint as text and leaves a circular reference out', () => {
    levelEnv({});
    const { logger, stdout } = capturedLogger();
    const loop: Record<string, unknown> = { depth: 1 };
    loop.self = loop;
    logger.info('odd', { count: 10n, loop });
    expect(parsed(stdout)[0]).toMatchObject({ count: '10', loop: { depth: 1 } });
  });

  it('never throws on an attribute that cannot be written: the line keeps its own fields', () => {
    levelEnv({});
    const { logger, stdout } = capturedLogger();
    const unwritable = {
      toJSON() {
        throw new RangeError('cannot');
      },
    };
    expect(() => logger.info('request', { status: 200, unwritable })).not.toThrow();
    const [line] = parsed(stdout);
    expect(line).toMatchObject({ level: 'INFO', message: 'request', attributesError: 'RangeError' });
    expect(line).not.toHaveProperty('status');
  });
});

describe('the level threshold', () => {
  it('is INFO when nothing names a level, or when what is named is no level', () => {
    expect(logThreshold({})).toBe(logThreshold({ POWERTOOLS_LOG_LEVEL: 'INFO' }));
    expect(logThreshold({ POWERTOOLS_LOG_LEVEL: 'loud' })).toBe(logThreshold({}));
    expect(logThreshold({ POWERTOOLS_LOG_LEVEL: 'warn' })).toBe(logThreshold({}));
  });

  it("is Lambda's own level first, then POWERTOOLS_LOG_LEVEL, then LOG_LEVEL", () => {
    const error = logThreshold({ POWERTOOLS_LOG_LEVEL: 'ERROR' });
    expect(logThreshold({ AWS_LAMBDA_LOG_LEVEL: 'ERROR', POWERTOOLS_LOG_LEVEL: 'DEBUG' })).toBe(error);
    expect(logThreshold({ POWERTOOLS_LOG_LEVEL: 'ERROR', LOG_LEVEL: 'DEBUG' })).toBe(error);
    expect(logThreshold({ LOG_LEVEL: ' ERROR ' })).toBe(error);
    // Lambda's FATAL is Powertools' CRITICAL: above ERROR, below SILENT.
    const fatal = logThreshold({ AWS_LAMBDA_LOG_LEVEL: 'FATAL' });
    expect(fatal).toBeGreaterThan(error);
    expect(fatal).toBeLessThan(logThreshold({ POWERTOOLS_LOG_LEVEL: 'SILENT' }));
  });

  it('is read from the environment when the logger is made, and drops what is below it', () => {
    levelEnv({ POWERTOOLS_LOG_LEVEL: 'WARN' });
    const warn = capturedLogger();
    levelEnv({ AWS_LAMBDA_LOG_LEVEL: 'FATAL', POWERTOOLS_LOG_LEVEL: 'DEBUG' });
    const fatal = capturedLogger();
    levelEnv({ POWERTOOLS_LOG_LEVEL: 'SILENT' });
    const silent = capturedLogger();
    levelEnv({ LOG_LEVEL: 'DEBUG' });
    const debug = capturedLogger();

    for (const { logger } of [warn, fatal, silent, debug]) {
      logger.info('i', {});
      logger.warn('w', {});
      logger.error('e', {});
    }
    expect(parsed(warn.stdout)).toEqual([]);
    expect(parsed(warn.stderr).map((l) => l.level)).toEqual(['WARN', 'ERROR']);
    expect([...fatal.stdout, ...fatal.stderr, ...silent.stdout, ...silent.stderr]).toEqual([]);
    expect(parsed(debug.stdout).map((l) => l.level)).toEqual(['INFO']);
    expect(parsed(debug.stderr).map((l) => l.level)).toEqual(['WARN', 'ERROR']);
  });
});
