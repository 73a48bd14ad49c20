import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  type CfnRoute,
  type CfnStage,
  type CorsPreflightOptions,
  DomainName,
  HttpApi,
  HttpMethod,
  LogGroupLogDestination,
  SecurityPolicy,
  type HttpStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AttributeType,
  Billing,
  type CfnGlobalTable,
  ProjectionType,
  StreamViewType,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import {
  AccountRootPrincipal,
  Effect,
  PolicyDocument,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Alias, Code, Function as LambdaFunction, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { RESOURCES, ROUTES, type Resource, type RouteSpec } from '../../functions/routes.js';
import { DEFAULT_RATE_LIMITS, FUNCTION_TIMEOUT_SECONDS, requestDeadlineMs } from '../../shared/config.js';
import { CORS_POLICY } from '../../shared/http/cors.js';
import { TABLE } from '../../shared/storage/table-definition.js';
import { DEFAULT_OUT_DIR, BUNDLE_FILE } from '../build.js';
import { AuditStream } from './audit-stream.js';
import { FUNCTION_DEFAULTS, suppressPinnedRuntime } from './function-defaults.js';
import { DEFAULT_METRICS_NAMESPACE } from '../../shared/metric-catalog.js';
import { constructName } from './construct-name.js';
import { type AlarmThresholds, Monitoring, RUNTIME_READ_ROUTE } from './monitoring.js';
import { KMS_CONTEXT_KEYS, KMS_PURPOSE, PERMISSIONS, TABLE_KMS_ACTIONS, WRITE_ACTIONS } from './permissions.js';

export interface SecretsStackProps extends StackProps {
  /** The stage's name (`prod` by default): in resource names, the key's alias and descriptions. */
  stage?: string;
  /**
   * Whether the table, the KMS key and the logs stay when the stack is deleted, the table with
   * deletion protection (the default). `false` lets all of them go with the stack: for a stack
   * that holds nothing worth keeping.
   */
  retainData?: boolean;
  /**
   * A custom domain for the API (`secrets.example.com`), with the ARN of its ACM certificate in the
   * stack's region. The default `execute-api` endpoint is then turned off, so that every request
   * comes through the domain; point the domain's DNS at the `ApiDomainTarget` output.
   */
  domain?: { name: string; certificateArn: string };
  /**
   * Origins a browser may call the API from (`https://app.example.com`); none by default, and
   * then no preflight is answered. API Gateway answers the preflights; credentials (the console's
   * cookie) are never allowed across origins, so only a bearer key a page holds can be sent.
   */
  corsAllowedOrigins?: string[];
  /** What one owner may hold (`MAX_ENVIRONMENTS_PER_OWNER`, `MAX_TEAMS_PER_USER`); the service's defaults unless given. */
  maxEnvironmentsPerOwner?: number;
  maxTeamsPerUser?: number;
  /** Steady-state requests per second the API's default stage accepts (the management routes). */
  throttlingRateLimit?: number;
  /** Requests the API's default stage accepts in a burst (the management routes). */
  throttlingBurstLimit?: number;
  /** Steady-state requests per second of each job-start route (`JOB_START_RESOURCES`), its own. */
  jobStartThrottlingRateLimit?: number;
  /** Requests each job-start route accepts in a burst. */
  jobStartThrottlingBurstLimit?: number;
  /**
   * The runtime read's function, for job-start storms (README.md, "Deploy to AWS", for what
   * each costs); both off by default. `provisioned`: containers kept initialized, bundle
   * imported, so the first read of a storm waits for no cold start; the API then calls the
   * function's alias `live`, to which they belong. `reserved`: containers set aside for it
   * alone (and the most it may run), so other functions' traffic cannot take them; at least
   * `provisioned`.
   */
  runtimeConcurrency?: { provisioned?: number; reserved?: number };
  /**
   * The audit stream (docs/audit-stream.md): every audit event, as it is committed, also put on an
   * EventBridge bus of the stack, through the table's stream and a forwarding function. Off by default.
   */
  auditStream?: boolean;
  /**
   * An existing SNS topic (its ARN) the alarms notify, instead of the stack's own encrypted one;
   * it must let CloudWatch publish (and use its KMS key, if encrypted).
   */
  alarmTopicArn?: string;
  /** The alarms' thresholds, each the default of infra/cdk/monitoring.ts unless given (docs/operations.md, "Alarms"). */
  alarmThresholds?: Partial<AlarmThresholds>;
  /**
   * X-Ray active tracing of every function, with a subsegment per DynamoDB and KMS call
   * (shared/tracing.ts; its cost: README.md, "Deploy to AWS"). Off by default: a function then
   * loads nothing of the tracer.
   */
  tracing?: boolean;
  /** Where `npm run build` wrote the bundles (`<dir>/<resource>/index.mjs`). */
  bundleDir?: string;
  /** How long function and access logs are kept. */
  logRetention?: RetentionDays;
  memorySize?: number;
}

/** The stage's default throttling: at or above every per-key limit (shared/config.ts DEFAULT_RATE_LIMITS). */
export const DEFAULT_THROTTLING = {
  rateLimit: DEFAULT_RATE_LIMITS.service.ratePerSecond,
  burstLimit: DEFAULT_RATE_LIMITS.service.burst,
} as const;

/** The job-start routes' own throttling: what one hosted service's key may send (a job-start storm). */
export const DEFAULT_JOB_START_THROTTLING = {
  rateLimit: DEFAULT_RATE_LIMITS.service.ratePerSecond,
  burstLimit: DEFAULT_RATE_LIMITS.service.burst,
} as const;

/**
 * The resources whose routes start jobs: the runtime read and check, and runtime tokens (minted
 * at job start, revoked at its end). Each of their routes has a throttle of its own (the stage's
 * route settings) instead of the stage's default, so that management traffic, a looping or
 * stolen user key included, never uses up job starts.
 */
export const JOB_START_RESOURCES: readonly Resource[] = ['runtime', 'runtime-tokens'];
export const SERVICE_NAME = 'prime-secrets';

/** The runtime function's concurrency as AWS takes it: whole numbers, provisioned within reserved. */
function checkedConcurrency(given: { provisioned?: number; reserved?: number }) {
  for (const [name, value] of Object.entries(given)) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0))
      throw new Error(`runtime ${name} concurrency must be a whole number above 0, got ${value}`);
  }
  if (given.provisioned !== undefined && given.reserved !== undefined && given.provisioned > given.reserved)
    throw new Error(
      `runtime provisioned concurrency (${given.provisioned}) cannot exceed its reserved concurrency (${given.reserved})`,
    );
  return given;
}

/**
 * What the account itself may do with the key: administer it (CloudFormation and the account's
 * administrators), never use it. No `kms:CreateGrant` either (a grant could give use): DynamoDB
 * gets its grants through the table statement of the key policy.
 */
const KEY_ADMIN_ACTIONS = [
  'kms:CreateAlias',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];

/**
 * The deployed service (README.md, "Deploy to AWS"): an HTTP API wired from the route table,
 * one Lambda per resource, the single table declared from the shared table definition, and
 * the KMS key that wraps the data keys and encrypts the table. Environment-agnostic: synthesis
 * needs no AWS account.
 */
export class SecretsStack extends Stack {
  readonly table: TableV2;
  readonly key: Key;
  readonly api: HttpApi;
  readonly apiStage: HttpStage;
  readonly functions: Record<Resource, LambdaFunction>;
  /** The runtime function's alias `live`, with its provisioned concurrency, when it has some. */
  readonly runtimeAlias?: Alias;
  /** The audit stream, when the option is on. */
  readonly auditStream?: AuditStream;
  /** The alarms, their topic and the dashboard; `monitoring.notify(alarm)` adds an alarm to the topic. */
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: SecretsStackProps = {}) {
    super(scope, id, props);
    const stage = props.stage ?? 'prod';
    // Per stage, so that two stages in one account never read each other's metrics.
    const metricsNamespace = `${DEFAULT_METRICS_NAMESPACE}/${stage}`;
    const retainData = props.retainData ?? true;
    const keep = retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const bundleDir = props.bundleDir ?? DEFAULT_OUT_DIR;
    const logRetention = props.logRetention ?? RetentionDays.THREE_MONTHS;
    const throttle = {
      rateLimit: props.throttlingRateLimit ?? DEFAULT_THROTTLING.rateLimit,
      burstLimit: props.throttlingBurstLimit ?? DEFAULT_THROTTLING.burstLimit,
    };
    const runtimeConcurrency = checkedConcurrency(props.runtimeConcurrency ?? {});
    const jobStartThrottle = {
      rateLimit: props.jobStartThrottlingRateLimit ?? DEFAULT_JOB_START_THROTTLING.rateLimit,
      burstLimit: props.jobStartThrottlingBurstLimit ?? DEFAULT_JOB_START_THROTTLING.burstLimit,
    };
    // Per-key limits inside the functions never exceed the throttling of the routes the keys
    // call: user keys the management routes', hosted services' keys the job-start routes'.
    const perKey = (limit: { ratePerSecond: number; burst: number }, routes: typeof throttle) => ({
      rps: Math.min(limit.ratePerSecond, routes.rateLimit),
      burst: Math.min(limit.burst, routes.burstLimit),
    });
    const user = perKey(DEFAULT_RATE_LIMITS.user, throttle);
    const service = perKey(DEFAULT_RATE_LIMITS.service, jobStartThrottle);
    const rateLimitEnvironment = {
      RATE_LIMIT_USER_RPS: String(user.rps),
      RATE_LIMIT_USER_BURST: String(user.burst),
      RATE_LIMIT_SERVICE_RPS: String(service.rps),
      RATE_LIMIT_SERVICE_BURST: String(service.burst),
    };

    // ---- data ----

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: TABLE.index.name,
          partitionKey: { name: TABLE.index.partitionKey, type: AttributeType.STRING },
          sortKey: { name: TABLE.index.sortKey, type: AttributeType.STRING },
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: [...TABLE.index.projected],
        },
      ],
      timeToLiveAttribute: TABLE.ttlAttribute,
      // The audit stream reads the items as written; nothing else reads the stream.
      ...(props.auditStream ? { dynamoStream: StreamViewType.NEW_IMAGE } : {}),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: retainData,
      removalPolicy: keep,
    });

    // The key names who may do what instead of the account default (`kms:*` for the account,
    // which lets any IAM policy of the account use it): the account administers it; DynamoDB
    // uses it for the table on behalf of principals of the account, and only through DynamoDB;
    // each function that seals or opens values is named below with exactly its data key actions.
    const viaDynamoDb = { 'kms:ViaService': `dynamodb.${this.region}.${this.urlSuffix}` };
    this.key = new Key(this, 'DataKeyWrappingKey', {
      description: `${SERVICE_NAME} (${stage}): wraps the per-owner data keys (envelope encryption) and encrypts the table`,
      enableKeyRotation: true,
      alias: `alias/${SERVICE_NAME}/${stage}`,
      removalPolicy: keep,
      pendingWindow: Duration.days(retainData ? 30 : 7),
      policy: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'KeyAdministration',
            principals: [new AccountRootPrincipal()],
            actions: KEY_ADMIN_ACTIONS,
            resources: ['*'],
          }),
          // What DynamoDB needs of a customer managed key for a table (from who creates or
          // reaches it: CloudFormation, the functions, `npm run admin`), each principal still
          // needing its own IAM permission: a function's is its `TableKey` statement.
          new PolicyStatement({
            sid: 'TableThroughDynamoDB',
            principals: [new AccountRootPrincipal()],
            actions: [
              'kms:Encrypt',
              'kms:Decrypt',
              'kms:ReEncrypt*',
              'kms:GenerateDataKey*',
              'kms:CreateGrant',
              'kms:DescribeKey',
            ],
            resources: ['*'],
            conditions: { StringEquals: { ...viaDynamoDb, 'kms:CallerAccount': this.account } },
          }),
          new PolicyStatement({
            sid: 'DynamoDBReadsKeyMetadata',
            principals: [new ServicePrincipal('dynamodb.amazonaws.com')],
            actions: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
            resources: ['*'],
          }),
        ],
      }),
    });

    // CDK's customer managed key encryption for TableV2 refuses a region-agnostic stack (it maps
    // one key per replica region); this table has one replica, in the stack's own region, and
    // the key is the stack's: set on the template directly, on the same table resource.
    const cfnTable = this.table.node.defaultChild as CfnGlobalTable;
    cfnTable.addPropertyOverride('SSESpecification', { SSEEnabled: true, SSEType: 'KMS' });
    cfnTable.addPropertyOverride('Replicas.0.SSESpecification', { KMSMasterKeyId: this.key.keyArn });

    // ---- functions ----

    const indexArn = `${this.table.tableArn}/index/${TABLE.index.name}`;
    this.functions = {} as Record<Resource, LambdaFunction>;
    for (const resource of RESOURCES) {
      const name = constructName(resource);
      const codeDir = join(bundleDir, resource);
      if (!existsSync(join(codeDir, BUNDLE_FILE))) {
        throw new Error(`No bundle at ${join(codeDir, BUNDLE_FILE)}: run \`npm run build\` first.`);
      }
      const logGroup = new LogGroup(this, `${name}Logs`, { retention: logRetention, removalPolicy: keep });

      // A role of its own, with no managed policy: its logs, and what PERMISSIONS grants.
      const role = new Role(this, `${name}Role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `${SERVICE_NAME} ${resource} function (${stage})`,
      });
      role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      );
      const grants = PERMISSIONS[resource];
      const reads = grants.table.filter((a) => !WRITE_ACTIONS.includes(a));
      const writes = grants.table.filter((a) => WRITE_ACTIONS.includes(a));
      role.addToPrincipalPolicy(
        new PolicyStatement({ sid: 'TableRead', actions: reads, resources: [this.table.tableArn] }),
      );
      if (writes.length > 0) {
        // Each item written (in a transaction, each one on its own) only under the resource's
        // own partition keys.
        role.addToPrincipalPolicy(
          new PolicyStatement({
            sid: 'TableWrite',
            actions: writes,
            resources: [this.table.tableArn],
            conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...grants.writes] } },
          }),
        );
      }
      if (grants.index.length > 0) {
        role.addToPrincipalPolicy(
          new PolicyStatement({ sid: 'Index', actions: [...grants.index], resources: [indexArn] }),
        );
      }
      role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'TableKey',
          actions: [...TABLE_KMS_ACTIONS],
          resources: [this.key.keyArn],
          conditions: { StringEquals: viaDynamoDb },
        }),
      );
      if (grants.keyCheck.length > 0) {
        // No encryption context to condition on; the key policy's KeyAdministration lets the
        // account's IAM policies grant it.
        role.addToPrincipalPolicy(
          new PolicyStatement({ sid: 'KeyCheck', actions: [...grants.keyCheck], resources: [this.key.keyArn] }),
        );
      }
      if (grants.kms.length > 0) {
        const dataKeys = new PolicyStatement({
          sid: 'DataKeys',
          effect: Effect.ALLOW,
          actions: [...grants.kms],
          resources: [this.key.keyArn],
          conditions: {
            StringEquals: { 'kms:EncryptionContext:purpose': KMS_PURPOSE },
            'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [...KMS_CONTEXT_KEYS] },
          },
        });
        role.addToPrincipalPolicy(dataKeys);
        // The key policy names the role too: without the account default, only it lets the role
        // use the key outside DynamoDB.
        const named = dataKeys.copy({ sid: `DataKeys${name}`, resources: ['*'] });
        named.addPrincipals(role);
        this.key.addToResourcePolicy(named);
      }

      this.functions[resource] = new LambdaFunction(this, `${name}Function`, {
        description: `${SERVICE_NAME} ${resource} (${stage})`,
        ...FUNCTION_DEFAULTS,
        code: Code.fromAsset(codeDir),
        memorySize: props.memorySize ?? 512,
        ...(resource === 'runtime' ? { reservedConcurrentExecutions: runtimeConcurrency.reserved } : {}),
        timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS),
        role,
        logGroup,
        ...(props.tracing ? { tracing: Tracing.ACTIVE } : {}),
        environment: {
          TABLE_NAME: this.table.tableName,
          KMS_KEY_ID: this.key.keyArn,
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
          // The namespace of every metric line (shared/metrics.ts), the one the alarms read.
          METRICS_NAMESPACE: metricsNamespace,
          ...rateLimitEnvironment,
          REQUEST_DEADLINE_MS: String(requestDeadlineMs(FUNCTION_TIMEOUT_SECONDS)),
          ...(props.maxEnvironmentsPerOwner === undefined
            ? {}
            : { MAX_ENVIRONMENTS_PER_OWNER: String(props.maxEnvironmentsPerOwner) }),
          ...(props.maxTeamsPerUser === undefined ? {} : { MAX_TEAMS_PER_USER: String(props.maxTeamsPerUser) }),
          ...(props.tracing ? { TRACING: 'on' } : {}),
        },
      });
      suppressPinnedRuntime(this.functions[resource]);
      if (props.tracing) {
        NagSuppressions.addResourceSuppressions(
          role,
          [
            {
              id: 'AwsSolutions-IAM5',
              reason:
                'Active tracing: the statement aws-cdk-lib adds for X-Ray (xray:PutTraceSegments, xray:PutTelemetryRecords) needs Resource "*", since X-Ray has no resource-level permissions for them; nothing else of the role has a wildcard.',
              appliesTo: ['Resource::*'],
            },
          ],
          true,
        );
      }
    }

    if (runtimeConcurrency.provisioned !== undefined) {
      // Provisioned concurrency belongs to a version: `live` follows each deploy's new one.
      this.runtimeAlias = new Alias(this, 'RuntimeLive', {
        aliasName: 'live',
        version: this.functions.runtime.currentVersion,
        provisionedConcurrentExecutions: runtimeConcurrency.provisioned,
      });
    }

    if (props.auditStream) {
      this.auditStream = new AuditStream(this, 'AuditStream', {
        table: this.table,
        tableKey: this.key,
        name: `${SERVICE_NAME}-${stage}`,
        bundleDir,
        logRetention,
        removalPolicy: keep,
      });
    }

    // ---- API ----

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy: keep });
    const domainName = props.domain && this.customDomain(props.domain);
    this.api = new HttpApi(this, 'Api', {
      apiName: `${SERVICE_NAME}-${stage}`,
      description: `${SERVICE_NAME} (${stage}): secrets and variables of the environments hub`,
      createDefaultStage: false,
      disableExecuteApiEndpoint: domainName !== undefined,
      ...(props.corsAllowedOrigins?.length ? { corsPreflight: corsOf(props.corsAllowedOrigins) } : {}),
    });
    this.apiStage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      ...(domainName ? { domainMapping: { domainName } } : {}),
      throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // Request metadata only: no header (so no API key), no body, no query string.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            method: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            error: '$context.error.message',
          }),
        ),
      },
    });

    // Every route of the route table to its resource's function. API Gateway may invoke a function
    // from any route of this API (one permission per function, not one per route: a function's
    // resource policy is limited to 20 KB, and the console's routes alone would outgrow it); a
    // request reaches a function only through the routes wired to it here.
    const invoked = (r: Resource) => (r === 'runtime' && this.runtimeAlias) || this.functions[r];
    const integrations = Object.fromEntries(
      RESOURCES.map((r) => [
        r,
        new HttpLambdaIntegration(`${constructName(r)}Integration`, invoked(r), {
          scopePermissionToRoute: false,
        }),
      ]),
    ) as Record<Resource, HttpLambdaIntegration>;
    const routes = [...ROUTES, ...ROUTES.filter((route) => route.slashed).map(slashedTwin)].flatMap((route) =>
      this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrations[route.resource],
      }),
    );

    // The job-start routes' own throttle. API Gateway refuses route settings for a route it does
    // not have yet, hence the stage waits for the routes.
    const jobStartKeys = new Set(
      ROUTES.filter((route) => JOB_START_RESOURCES.includes(route.resource)).map((r) => `${r.method} ${r.path}`),
    );
    const cfnStage = this.apiStage.node.defaultChild as CfnStage;
    // The runtime read's route also has API Gateway's detailed metrics, for its latency alarm
    // (infra/cdk/monitoring.ts): billed as custom metrics, so on for that route only.
    const watchedKey = `${RUNTIME_READ_ROUTE.method} ${RUNTIME_READ_ROUTE.path}`;
    cfnStage.routeSettings = Object.fromEntries(
      [...jobStartKeys].map((routeKey) => [
        routeKey,
        {
          ThrottlingRateLimit: jobStartThrottle.rateLimit,
          ThrottlingBurstLimit: jobStartThrottle.burstLimit,
          ...(routeKey === watchedKey ? { DetailedMetricsEnabled: true } : {}),
        },
      ]),
    );
    for (const route of routes) {
      const cfnRoute = route.node.defaultChild as CfnRoute;
      if (jobStartKeys.has(cfnRoute.routeKey)) cfnStage.addResourceDependency(cfnRoute);
    }
    for (const route of routes) {
      NagSuppressions.addResourceSuppressions(route, [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'No API Gateway authorizer by design: the service authenticates itself. Every non-public route checks a bearer API key (stored only as its SHA-256 hash in the table) in the one middleware all resources share (shared/http/resource-app.ts) and authorizes in shared/auth; GET /api/v1/health is public by the API contract, and GET /openapi.json (the description of the API) holds nothing secret. The routes of the web console (/console…) authenticate by its own session cookie (shared/services/console-sessions.ts) and authorize in shared/auth alike.',
        },
      ]);
    }

    this.monitoring = new Monitoring(this, 'Monitoring', {
      name: `${SERVICE_NAME}-${stage}`,
      functions: this.functions,
      functionTimeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS),
      api: this.api,
      apiStage: this.apiStage,
      table: this.table,
      metricsNamespace,
      thresholds: props.alarmThresholds,
      alarmTopicArn: props.alarmTopicArn,
    });
    if (this.auditStream) {
      for (const alarm of this.auditStream.alarms) this.monitoring.notify(alarm);
      this.monitoring.watchStreamConsumer(
        'AuditStreamIteratorAge',
        this.auditStream.forwarder,
        'the audit stream falls behind: audit events wait to reach the bus; see docs/audit-stream.md',
      );
    }

    new CfnOutput(this, 'ApiUrl', {
      value: domainName ? `https://${props.domain!.name}/` : this.apiStage.url,
      description: 'Base URL of the API',
    });
    if (domainName) {
      new CfnOutput(this, 'ApiDomainTarget', {
        value: domainName.regionalDomainName,
        description: `Where the DNS record of ${props.domain!.name} points (CNAME, or an alias to this hosted zone: ${domainName.regionalHostedZoneId})`,
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.monitoring.topic.topicArn,
      description: 'The SNS topic every alarm notifies: subscribe the on-call to it',
    });
    new CfnOutput(this, 'TableName', {
      value: this.table.tableName,
      description: 'The DynamoDB table (TABLE_NAME for npm run admin)',
    });
    new CfnOutput(this, 'KmsKeyArn', {
      value: this.key.keyArn,
      description: 'The KMS key wrapping the data keys and encrypting the table',
    });
  }

  /** The API's custom domain, with its certificate from ACM (in the stack's region, as API Gateway needs). */
  private customDomain(domain: { name: string; certificateArn: string }): DomainName {
    return new DomainName(this, 'ApiDomain', {
      domainName: domain.name,
      certificate: Certificate.fromCertificateArn(this, 'ApiCertificate', domain.certificateArn),
      securityPolicy: SecurityPolicy.TLS_1_2,
    });
  }
}

/**
 * The route key API Gateway matches `<path>/` by: route keys may not end in "/", and AWS's route
 * documentation (exact, path variable and greedy matches) says nothing of a trailing slash, so a
 * route the contract writes with one (`/api/v1/secrets/`) gets a greedy twin `<path>/{proxy+}`
 * on the same function. More specific routes (`/api/v1/secrets/{id}`) still win; anything else
 * under the path reaches the function, whose app answers `<path>/` and 404s the rest.
 */
const slashedTwin = (route: RouteSpec): RouteSpec => ({ ...route, path: `${route.path}/{proxy+}` });

/** A browser's preflight, answered by API Gateway for the origins given (shared/http/cors.ts). */
const corsOf = (allowOrigins: string[]): CorsPreflightOptions => ({
  allowOrigins,
  allowMethods: CORS_POLICY.allowMethods.map((method) => CorsHttpMethod[method]),
  allowHeaders: [...CORS_POLICY.allowHeaders],
  exposeHeaders: [...CORS_POLICY.exposeHeaders],
  allowCredentials: false,
  maxAge: Duration.seconds(CORS_POLICY.maxAgeSeconds),
});
