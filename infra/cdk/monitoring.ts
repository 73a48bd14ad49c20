import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { HttpApi, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  type AlarmBase,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Operation, type TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { RESOURCES, ROUTES, type Resource } from '../../functions/routes.js';
import { METRICS } from '../../shared/metric-catalog.js';
import { constructName } from './construct-name.js';
import { PERMISSIONS } from './permissions.js';

/**
 * Each alarm's threshold (docs/operations.md, "Alarms" gives the reason for each default). Counts are per
 * period (5 minutes); every alarm treats missing data (no traffic) as fine.
 */
export interface AlarmThresholds {
  /** Lambda `Errors` of one function: invocations that crashed or timed out. */
  functionErrors: number;
  /** Lambda `Throttles` of one function: invocations refused for concurrency. */
  functionThrottles: number;
  /** p99 `Duration` of one function, in percent of its timeout. */
  functionDurationP99Percent: number;
  /** The API's 5xx answers, in percent of its requests. */
  apiServerErrorRatePercent: number;
  /** p99 latency of the runtime read's route (`RUNTIME_READ_ROUTE`), in ms. */
  runtimeLatencyP99Ms: number;
  /** DynamoDB `ThrottledRequests` on the table, every operation the functions call. */
  dynamoDbThrottledRequests: number;
  /** DynamoDB `SystemErrors` on the table. */
  dynamoDbSystemErrors: number;
  /** KMS calls failed or throttled after the SDK's retries (KmsFailures + KmsThrottles), every function. */
  kmsFailures: number;
  /** Audit events that could not be written (each one a refused read). */
  auditWriteFailures: number;
  /** 401 answers, every function. */
  unauthenticated: number;
  /** 403 and 404 answers on routes naming an id, every function. */
  refusedIds: number;
  /** How far behind the audit stream's forwarder may fall (Lambda's `IteratorAge`), in ms; with the audit stream only. */
  auditStreamIteratorAgeMs: number;
}

export const DEFAULT_ALARM_THRESHOLDS: AlarmThresholds = {
  functionErrors: 1,
  functionThrottles: 1,
  functionDurationP99Percent: 80,
  apiServerErrorRatePercent: 1,
  runtimeLatencyP99Ms: 1_000,
  dynamoDbThrottledRequests: 10,
  dynamoDbSystemErrors: 5,
  kmsFailures: 1,
  auditWriteFailures: 1,
  unauthenticated: 100,
  refusedIds: 50,
  auditStreamIteratorAgeMs: 300_000,
};

/** The job-start route whose latency is watched on its own (API Gateway's detailed metrics). */
export const RUNTIME_READ_ROUTE = (() => {
  const route = ROUTES.find((r) => r.resource === 'runtime' && r.method === 'GET' && r.path.endsWith('/runtime'));
  if (!route) throw new Error('the route table has no runtime read (GET …/runtime)');
  return route;
})();

export interface MonitoringProps {
  /** Names the dashboard and the topic (`prime-secrets-prod`). */
  name: string;
  functions: Record<Resource, LambdaFunction>;
  /** Each function's timeout, which its duration alarm is measured against. */
  functionTimeout: Duration;
  api: HttpApi;
  apiStage: HttpStage;
  table: TableV2;
  /** Where the functions emit the metrics of shared/metric-catalog.ts (dimension `service`: the resource). */
  metricsNamespace: string;
  thresholds?: Partial<AlarmThresholds>;
  /** An existing SNS topic to notify instead of one of the stack's own. */
  alarmTopicArn?: string;
}

/** Every alarm evaluates 5-minute periods. */
const PERIOD = Duration.minutes(5);

/** A CloudWatch alarm on metric math may read at most 10 metrics (a hard quota). */
const MAX_METRICS_PER_ALARM = 10;

/**
 * The table's operations, for DynamoDB's per-operation metrics: every table action the
 * functions are granted (infra/cdk/permissions.ts), and TransactWriteItems, the call that holds
 * their transactions' writes (IAM authorizes each of its items as a single-item action).
 */
const TABLE_OPERATIONS: Operation[] = (() => {
  const actions = new Set(RESOURCES.flatMap((r) => [...PERMISSIONS[r].table, ...PERMISSIONS[r].index]));
  const operations = Object.values(Operation).filter((op) => actions.has(`dynamodb:${op}` as never));
  return [...operations, Operation.TRANSACT_WRITE_ITEMS];
})();

/**
 * The deployed service's alarms and its dashboard, from plain `aws-cloudwatch` constructs: each
 * function's errors, throttles and duration; the API's 5xx rate and the runtime read's latency;
 * the table's throttles and system errors; and the service's own metrics (shared/metric-catalog.ts)
 * for KMS, the audit writes and the security alarms. Every alarm notifies one SNS topic, the
 * stack's own (encrypted) or one given; `notify` adds any other alarm of the stack to it.
 */
export class Monitoring extends Construct {
  readonly topic: ITopic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;
  readonly thresholds: AlarmThresholds;
  private readonly props: MonitoringProps;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.props = props;
    this.thresholds = checkedThresholds({ ...DEFAULT_ALARM_THRESHOLDS, ...props.thresholds });
    this.topic = props.alarmTopicArn
      ? Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)
      : this.ownTopic(props.name);
    const t = this.thresholds;

    for (const resource of RESOURCES) {
      const fn = props.functions[resource];
      const name = constructName(resource);
      this.alarm(`${name}Errors`, `${resource}: invocations crashed or timed out`, fn.metricErrors(), t.functionErrors);
      this.alarm(
        `${name}Throttles`,
        `${resource}: invocations throttled (no concurrency left)`,
        fn.metricThrottles(),
        t.functionThrottles,
      );
      this.alarm(
        `${name}DurationP99`,
        `${resource}: p99 duration at ${t.functionDurationP99Percent}% of the ${props.functionTimeout.toSeconds()} s timeout`,
        fn.metricDuration({ statistic: Stats.p(99) }),
        (props.functionTimeout.toMilliseconds() * t.functionDurationP99Percent) / 100,
        2,
      );
    }

    this.alarm(
      'ApiServerErrorRate',
      'the API answers 5xx to more than its share of requests',
      this.apiServerErrorRate(),
      t.apiServerErrorRatePercent,
      2,
    );
    this.alarm(
      'RuntimeLatencyP99',
      `p99 latency of ${RUNTIME_READ_ROUTE.method} ${RUNTIME_READ_ROUTE.path}, in ms`,
      this.runtimeReadLatency(Stats.p(99)),
      t.runtimeLatencyP99Ms,
      2,
    );
    this.alarm(
      'TableThrottledRequests',
      'DynamoDB throttled requests on the table (before the SDK retries)',
      props.table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period: PERIOD }),
      t.dynamoDbThrottledRequests,
    );
    this.alarm(
      'TableSystemErrors',
      'DynamoDB answered 500 on the table',
      props.table.metricSystemErrorsForOperations({ operations: TABLE_OPERATIONS, period: PERIOD }),
      t.dynamoDbSystemErrors,
    );
    this.alarm('KmsFailures', 'KMS calls failed or throttled after the SDK retries', this.kmsFailures(), t.kmsFailures);
    this.alarm(
      'AuditWriteFailures',
      'audit events not written: the reads they record were refused',
      this.serviceSum('auditWriteFailures'),
      t.auditWriteFailures,
    );
    this.alarm(
      'UnauthenticatedBurst',
      'security: a burst of 401s (missing, unknown, revoked or expired keys)',
      this.serviceSum('unauthenticated'),
      t.unauthenticated,
    );
    this.alarm(
      'RefusedIdsBurst',
      'security: a burst of 403/404 on ids (walking through ids with a stolen key?)',
      this.serviceSum('refusedIds'),
      t.refusedIds,
    );

    this.dashboard = this.buildDashboard(props.name);
  }

  /** Sends `alarm` (and its return to OK) to the alarm topic: for alarms other constructs make. */
  /**
   * A stream's consumer falling behind: the age of the oldest record it took in a period
   * (Lambda's `IteratorAge`, Maximum). It fires while the records wait, hours before any of them
   * would reach a dead-letter queue.
   */
  watchStreamConsumer(id: string, fn: LambdaFunction, description: string): Alarm {
    const age = fn.metric('IteratorAge', { statistic: Stats.MAXIMUM, period: PERIOD });
    return this.alarm(id, description, age, this.thresholds.auditStreamIteratorAgeMs);
  }

  notify(alarm: AlarmBase): void {
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }

  /** One of the service's own metrics, as one function emits it. */
  private serviceMetric(metric: keyof typeof METRICS, resource: Resource, statistic: string = Stats.SUM): Metric {
    return new Metric({
      namespace: this.props.metricsNamespace,
      metricName: METRICS[metric].name,
      dimensionsMap: { service: resource },
      statistic,
      period: PERIOD,
    });
  }

  /** A service metric summed over every function. */
  private serviceSum(metric: keyof typeof METRICS): MathExpression {
    return this.sum(
      metric,
      METRICS[metric].name,
      RESOURCES.map((r) => this.serviceMetric(metric, r)),
    );
  }

  /** The sum of `metrics`, which it names `<id>0`, `<id>1`, …: ids unique within a graph. */
  private sum(id: string, label: string, metrics: IMetric[]): MathExpression {
    if (metrics.length > MAX_METRICS_PER_ALARM)
      throw new Error(`${label}: ${metrics.length} metrics, an alarm reads at most ${MAX_METRICS_PER_ALARM}`);
    const usingMetrics = Object.fromEntries(metrics.map((m, i) => [`${id}${i}`, m]));
    // FILL: a function without traffic emits nothing, which must not blank the sum.
    const expression = Object.keys(usingMetrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + ');
    return new MathExpression({ expression, usingMetrics, label, period: PERIOD });
  }

  /** KmsFailures + KmsThrottles of the functions that call KMS (those granted KMS actions). */
  private kmsFailures(): MathExpression {
    const callers = RESOURCES.filter((r) => PERMISSIONS[r].kms.length > 0);
    return this.sum(
      'kms',
      'KMS failures and throttles',
      callers.flatMap((r) => [this.serviceMetric('kmsFailures', r), this.serviceMetric('kmsThrottles', r)]),
    );
  }

  private apiServerErrorRate(): MathExpression {
    return new MathExpression({
      expression: '100 * FILL(errors, 0) / requests',
      usingMetrics: {
        errors: this.props.apiStage.metricServerError({ statistic: Stats.SUM, period: PERIOD }),
        requests: this.props.apiStage.metricCount({ statistic: Stats.SUM, period: PERIOD }),
      },
      label: '5xx, % of requests',
      period: PERIOD,
    });
  }

  /** API Gateway's latency of the runtime read's route (detailed metrics, on for that route). */
  private runtimeReadLatency(statistic: string): Metric {
    return new Metric({
      namespace: 'AWS/ApiGateway',
      metricName: 'Latency',
      dimensionsMap: {
        ApiId: this.props.api.apiId,
        Stage: this.props.apiStage.stageName,
        Method: RUNTIME_READ_ROUTE.method,
        Resource: RUNTIME_READ_ROUTE.path,
      },
      statistic,
      period: PERIOD,
      label: `runtime read ${statistic}`,
    });
  }

  private alarm(id: string, description: string, metric: IMetric, threshold: number, evaluationPeriods = 1): Alarm {
    const alarm = new Alarm(this, id, {
      // The name a notification shows: the stack's name, then what is watched.
      alarmName: `${this.props.name}-${id}`,
      alarmDescription: description,
      metric,
      threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.notify(alarm);
    this.alarms.push(alarm);
    return alarm;
  }

  /**
   * The stack's topic, encrypted with a key of its own: CloudWatch cannot publish to a topic
   * under the AWS managed SNS key, and the data key-wrapping key is for data keys only.
   */
  private ownTopic(name: string): Topic {
    // It encrypts nothing kept (SNS stores no message once delivered): it goes with the stack.
    const key = new Key(this, 'AlarmTopicKey', {
      description: `${name}: encrypts the alarm topic`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    const cloudwatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchPublishesAlarms',
        principals: [cloudwatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    const topic = new Topic(this, 'AlarmTopic', {
      topicName: `${name}-alarms`,
      displayName: `${name} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchPublishesAlarms',
        principals: [cloudwatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    return topic;
  }

  /** Job starts served and refused, latency, errors and the dependencies' health, and every alarm. */
  private buildDashboard(name: string): Dashboard {
    const { functions, apiStage, table } = this.props;
    const each = (metric: (fn: LambdaFunction) => Metric) =>
      RESOURCES.map((r) => metric(functions[r]).with({ label: r, period: PERIOD }));
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
      new GraphWidget({ title, left, right, width: 12, height: 6 });
    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: name, defaultInterval: Duration.hours(3) });
    dashboard.addWidgets(
      graph(
        'Job starts: served and refused',
        [
          this.serviceMetric('runtimeReadsServed', 'runtime').with({ label: 'served' }),
          this.serviceMetric('runtimeReadsRefused', 'runtime').with({ label: 'refused' }),
          this.serviceMetric('runtimePreconditionFailed', 'runtime').with({ label: 'refused, 412' }),
        ],
        [this.serviceMetric('auditWriteFailures', 'runtime').with({ label: 'audit write failures' })],
      ),
      graph('Job start latency (API Gateway), ms', [
        this.runtimeReadLatency(Stats.p(50)),
        this.runtimeReadLatency(Stats.p(99)),
      ]),
    );
    dashboard.addWidgets(
      graph(
        'API: requests, 4xx and 5xx',
        [
          apiStage.metricClientError({ statistic: Stats.SUM, period: PERIOD, label: '4xx' }),
          apiStage.metricServerError({ statistic: Stats.SUM, period: PERIOD, label: '5xx' }),
        ],
        [apiStage.metricCount({ statistic: Stats.SUM, period: PERIOD, label: 'requests' })],
      ),
      graph('API latency p99 (all routes), ms', [
        apiStage.metricLatency({ statistic: Stats.p(99), period: PERIOD, label: 'latency p99' }),
        apiStage.metricIntegrationLatency({ statistic: Stats.p(99), period: PERIOD, label: 'integration p99' }),
      ]),
    );
    dashboard.addWidgets(
      graph(
        'Function errors',
        each((fn) => fn.metricErrors()),
      ),
      graph(
        'Function throttles',
        each((fn) => fn.metricThrottles()),
      ),
      graph(
        'Function duration p99, ms',
        each((fn) => fn.metricDuration({ statistic: Stats.p(99) })),
      ),
      graph('Security: 401s and refused ids', [this.serviceSum('unauthenticated'), this.serviceSum('refusedIds')]),
    );
    dashboard.addWidgets(
      graph('DynamoDB: failures and throttles after retries (functions)', [
        this.serviceSum('dynamoDbFailures'),
        this.serviceSum('dynamoDbThrottles'),
      ]),
      // Each per-operation sum names its metrics by operation: one to a graph.
      graph('DynamoDB: the table’s throttled requests (before retries)', [
        table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period: PERIOD }),
      ]),
      graph('DynamoDB: the table’s system errors', [
        table.metricSystemErrorsForOperations({ operations: TABLE_OPERATIONS, period: PERIOD }),
      ]),
      graph(
        'KMS: failures and throttles after retries, and calls',
        [this.serviceSum('kmsFailures'), this.serviceSum('kmsThrottles')],
        [this.serviceSum('kmsCalls')],
      ),
    );
    dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 6 }));
    return dashboard;
  }
}

function checkedThresholds(thresholds: AlarmThresholds): AlarmThresholds {
  for (const [name, value] of Object.entries(thresholds)) {
    if (!(Number.isFinite(value) && value > 0))
      throw new Error(`alarm threshold ${name} must be above 0, got ${value}`);
  }
  if (thresholds.functionDurationP99Percent > 100)
    throw new Error(`alarm threshold functionDurationP99Percent is a percent of the timeout, at most 100`);
  return thresholds;
}
