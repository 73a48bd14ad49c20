import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import {
  Code,
  EventSourceMapping,
  FilterCriteria,
  FilterRule,
  Function as LambdaFunction,
  StartingPosition,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { AUDIT_ITEM_KEY } from '../../shared/data/audit-events.js';
import { AUDIT_EVENT_BUS_VARIABLE } from '../../shared/services/audit-stream.js';
import { PARTITIONS } from './permissions.js';
import { BUNDLE_FILE, type Worker } from '../build.js';
import { FUNCTION_DEFAULTS, suppressPinnedRuntime } from './function-defaults.js';

const WORKER: Worker = 'audit-stream';

/** How the forwarder takes the stream: bounded retries, then the batch's notice to the dead-letter queue. */
export const AUDIT_STREAM_SETTINGS = {
  batchSize: 100,
  retryAttempts: 10,
  /** Within the stream's 24 hours, so that a failure's records can still be read back when its notice lands. */
  maxRecordAge: Duration.hours(12),
  /** How long a failure's notice stays on the dead-letter queue (SQS's longest). */
  deadLetterRetention: Duration.days(14),
} as const;

/**
 * Which stream records reach the forwarder: audit items as written (a runtime read's event may be
 * written twice, in place); nothing else of the table, and no removal (expiry by TTL).
 */
export const AUDIT_STREAM_FILTER = FilterCriteria.filter({
  eventName: FilterRule.or('INSERT', 'MODIFY'),
  dynamodb: { Keys: { [AUDIT_ITEM_KEY.attribute]: { S: FilterRule.beginsWith(AUDIT_ITEM_KEY.prefix) } } },
});

export interface AuditStreamProps {
  /** The table, with its stream on (NEW_IMAGE). */
  table: TableV2;
  /** The table's KMS key: the stream's records are encrypted with it. */
  tableKey: Key;
  /** Names the bus: `<service>-<stage>-audit`. */
  name: string;
  /** Where `npm run build` wrote the bundles. */
  bundleDir: string;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * The audit stream (docs/audit-stream.md), a stack option: the table's stream, filtered to audit
 * items by their key (the data layer's `AUDIT_ITEM_KEY`), read in order per shard by a small
 * forwarder (functions/audit-stream/handler.ts) that puts each event on a bus of the stack. A batch
 * that fails is split and retried from its first failed record a bounded number of times; then its
 * notice goes to an encrypted dead-letter queue, which an alarm watches.
 */
export class AuditStream extends Construct {
  readonly bus: EventBus;
  readonly forwarder: LambdaFunction;
  readonly deadLetters: Queue;
  /** What the stack's alarm topic should receive: a notice on the dead-letter queue. */
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: AuditStreamProps) {
    super(scope, id);
    const streamArn = props.table.tableStreamArn;
    if (streamArn === undefined) throw new Error('The audit stream needs the table stream on (NEW_IMAGE).');
    const codeDir = join(props.bundleDir, WORKER);
    if (!existsSync(join(codeDir, BUNDLE_FILE))) {
      throw new Error(`No bundle at ${join(codeDir, BUNDLE_FILE)}: run \`npm run build\` first.`);
    }

    this.bus = new EventBus(this, 'Bus', { eventBusName: `${props.name}-audit` });
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: AUDIT_STREAM_SETTINGS.deadLetterRetention,
    });
    NagSuppressions.addResourceSuppressions(this.deadLetters, [
      {
        id: 'AwsSolutions-SQS3',
        reason:
          "This queue is itself a dead-letter destination: the audit stream's event source mapping sends it the notice of a batch it could not forward.",
      },
    ]);

    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    // A role of its own, with no managed policy: its logs, the stream, the key the stream is
    // encrypted with (only through DynamoDB), the bus, and the queue (granted by its SqsDlq below).
    // Of the table's items, only the sets of versions that runtime reads' events name
    // (`auditEventsFromItems`, shared/data/audit-events.ts), read by their keys.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.name} audit stream forwarder`,
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadTableStream',
        actions: [
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
        ],
        resources: [streamArn],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'TableKey',
        actions: ['kms:Decrypt'],
        resources: [props.tableKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `dynamodb.${props.table.stack.region}.${props.table.stack.urlSuffix}` },
        },
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadVersionSets',
        actions: ['dynamodb:BatchGetItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [PARTITIONS.auditVersionSet] } },
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'PutAuditEvents', actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }),
    );

    this.forwarder = new LambdaFunction(this, 'Forwarder', {
      ...FUNCTION_DEFAULTS,
      description: `${props.name} audit stream: audit events from the table's stream onto ${this.bus.eventBusName}`,
      code: Code.fromAsset(codeDir),
      memorySize: 256,
      // A batch of 100 is ten PutEvents requests, each with the SDK's bounded attempts.
      timeout: Duration.seconds(60),
      role,
      logGroup,
      environment: {
        TABLE_NAME: props.table.tableName,
        [AUDIT_EVENT_BUS_VARIABLE]: this.bus.eventBusName,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    suppressPinnedRuntime(this.forwarder);

    new EventSourceMapping(this, 'FromStream', {
      target: this.forwarder,
      eventSourceArn: streamArn,
      // Everything the stream still holds when the mapping starts, then on.
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: AUDIT_STREAM_SETTINGS.batchSize,
      // One batch at a time per shard: each shard's events go out in commit order.
      parallelizationFactor: 1,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: AUDIT_STREAM_SETTINGS.retryAttempts,
      maxRecordAge: AUDIT_STREAM_SETTINGS.maxRecordAge,
      onFailure: new SqsDlq(this.deadLetters),
      filters: [AUDIT_STREAM_FILTER],
    });

    this.alarms = [
      new Alarm(this, 'DeadLettersAlarm', {
        alarmDescription: `${props.name}: audit events could not be forwarded to ${this.bus.eventBusName}; see docs/audit-stream.md`,
        metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: Stats.MAXIMUM,
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];

    new CfnOutput(this, 'BusArn', {
      key: 'AuditEventBusArn',
      value: this.bus.eventBusArn,
      description: 'The EventBridge bus audit events are put on (docs/audit-stream.md)',
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      key: 'AuditDeadLetterQueueUrl',
      value: this.deadLetters.queueUrl,
      description: 'Notices of audit stream batches that could not be forwarded',
    });
  }
}
