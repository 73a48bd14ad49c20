import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES, type Resource } from '../../functions/routes.js';
import { DEFAULT_ALARM_THRESHOLDS, RUNTIME_READ_ROUTE } from '../../infra/cdk/monitoring.js';
import { PERMISSIONS } from '../../infra/cdk/permissions.js';
import { SecretsStack } from '../../infra/cdk/secrets-stack.js';
import { FUNCTION_TIMEOUT_SECONDS } from '../../shared/config.js';
import { DEFAULT_METRICS_NAMESPACE, METRICS } from '../../shared/metric-catalog.js';
import { writeStubBundles } from '../support/stub-bundles.js';

/**
 * The alarms, their topic and the dashboard of the stack (infra/cdk/monitoring.ts), read from the
 * synthesized template: what each alarm watches, from which threshold, and that it notifies the
 * topic; the topic encrypted, or the one given; cdk-nag on both.
 */

type Json = any;

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:ops-pager';
let root: string;
let app: App;
let own: SecretsStack;
let given: SecretsStack;
let json: Json;
let givenJson: Json;
let extraAlarmId: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'prime-secrets-monitoring-'));
  const bundleDir = join(root, 'bundles');
  writeStubBundles(bundleDir);
  app = new App({ outdir: join(root, 'cdk.out') });
  own = new SecretsStack(app, 'Own', { bundleDir });
  given = new SecretsStack(app, 'Given', {
    bundleDir,
    alarmTopicArn: TOPIC_ARN,
    alarmThresholds: { runtimeLatencyP99Ms: 1_500, refusedIds: 7, functionDurationP99Percent: 50 },
  });
  // Another construct's alarm (the audit stream's DLQ, say), added to the topic.
  const extra = new Alarm(own, 'ExtraAlarm', {
    metric: new Metric({ namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible' }),
    threshold: 1,
    evaluationPeriods: 1,
  });
  own.monitoring.notify(extra);
  extraAlarmId = logicalId(own, extra);
  Aspects.of(app).add(new AwsSolutionsChecks());
  const assembly = app.synth();
  json = assembly.getStackArtifact(own.artifactId).template;
  givenJson = assembly.getStackArtifact(given.artifactId).template;
  nagFindings = [own, given].flatMap((stack) =>
    assembly
      .getStackArtifact(stack.artifactId)
      .messages.filter((m) => m.level !== 'info' && String(m.entry.data).includes('AwsSolutions-'))
      .map((m) => `${m.id}: ${String(m.entry.data)}`),
  );
});
let nagFindings: string[];

afterAll(() => rmSync(root, { recursive: true, force: true }));

const logicalId = (stack: Stack, construct: IConstruct) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);
const resourcesOfType = (tpl: Json, type: string): [string, Json][] =>
  Object.entries(tpl.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);
const alarms = (tpl: Json) =>
  resourcesOfType(tpl, 'AWS::CloudWatch::Alarm').map(([id, r]) => ({ id, ...r.Properties }));
const alarmOf = (tpl: Json, idPart: string) => {
  const found = alarms(tpl).filter((a) => a.id.startsWith(`Monitoring${idPart}`));
  expect(found.map((a) => a.id)).toHaveLength(1);
  return found[0]!;
};
/** The metrics a math alarm reads (`MetricStat`), as `name service` or `name dims…`. */
const readMetrics = (alarm: Json) =>
  (alarm.Metrics ?? []).filter((m: Json) => m.MetricStat).map((m: Json) => m.MetricStat);
const expressionOf = (alarm: Json) => alarm.Metrics.find((m: Json) => m.ReturnData !== false).Expression;

describe('the alarms', () => {
  it("watch every function's errors, throttles and p99 duration, near its timeout", () => {
    for (const resource of RESOURCES) {
      const fn = { Ref: logicalId(own, own.functions[resource]) };
      const name = resource.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
      const errors = alarmOf(json, `${name}Errors`);
      expect(errors).toMatchObject({
        AlarmName: `prime-secrets-prod-${name}Errors`,
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: fn }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: DEFAULT_ALARM_THRESHOLDS.functionErrors,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      expect(alarmOf(json, `${name}Throttles`)).toMatchObject({
        MetricName: 'Throttles',
        Dimensions: [{ Name: 'FunctionName', Value: fn }],
        Threshold: DEFAULT_ALARM_THRESHOLDS.functionThrottles,
      });
      // 80% of the 10 s timeout: the request deadline (shared/config.ts), where a request answers 503.
      expect(alarmOf(json, `${name}DurationP99`)).toMatchObject({
        MetricName: 'Duration',
        Dimensions: [{ Name: 'FunctionName', Value: fn }],
        ExtendedStatistic: 'p99',
        Threshold: FUNCTION_TIMEOUT_SECONDS * 1_000 * 0.8,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
      });
      expect(alarmOf(givenJson, `${name}DurationP99`).Threshold).toBe(FUNCTION_TIMEOUT_SECONDS * 1_000 * 0.5);
    }
  });

  it("watch the API's 5xx rate and the runtime read's p99 latency, on that route's detailed metrics", () => {
    const apiId = { Ref: logicalId(own, own.api) };
    const rate = alarmOf(json, 'ApiServerErrorRate');
    expect(expressionOf(rate)).toBe('100 * FILL(errors, 0) / requests');
    const stage = [
      { Name: 'ApiId', Value: apiId },
      { Name: 'Stage', Value: '$default' },
    ];
    expect(readMetrics(rate)).toEqual([
      { Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: stage }, Period: 300, Stat: 'Sum' },
      { Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count', Dimensions: stage }, Period: 300, Stat: 'Sum' },
    ]);
    expect(rate.Threshold).toBe(DEFAULT_ALARM_THRESHOLDS.apiServerErrorRatePercent);

    expect(`${RUNTIME_READ_ROUTE.method} ${RUNTIME_READ_ROUTE.path}`).toBe(
      'GET /api/v1/environmentshub/{envId}/runtime',
    );
    const latency = alarmOf(json, 'RuntimeLatencyP99');
    expect(readMetrics(latency)).toEqual([
      {
        Metric: {
          Namespace: 'AWS/ApiGateway',
          MetricName: 'Latency',
          Dimensions: [
            { Name: 'ApiId', Value: apiId },
            { Name: 'Method', Value: 'GET' },
            { Name: 'Resource', Value: RUNTIME_READ_ROUTE.path },
            { Name: 'Stage', Value: '$default' },
          ],
        },
        Period: 300,
        Stat: 'p99',
      },
    ]);
    expect(latency.Threshold).toBe(DEFAULT_ALARM_THRESHOLDS.runtimeLatencyP99Ms);
    expect(alarmOf(givenJson, 'RuntimeLatencyP99').Threshold).toBe(1_500);
    // API Gateway writes route-level metrics only for routes with detailed metrics: that one only.
    const [[, stageResource]] = resourcesOfType(json, 'AWS::ApiGatewayV2::Stage') as [[string, Json]];
    const detailed = Object.entries(stageResource.Properties.RouteSettings as Record<string, Json>)
      .filter(([, settings]) => settings.DetailedMetricsEnabled)
      .map(([key]) => key);
    expect(detailed).toEqual([`${RUNTIME_READ_ROUTE.method} ${RUNTIME_READ_ROUTE.path}`]);
    expect(stageResource.Properties.DefaultRouteSettings.DetailedMetricsEnabled).toBeUndefined();
  });

  it("watch the table's throttled requests and system errors over every operation the functions call", () => {
    const table = { Ref: logicalId(own, own.table) };
    for (const [id, metricName, threshold] of [
      ['TableThrottledRequests', 'ThrottledRequests', DEFAULT_ALARM_THRESHOLDS.dynamoDbThrottledRequests],
      ['TableSystemErrors', 'SystemErrors', DEFAULT_ALARM_THRESHOLDS.dynamoDbSystemErrors],
    ] as const) {
      const alarm = alarmOf(json, id);
      const read = readMetrics(alarm);
      for (const stat of read) {
        expect(stat.Metric).toMatchObject({ Namespace: 'AWS/DynamoDB', MetricName: metricName });
        expect(stat.Metric.Dimensions).toContainEqual({ Name: 'TableName', Value: table });
      }
      const operations = read.map(
        (s: Json) => s.Metric.Dimensions.find((d: Json) => d.Name === 'Operation').Value as string,
      );
      // Every table action granted, and the transactions that hold the writes; at most 10 metrics.
      expect(operations.sort()).toEqual(
        [
          'BatchGetItem',
          'BatchWriteItem',
          'DeleteItem',
          'GetItem',
          'PutItem',
          'Query',
          'TransactWriteItems',
          'UpdateItem',
        ].sort(),
      );
      expect(alarm.Threshold).toBe(threshold);
    }
  });

  it("sum the service's own KMS failures and throttles over the functions that call KMS", () => {
    const alarm = alarmOf(json, 'KmsFailures');
    const callers = RESOURCES.filter((r) => PERMISSIONS[r].kms.length > 0);
    expect(callers).toEqual(['global-secrets', 'environment-secrets', 'runtime', 'console']);
    const read = readMetrics(alarm).map((s: Json) => [
      s.Metric.Namespace,
      s.Metric.MetricName,
      s.Metric.Dimensions,
      s.Stat,
    ]);
    expect(read).toEqual(
      callers.flatMap((service) =>
        [METRICS.kmsFailures.name, METRICS.kmsThrottles.name].map((name) => [
          `${DEFAULT_METRICS_NAMESPACE}/prod`,
          name,
          [{ Name: 'service', Value: service }],
          'Sum',
        ]),
      ),
    );
    // A sum over every metric read, each missing one (no traffic) counted as 0.
    const ids = alarm.Metrics.filter((m: Json) => m.MetricStat).map((m: Json) => m.Id);
    expect(expressionOf(alarm)).toBe(ids.map((id: string) => `FILL(${id}, 0)`).join(' + '));
    expect(alarm.Threshold).toBe(DEFAULT_ALARM_THRESHOLDS.kmsFailures);
  });

  it.each([
    ['AuditWriteFailures', METRICS.auditWriteFailures.name, DEFAULT_ALARM_THRESHOLDS.auditWriteFailures],
    ['UnauthenticatedBurst', METRICS.unauthenticated.name, DEFAULT_ALARM_THRESHOLDS.unauthenticated],
    ['RefusedIdsBurst', METRICS.refusedIds.name, DEFAULT_ALARM_THRESHOLDS.refusedIds],
  ])('%s sums %s over every function', (id, metricName, threshold) => {
    const alarm = alarmOf(json, id);
    expect(readMetrics(alarm).map((s: Json) => [s.Metric.MetricName, s.Metric.Dimensions[0].Value])).toEqual(
      RESOURCES.map((r: Resource) => [metricName, r]),
    );
    expect(alarm.Threshold).toBe(threshold);
  });

  it('take thresholds as options and refuse ones that cannot alarm', () => {
    expect(alarmOf(givenJson, 'RefusedIdsBurst').Threshold).toBe(7);
    expect(alarmOf(givenJson, 'UnauthenticatedBurst').Threshold).toBe(DEFAULT_ALARM_THRESHOLDS.unauthenticated);
    const bundleDir = join(root, 'bundles');
    expect(() => new SecretsStack(new App(), 'Zero', { bundleDir, alarmThresholds: { functionErrors: 0 } })).toThrow(
      /functionErrors must be above 0/,
    );
    expect(
      () => new SecretsStack(new App(), 'Over', { bundleDir, alarmThresholds: { functionDurationP99Percent: 120 } }),
    ).toThrow(/at most 100/);
  });
});

describe('the alarm topic', () => {
  it("is the stack's own, encrypted with a rotated key CloudWatch may use, and every alarm notifies it", () => {
    const [[id, topic]] = resourcesOfType(json, 'AWS::SNS::Topic') as [[string, Json]];
    const keyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
    expect(keyId).not.toBe(logicalId(own, own.key));
    const key = json.Resources[keyId];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Delete'); // it encrypts nothing kept
    const forCloudWatch = key.Properties.KeyPolicy.Statement.filter(
      (s: Json) => s.Principal?.Service === 'cloudwatch.amazonaws.com',
    );
    expect(forCloudWatch.map((s: Json) => s.Action)).toEqual([['kms:Decrypt', 'kms:GenerateDataKey*']]);
    const [[, policy]] = resourcesOfType(json, 'AWS::SNS::TopicPolicy') as [[string, Json]];
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sns:Publish',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
      }),
    );
    const all = alarms(json);
    // 3 per function, 2 of the API, 2 of the table, KMS, audit writes, 2 security; the extra one.
    expect(all).toHaveLength(3 * RESOURCES.length + 8 + 1);
    for (const alarm of all) {
      expect(alarm.AlarmActions, alarm.id).toEqual([{ Ref: id }]);
      expect(alarm.OKActions, alarm.id).toEqual([{ Ref: id }]);
    }
    expect(all.map((a) => a.id)).toContain(extraAlarmId);
    expect(json.Outputs.AlarmTopicArn.Value).toEqual({ Ref: id });
  });

  it('is the one given by ARN instead: no topic of its own, every alarm notifies the ARN', () => {
    expect(resourcesOfType(givenJson, 'AWS::SNS::Topic')).toEqual([]);
    expect(resourcesOfType(givenJson, 'AWS::KMS::Key')).toHaveLength(1); // the data key-wrapping key only
    const all = alarms(givenJson);
    expect(all).toHaveLength(3 * RESOURCES.length + 8);
    for (const alarm of all) {
      expect(alarm.AlarmActions, alarm.id).toEqual([TOPIC_ARN]);
      expect(alarm.OKActions, alarm.id).toEqual([TOPIC_ARN]);
    }
    expect(givenJson.Outputs.AlarmTopicArn.Value).toBe(TOPIC_ARN);
  });
});

describe('the dashboard', () => {
  it('shows job starts served and refused, latency, errors, dependency health and every alarm', () => {
    const [[, dashboard]] = resourcesOfType(json, 'AWS::CloudWatch::Dashboard') as [[string, Json]];
    expect(dashboard.Properties.DashboardName).toBe('prime-secrets-prod');
    // The body is a JSON document joined with the resources' ids: read its literal parts.
    const body = (dashboard.Properties.DashboardBody['Fn::Join'][1] as Json[])
      .map((part) => (typeof part === 'string' ? part : JSON.stringify(part)))
      .join('');
    for (const title of [
      'Job starts: served and refused',
      'Job start latency (API Gateway), ms',
      'API: requests, 4xx and 5xx',
      'Function errors',
      'Function throttles',
      'DynamoDB: failures and throttles after retries (functions)',
      'KMS: failures and throttles after retries, and calls',
      'Alarms',
    ]) {
      expect(body).toContain(`"title":"${title}"`);
    }
    for (const metric of [
      METRICS.runtimeReadsServed,
      METRICS.runtimeReadsRefused,
      METRICS.dynamoDbFailures,
      METRICS.dynamoDbThrottles,
      METRICS.kmsFailures,
      METRICS.kmsThrottles,
    ]) {
      expect(body).toContain(`"${DEFAULT_METRICS_NAMESPACE}/prod","${metric.name}"`);
    }
    for (const name of ['ThrottledRequests', 'SystemErrors', 'Errors', 'Throttles', 'Duration', '5xx', 'Latency']) {
      expect(body).toContain(`"${name}"`);
    }
    // The alarm status widget lists every alarm of the monitoring construct.
    for (const alarm of own.monitoring.alarms) {
      expect(body).toContain(JSON.stringify({ 'Fn::GetAtt': [logicalId(own, alarm), 'Arn'] }));
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing in the alarms, the topic, its key or the dashboard', () => {
    expect(nagFindings).toEqual([]);
  });

  it('never reads more metrics in one alarm than CloudWatch allows (10)', () => {
    for (const alarm of [...alarms(json), ...alarms(givenJson)]) {
      expect(readMetrics(alarm).length, alarm.id).toBeLessThanOrEqual(10);
    }
  });
});
