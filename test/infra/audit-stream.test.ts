import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects, type CfnElement, type Stack } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES } from '../../functions/routes.js';
import { BUNDLE_FILE, WORKERS } from '../../infra/build.js';
import { AUDIT_STREAM_SETTINGS } from '../../infra/cdk/audit-stream.js';
import { SecretsStack } from '../../infra/cdk/secrets-stack.js';
import { AUDIT_ITEM_KEY } from '../../shared/data/audit-events.js';
import { keys, PLATFORM_AUDIT } from '../../shared/data/keys.js';
import { writeStubBundles } from '../support/stub-bundles.js';

/**
 * The audit stream's template facts (infra/cdk/audit-stream.ts), with the stack option on: the
 * table's stream, the filtered event source mapping and how it fails, the encrypted dead-letter
 * queue and its alarm, the bus, and the forwarder's least privilege; and none of it with it off.
 */

type Json = any;

let root: string;
let bundleDir: string;
let on: SecretsStack;
let off: SecretsStack;
/** On, with a threshold of its own for how far behind the forwarder may fall. */
let patient: SecretsStack;
let assembly: CloudAssembly;
let json: Json;
let offJson: Json;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'prime-secrets-audit-stream-'));
  bundleDir = join(root, 'bundles');
  writeStubBundles(bundleDir, [...RESOURCES, ...WORKERS]);
  const app = new App({ outdir: join(root, 'cdk.out') });
  on = new SecretsStack(app, 'On', { bundleDir, auditStream: true });
  off = new SecretsStack(app, 'Off', { bundleDir });
  patient = new SecretsStack(app, 'Patient', {
    bundleDir,
    auditStream: true,
    alarmThresholds: { auditStreamIteratorAgeMs: 900_000 },
  });
  Aspects.of(app).add(new AwsSolutionsChecks());
  assembly = app.synth();
  json = assembly.getStackArtifact(on.artifactId).template;
  offJson = assembly.getStackArtifact(off.artifactId).template;
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const resourcesOfType = (tpl: Json, type: string): [string, Json][] =>
  Object.entries(tpl.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);
const only = (tpl: Json, type: string): [string, Json] => {
  const found = resourcesOfType(tpl, type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const logicalId = (stack: Stack, construct: IConstruct) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);

describe('the audit stream, on', () => {
  it("turns the table's stream on, with the items as written", () => {
    const [, table] = only(json, 'AWS::DynamoDB::GlobalTable');
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
  });

  it('feeds the forwarder audit items only, in order per shard, failing item by item to a bounded retry and a dead-letter queue', () => {
    const [, mapping] = only(json, 'AWS::Lambda::EventSourceMapping');
    const tableId = logicalId(on, on.table);
    const forwarderId = logicalId(on, on.auditStream!.forwarder);
    const queueId = logicalId(on, on.auditStream!.deadLetters);
    expect(mapping.Properties).toMatchObject({
      FunctionName: { Ref: forwarderId },
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: AUDIT_STREAM_SETTINGS.batchSize,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: AUDIT_STREAM_SETTINGS.retryAttempts,
      MaximumRecordAgeInSeconds: 12 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    expect(mapping.Properties.MaximumRetryAttempts).toBeGreaterThan(0);
    const patterns = mapping.Properties.FilterCriteria.Filters.map((f: Json) => JSON.parse(f.Pattern));
    expect(patterns).toEqual([
      { eventName: ['INSERT', 'MODIFY'], dynamodb: { Keys: { pk: { S: [{ prefix: 'AUDIT#' }] } } } },
    ]);
    // The prefix is the data layer's: every audit partition (an owner's, the platform's) has it,
    // and no other partition key the layout makes does.
    expect(AUDIT_ITEM_KEY.prefix).toBe('AUDIT#');
    for (const pk of [keys.auditPartition('U#aaaa', 0), keys.auditPartition(PLATFORM_AUDIT, 7)]) {
      expect(pk.startsWith(AUDIT_ITEM_KEY.prefix)).toBe(true);
    }
    for (const pk of [
      keys.environmentPartition('e'),
      keys.ownerPartition('U#aaaa'),
      keys.apiKey('h').pk,
      keys.valueVersionPartition('v'),
      keys.deletedEntryPartition('e'),
      keys.runtimeTokenPartition('e'),
      keys.consoleSession('h').pk,
      keys.rateWindow('user', 'u', 1).pk,
    ]) {
      expect(pk.startsWith(AUDIT_ITEM_KEY.prefix), pk).toBe(false);
    }
  });

  it('keeps failure notices on an encrypted queue, reached over TLS only, and alarms on the first one', () => {
    const [queueId, queue] = only(json, 'AWS::SQS::Queue');
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    const [, policy] = only(json, 'AWS::SQS::QueuePolicy');
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    // Its own alarm, beside the stack's monitoring (test/infra/monitoring.test.ts).
    const own = resourcesOfType(json, 'AWS::CloudWatch::Alarm').filter(([id]) => !id.startsWith('Monitoring'));
    expect(own).toHaveLength(1);
    const [alarmId, alarm] = own[0]!;
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(on.auditStream!.alarms.map((a) => logicalId(on, a))).toEqual([alarmId]);
    // It notifies the stack's alarm topic, going off and clearing, as every alarm of the stack does.
    const [topicId] = only(json, 'AWS::SNS::Topic');
    expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
  });

  it('alarms when the forwarder falls behind (its IteratorAge), long before a batch could reach the queue', () => {
    const ageAlarms = (stack: SecretsStack) => {
      const template = assembly.getStackArtifact(stack.artifactId).template;
      return resourcesOfType(template, 'AWS::CloudWatch::Alarm').filter(
        ([, a]) => a.Properties.MetricName === 'IteratorAge',
      );
    };
    const [[, alarm]] = ageAlarms(on) as [[string, Json]];
    expect(ageAlarms(on)).toHaveLength(1);
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(on, on.auditStream!.forwarder) } }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 300_000,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    // Well within the records' 12 hours before they are given up to the queue.
    expect(alarm.Properties.Threshold).toBeLessThan(AUDIT_STREAM_SETTINGS.maxRecordAge.toMilliseconds() / 10);
    const [topicId] = only(json, 'AWS::SNS::Topic');
    expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    // `-c alarmAuditStreamIteratorAgeMs=N` sets it (infra/cdk/app.ts), as every threshold.
    expect((ageAlarms(patient)[0]![1] as Json).Properties.Threshold).toBe(900_000);
    expect(ageAlarms(off)).toEqual([]);
  });

  it("puts on a bus of the stack's own, named in the forwarder's environment and the outputs", () => {
    const [busId, bus] = only(json, 'AWS::Events::EventBus');
    expect(bus.Properties.Name).toBe('prime-secrets-prod-audit');
    const forwarder = json.Resources[logicalId(on, on.auditStream!.forwarder)];
    expect(forwarder.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      LoggingConfig: { LogFormat: 'JSON' },
    });
    expect(forwarder.Properties.Environment.Variables).toEqual({
      TABLE_NAME: { Ref: logicalId(on, on.table) },
      AUDIT_EVENT_BUS_NAME: { Ref: busId },
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(json.Outputs.AuditEventBusArn.Value).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    // One function more than the route table's: the forwarder, whose asset is its own bundle.
    expect(resourcesOfType(json, 'AWS::Lambda::Function')).toHaveLength(RESOURCES.length + 1);
  });

  it('gives the forwarder only its logs, the stream, the stream key through DynamoDB, the sets of versions, the bus and the queue', () => {
    const forwarder = json.Resources[logicalId(on, on.auditStream!.forwarder)];
    const roleId = forwarder.Properties.Role['Fn::GetAtt'][0];
    expect(json.Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
    const policies = resourcesOfType(json, 'AWS::IAM::Policy').filter(([, p]) =>
      p.Properties.Roles.some((r: Json) => r.Ref === roleId),
    );
    expect(policies).toHaveLength(1);
    const statements = policies[0]![1].Properties.PolicyDocument.Statement as Json[];
    const tableId = logicalId(on, on.table);
    const keyId = logicalId(on, on.key);
    const [busId] = only(json, 'AWS::Events::EventBus');
    const [queueId] = only(json, 'AWS::SQS::Queue');
    const logGroupId = forwarder.Properties.LoggingConfig.LogGroup.Ref;
    const shape = statements.map((s) => ({
      actions: [s.Action].flat().sort(),
      resource: s.Resource,
      condition: s.Condition,
    }));
    expect(shape).toEqual(
      expect.arrayContaining([
        {
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
          condition: undefined,
        },
        {
          actions: [
            'dynamodb:DescribeStream',
            'dynamodb:GetRecords',
            'dynamodb:GetShardIterator',
            'dynamodb:ListStreams',
          ],
          resource: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
          condition: undefined,
        },
        {
          actions: ['kms:Decrypt'],
          resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
          condition: {
            StringEquals: {
              'kms:ViaService': {
                'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]],
              },
            },
          },
        },
        {
          actions: ['dynamodb:BatchGetItem'],
          resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
          condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDITVERSIONS#*#*'] } },
        },
        { actions: ['events:PutEvents'], resource: { 'Fn::GetAtt': [busId, 'Arn'] }, condition: undefined },
        {
          actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
          resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
          condition: undefined,
        },
      ]),
    );
    expect(shape).toHaveLength(6);
    for (const { actions } of shape) for (const action of actions) expect(action).not.toContain('*');
    // Of the table's items only the sets of versions, read; and no data key: the key policy names it nowhere.
    expect(
      shape
        .flatMap((s) => s.actions)
        .filter((a) => /^dynamodb:(GetItem|PutItem|UpdateItem|DeleteItem|Query|Scan|Batch\w+)$/.test(a)),
    ).toEqual(['dynamodb:BatchGetItem']);
    const keyPolicy = JSON.stringify(json.Resources[keyId].Properties.KeyPolicy);
    expect(keyPolicy).not.toContain(roleId);
  });

  it('passes cdk-nag, suppressing only what it means to, with reasons', () => {
    const messages = assembly
      .getStackArtifact(on.artifactId)
      .messages.filter(
        (m) => (m.level === 'error' || m.level === 'warning') && String(m.entry.data).includes('AwsSolutions-'),
      );
    expect(messages.map((m) => `${m.id}: ${String(m.entry.data)}`)).toEqual([]);
    const [, queue] = only(json, 'AWS::SQS::Queue');
    expect(queue.Metadata.cdk_nag.rules_to_suppress.map((r: Json) => r.id)).toEqual(['AwsSolutions-SQS3']);
  });

  it('refuses to synthesize without the forwarder bundle', () => {
    const partial = mkdtempSync(join(root, 'partial-'));
    for (const name of RESOURCES) {
      mkdirSync(join(partial, name), { recursive: true });
      writeFileSync(join(partial, name, BUNDLE_FILE), 'export const handler = async () => 1;\n');
    }
    expect(() => new SecretsStack(new App(), 'NoForwarder', { bundleDir: partial, auditStream: true })).toThrow(
      /audit-stream[\s\S]*npm run build/,
    );
  });
});

describe('the audit stream, off (the default)', () => {
  it('leaves no stream, mapping, queue, alarm, bus or forwarder', () => {
    const [, table] = only(offJson, 'AWS::DynamoDB::GlobalTable');
    expect(table.Properties.StreamSpecification).toBeUndefined();
    for (const type of [
      'AWS::Lambda::EventSourceMapping',
      'AWS::SQS::Queue',
      'AWS::SQS::QueuePolicy',
      'AWS::Events::EventBus',
    ]) {
      expect(resourcesOfType(offJson, type), type).toEqual([]);
    }
    // No alarm but the stack's monitoring (test/infra/monitoring.test.ts).
    const alarms = resourcesOfType(offJson, 'AWS::CloudWatch::Alarm').map(([id]) => id);
    expect(alarms.filter((id) => !id.startsWith('Monitoring'))).toEqual([]);
    expect(resourcesOfType(offJson, 'AWS::Lambda::Function')).toHaveLength(RESOURCES.length);
    expect(off.auditStream).toBeUndefined();
    expect(offJson.Outputs.AuditEventBusArn).toBeUndefined();
  });
});
