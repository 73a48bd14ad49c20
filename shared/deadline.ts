import { AsyncLocalStorage } from 'node:async_hooks';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DependencyUnavailableError } from './dependency-failure.js';

/**
 * How long a call to DynamoDB or KMS may take: each attempt, and all of a request's calls
 * together. The SDK clients make at most 3 attempts of at most 3 s each, and a request makes
 * several calls in a row, so without a bound for the whole request a slow dependency could
 * keep it past the function's timeout (Lambda would kill it, after a write had committed).
 */

const CONNECTION_TIMEOUT_MS = 1_000;
const ANSWER_TIMEOUT_MS = 3_000;
/** One attempt of a call, at most: connected within 1 s, answered within 3 s (then the SDK retries). */
export const ATTEMPT_TIMEOUT_MS = CONNECTION_TIMEOUT_MS + ANSWER_TIMEOUT_MS;

/**
 * The SDK clients' HTTP handler. Without throwOnRequestTimeout the request timeout only logs
 * a warning and a hung endpoint hangs the request.
 */
export function boundedRequestHandler(): NodeHttpHandler {
  return new NodeHttpHandler({
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: ANSWER_TIMEOUT_MS,
    throwOnRequestTimeout: true,
  });
}

/** The request ran out of time: a 503 `unavailable` with Retry-After (shared/http/errors-handler.ts). */
export class DeadlineReached extends DependencyUnavailableError {
  constructor(options?: { cause?: unknown }) {
    super('the request reached its deadline', options);
    this.name = 'DeadlineReached';
  }
}

/** The running request's deadline, in epoch milliseconds. */
const deadlines = new AsyncLocalStorage<number>();

/**
 * Runs `work` with a deadline `ms` from now on every dependency call it makes, or the running
 * request's, if that comes sooner: a part of a request (a health check) never outlives it.
 */
export function withDeadline<T>(ms: number, work: () => Promise<T>): Promise<T> {
  return deadlines.run(Math.min(Date.now() + ms, deadlines.getStore() ?? Number.POSITIVE_INFINITY), work);
}

interface Sender {
  send(command: object, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/**
 * Binds every `send` of `client` to the deadline of the request it is made in (none outside
 * a request: the admin CLI, the seed): the call gets the request's abort signal, so a read
 * and its retries end when the deadline comes. A write (`isWrite`) does not start unless a
 * whole attempt (4 s) fits before the deadline, so the deadline never cuts its first attempt:
 * it gets its answer, or its attempt times out (DynamoDB hung: whether it committed is then
 * unknown to anyone, and the SDK's retry under the same idempotency token tells, if it fits).
 */
export function boundToDeadline<C extends Sender>(client: C, isWrite: (command: object) => boolean = () => false): C {
  const send = client.send.bind(client);
  const bound: Sender['send'] = async (command, options) => {
    const deadline = deadlines.getStore();
    if (deadline === undefined) return send(command, options);
    const remaining = deadline - Date.now();
    if (remaining <= 0 || (isWrite(command) && remaining < ATTEMPT_TIMEOUT_MS)) throw new DeadlineReached();
    // A signal per call: the SDK adds listeners to it, and a request may make many calls at once.
    const timeout = AbortSignal.timeout(remaining);
    const signal = options?.abortSignal ? AbortSignal.any([options.abortSignal, timeout]) : timeout;
    try {
      return await send(command, { ...options, abortSignal: signal });
    } catch (err) {
      throw timeout.aborted && (err as Error)?.name === 'AbortError' ? new DeadlineReached({ cause: err }) : err;
    }
  };
  client.send = bound as C['send'];
  return client;
}
