import { AsyncLocalStorage } from 'node:async_hooks';
import { Metrics as EmfMetrics } from '@aws-lambda-powertools/metrics';
import type { MetricUnit } from '@aws-lambda-powertools/metrics/types';
import { dependencyFailureKind } from './dependency-failure.js';
import { METRICS } from './metric-catalog.js';

export type Metric = (typeof METRICS)[keyof typeof METRICS];

/** The ids one request's log lines and metric line carry, so that they join the access log and an error report. */
export interface RequestIds {
  /** API Gateway's request id (its access log's), or one made here; the `X-Request-Id` header. */
  requestId: string;
  /** The Lambda invocation's request id; none in the local server. */
  awsRequestId?: string;
}

interface RunningRequest {
  ids: RequestIds;
  counts: Map<Metric, number>;
}

export type Dependency = 'dynamoDb' | 'kms';

interface Sender {
  send(command: object, options?: object): Promise<unknown>;
}

const FAILURES: Record<Dependency, Record<'failure' | 'throttle', Metric>> = {
  dynamoDb: { failure: METRICS.dynamoDbFailures, throttle: METRICS.dynamoDbThrottles },
  kms: { failure: METRICS.kmsFailures, throttle: METRICS.kmsThrottles },
};

/** A route that names an id (`:id`, `:envId`, …): a 403 or 404 there is a refused id. */
const NAMES_AN_ID = /:(id|\w+Id)\b/;

export interface RequestMetricsOptions {
  /** The CloudWatch namespace (METRICS_NAMESPACE). */
  namespace: string;
  /** Off (METRICS=off): nothing is counted and no line is written. */
  enabled: boolean;
  /** Where a line goes; stdout by default, where Lambda hands it to CloudWatch (and `npm start` to its log). */
  write?: (line: string) => void;
}

/**
 * Each request's metrics, counted apart from any other request's (the local server serves many
 * at once) and written once, when it is answered, as one line of CloudWatch's embedded metric
 * format (Powertools Metrics): the namespace, one dimension `service` (the function's
 * resource), the counts, and the request's ids as properties, never as dimensions. Services
 * count through `deps.metrics`; a count made outside a request (the admin CLI, the seed) is
 * dropped. No count carries a name, a key or a value: only the catalog's names
 * (shared/metric-catalog.ts) and numbers.
 */
export class RequestMetrics {
  private readonly running = new AsyncLocalStorage<RunningRequest>();
  /** One serializer per service: its `service` dimension is fixed when it is made. */
  private readonly emitters = new Map<string, EmfMetrics>();
  private readonly write: (line: string) => void;

  constructor(private readonly options: RequestMetricsOptions) {
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
  }

  /** Runs `work` as one request with `ids`; counts made within it are this request's. */
  run<T>(ids: RequestIds, work: () => Promise<T>): Promise<T> {
    return this.running.run({ ids, counts: new Map() }, work);
  }

  /** The running request's ids, for its log lines. */
  ids(): RequestIds | undefined {
    return this.running.getStore()?.ids;
  }

  count(metric: Metric, value = 1): void {
    if (!this.options.enabled) return;
    const counts = this.running.getStore()?.counts;
    if (counts) counts.set(metric, (counts.get(metric) ?? 0) + value);
  }

  /** Counts `call`'s failure or throttle (shared/dependency-failure.ts), should it fail as a dependency does. */
  async failuresOf<T>(dependency: Dependency, call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (err) {
      const kind = dependencyFailureKind(err);
      if (kind) this.count(FAILURES[dependency][kind]);
      throw err;
    }
  }

  /**
   * Makes every `send` of `client` count its failure or throttle, as the service sees it: after
   * the SDK's retries and the request's deadline (shared/deadline.ts).
   */
  countFailures<C extends Sender>(dependency: Dependency, client: C): C {
    const send = client.send.bind(client);
    client.send = ((command, options) => this.failuresOf(dependency, send(command, options))) as C['send'];
    return client;
  }

  /**
   * What every answer counts, then the request's one line. Requests, ClientErrors, ServerErrors
   * and Latency are in every line (0 when not), so that their averages are rates.
   */
  answered(service: string, answer: { status: number; route: string; ms: number }): void {
    const running = this.running.getStore();
    if (!this.options.enabled || !running) return;
    const { status } = answer;
    const refused = status === 403 || status === 404;
    this.count(METRICS.requests);
    this.count(METRICS.clientErrors, status >= 400 && status < 500 ? 1 : 0);
    this.count(METRICS.serverErrors, status >= 500 ? 1 : 0);
    running.counts.set(METRICS.latency, answer.ms);
    if (status === 401) this.count(METRICS.unauthenticated);
    if (refused && NAMES_AN_ID.test(answer.route)) this.count(METRICS.refusedIds);
    this.flush(service, running);
  }

  private flush(service: string, { ids, counts }: RunningRequest): void {
    const emf = this.emitterOf(service);
    for (const [metric, value] of counts) emf.addMetric(metric.name, metric.unit as MetricUnit, value);
    emf.addMetadata('requestId', ids.requestId);
    if (ids.awsRequestId) emf.addMetadata('awsRequestId', ids.awsRequestId);
    // Serialized and cleared in one synchronous step: no other request's counts can come between.
    const line = JSON.stringify(emf.serializeMetrics());
    emf.clearMetrics();
    emf.clearMetadata();
    counts.clear();
    this.write(line);
  }

  private emitterOf(service: string): EmfMetrics {
    let emf = this.emitters.get(service);
    if (!emf) {
      emf = new EmfMetrics({ namespace: this.options.namespace, serviceName: service });
      this.emitters.set(service, emf);
    }
    return emf;
  }
}
