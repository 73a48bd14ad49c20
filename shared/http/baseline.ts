import type { Context, Env, Hono, MiddlewareHandler, NotFoundHandler, Schema } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Principal } from '../auth/principal.js';
import { withDeadline } from '../deadline.js';
import type { Deps } from '../deps.js';
import { payloadTooLarge, rateLimited, type ApiError } from '../errors.js';
import { newId } from '../ids.js';
import type { RequestIds } from '../metrics.js';
import { LIMITS } from '../rules.js';
import { handleError, jsonError, routeNotFound } from './errors-handler.js';
import { fitLambdaResponses } from './lambda-response.js';
import type { Taken } from './rate-limit.js';

export interface HttpBaselineOptions<E extends Env> {
  /** The app's resource in the route table (functions/routes.ts): its metrics' `service` dimension. */
  service: string;
  /** The 413's detail, in the words of what the app's bodies are. */
  bodyTooLarge: string;
  /** How an error leaves once it is the contract's (headers set, a 5xx logged); its JSON body by default. */
  renderError?: (c: Context<E>, error: ApiError) => Response | Promise<Response>;
  /** How an unknown path is answered; the contract's 404 by default. */
  notFound?: NotFoundHandler<E>;
}

/**
 * What every app does around its routes, the API's resources and the console alike: a request
 * id on every response (`X-Request-Id`), a structured log line and a metric line per request
 * (shared/metrics.ts), a deadline on every DynamoDB and KMS call the request
 * makes (shared/deadline.ts), bodies capped at 256 KiB, responses held to what Lambda can
 * return (shared/http/lambda-response.ts), every error in the contract's
 * terms (shared/http/errors-handler.ts) and unknown paths answered. The per-key rate limit is
 * `enforceRateLimit`, for each app to call once it knows the caller's key.
 */
export function useHttpBaseline<E extends Env>(
  app: Hono<E, Schema, string>,
  deps: Deps,
  options: HttpBaselineOptions<E>,
): void {
  app.use('*', requestScope(deps, options.service));
  app.use('*', (_c, next) => withDeadline(deps.config.requestDeadlineMs, next));
  app.use('*', limitReadBodies(options.bodyTooLarge));
  app.use('*', fitLambdaResponses());
  const render: NonNullable<HttpBaselineOptions<E>['renderError']> = options.renderError ?? jsonError;
  app.onError((err, c) => render(c, handleError(c, err, deps.logger)));
  app.notFound(options.notFound ?? routeNotFound);
}

/**
 * Spends one request of the caller's limit, or 429 `rate_limited` with Retry-After.
 *
 * - User and admin keys are counted in the table (shared/http/table-rate-limit.ts), so that
 *   every container gives a key the same limit as one: the answer is a promise, settled once
 *   the count is written (or a throw at once, for a key this process saw refused in its
 *   window). A user's keys share one count, so making more keys buys no more requests.
 * - Hosted services' keys and runtime tokens are decided here and now, in this process's
 *   buckets (undefined, or a synchronous throw): a service key's job-start storm (1,000 a
 *   second) would be more writes than one item takes, and a token reads its set a few times
 *   per job. Their bound across containers is the job-start routes' own throttle in the stack
 *   (infra/cdk/secrets-stack.ts). A runtime token's bucket is its own (by its id), at the
 *   users' rate: a leaked token should take no more than a user can.
 */
export function enforceRateLimit(deps: Deps, principal: Principal): Promise<void> | undefined {
  const { user, service } = deps.config.rateLimits;
  if (principal.type === 'user' || principal.type === 'admin') {
    const subject =
      principal.type === 'user'
        ? { kind: 'user' as const, id: principal.userId }
        : { kind: 'key' as const, id: principal.keyId };
    const taken = deps.tableRateLimiter.take(subject, user);
    if (taken instanceof Promise) return taken.then(admitted);
    admitted(taken);
    return undefined;
  }
  admitted(deps.rateLimiter.take(`key:${principal.keyId}`, principal.type === 'service' ? service : user));
  return undefined;
}

function admitted(taken: Taken): void {
  if (!taken.allowed) throw rateLimited(taken.retryAfterSeconds);
}

/** What hono/aws-lambda puts on a request's env; the local server's env has neither. */
interface LambdaEnv {
  event?: { requestContext?: { requestId?: string } };
  lambdaContext?: { awsRequestId?: string };
}

/**
 * A request's ids: API Gateway's request id, the one its access log writes (infra/cdk/), or a
 * new one where there is none (the local server), beside Lambda's own.
 */
function requestIdsOf(env: LambdaEnv | undefined): RequestIds {
  const requestId = env?.event?.requestContext?.requestId || newId();
  const awsRequestId = env?.lambdaContext?.awsRequestId;
  return awsRequestId ? { requestId, awsRequestId } : { requestId };
}

/**
 * One request: its id on the response, its counts kept
 * apart (shared/metrics.ts), and once answered, its structured log line (metadata only) and
 * its one metric line, both carrying its ids.
 */
function requestScope(deps: Deps, service: string): MiddlewareHandler {
  return (c, next) => {
    const ids = requestIdsOf(c.env as LambdaEnv | undefined);
    c.header('X-Request-Id', ids.requestId);
    return deps.metrics.run(ids, async () => {
      const started = performance.now();
      await next();
      const answer = {
        status: c.res.status,
        route: c.req.routePath,
        ms: Math.round((performance.now() - started) * 10) / 10,
      };
      // The key that called, by its id (never the key): who walked through ids, or met 401s after
      // a rotation, is one Logs Insights query away. Not in the metric line: ids are not dimensions.
      const keyId = (c.var as { principal?: Principal }).principal?.keyId;
      deps.logger.info('request', { method: c.req.method, ...answer, ...(keyId === undefined ? {} : { keyId }) });
      deps.metrics.answered(service, answer);
    });
  };
}

/**
 * Bodies over 256 KiB are 413 with `detail`. GET and HEAD bodies are never read, and asking
 * for one would make the Node adapter build a full Request on every runtime read, about
 * 0.1 ms of CPU on the hot path.
 */
function limitReadBodies(detail: string): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: LIMITS.bodyBytes,
    onError: () => {
      throw payloadTooLarge(detail);
    },
  });
  return (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limit(c, next));
}
