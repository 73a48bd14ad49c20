import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../shared/config.js';
import { DEFAULT_METRICS_NAMESPACE } from '../../shared/metric-catalog.js';
import { RESOURCES, ROUTES, type Resource } from '../../functions/routes.js';
import { BUNDLE_FILE } from '../../infra/build.js';
import { PERMISSIONS, WRITE_ACTIONS } from '../../infra/cdk/permissions.js';
import { JOB_START_RESOURCES, SecretsStack } from '../../infra/cdk/secrets-stack.js';
import { createTableInput } from '../../shared/storage/table-definition.js';
import { writeStubBundles } from '../support/stub-bundles.js';

/**
 * The synthesized template of the deployed stack, checked against the route table, the table
 * definition and the least-privilege rules, plus cdk-nag's AwsSolutions pack. The function code
 * here is a stand-in bundle per resource (the real bundles are built and run in
 * bundles.test.ts); what matters is that each function ships its own resource's folder.
 */

type Json = any;

let app: App;
let prod: SecretsStack;
let dev: SecretsStack;
let assembly: CloudAssembly;
let template: Template;
let json: Json;
let devJson: Json;
let adoptedJson: Json;
let storms: SecretsStack;
let stormsJson: Json;
let root: string;
let bundleDir: string;
let outDir: string;

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';
const RATE = 37;
const BURST = 73;
const JOB_RATE = 59;
const JOB_BURST = 97;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'prime-secrets-stack-'));
  bundleDir = join(root, 'bundles');
  outDir = join(root, 'cdk.out');
  writeStubBundles(bundleDir);
  app = new App({
    outdir: outDir,
    context: { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:disable-stack-trace': true },
  });
  prod = new SecretsStack(app, 'Prod', {
    bundleDir,
    throttlingRateLimit: RATE,
    throttlingBurstLimit: BURST,
    jobStartThrottlingRateLimit: JOB_RATE,
    jobStartThrottlingBurstLimit: JOB_BURST,
  });
  dev = new SecretsStack(app, 'Dev', { bundleDir, stage: 'dev', retainData: false });
  const adopted = new SecretsStack(app, 'Adopted', {
    bundleDir,
    domain: { name: 'secrets.example.com', certificateArn: CERTIFICATE_ARN },
    corsAllowedOrigins: ['https://app.example.com'],
    maxEnvironmentsPerOwner: 50,
    maxTeamsPerUser: 5,
  });
  storms = new SecretsStack(app, 'Storms', { bundleDir, runtimeConcurrency: { provisioned: 5, reserved: 20 } });
  Aspects.of(app).add(new AwsSolutionsChecks());
  assembly = app.synth();
  json = assembly.getStackArtifact(prod.artifactId).template;
  devJson = assembly.getStackArtifact(dev.artifactId).template;
  adoptedJson = assembly.getStackArtifact(adopted.artifactId).template;
  stormsJson = assembly.getStackArtifact(storms.artifactId).template;
  template = Template.fromJSON(json);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const logicalId = (stack: Stack, construct: IConstruct) =>
  stack.getLogicalId(construct.node.defaultChild as import('aws-cdk-lib').CfnElement);
const resourcesOfType = (tpl: Json, type: string): [string, Json][] =>
  Object.entries(tpl.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);
const functionId = (resource: Resource) => logicalId(prod, prod.functions[resource]);
const tableId = () => logicalId(prod, prod.table);
const keyId = () => logicalId(prod, prod.key);

describe('the API, from the route table', () => {
  it('has one route per route of the table (and a greedy twin of each slashed one), each to its own resource function', () => {
    const routes = resourcesOfType(json, 'AWS::ApiGatewayV2::Route');
    const slashed = ROUTES.filter((r) => r.slashed);
    expect(slashed.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/secrets', 'POST /api/v1/secrets']);
    const twins = slashed.map((r) => ({ ...r, path: `${r.path}/{proxy+}` }));
    expect(routes).toHaveLength(ROUTES.length + twins.length);
    const integrations = Object.fromEntries(resourcesOfType(json, 'AWS::ApiGatewayV2::Integration'));
    const byKey = new Map(routes.map(([, r]) => [r.Properties.RouteKey as string, r.Properties]));
    for (const route of [...ROUTES, ...twins]) {
      const properties = byKey.get(`${route.method} ${route.path}`);
      expect(properties, `${route.method} ${route.path}`).toBeDefined();
      // Target: integrations/<integration>, whose URI is the function of the route's resource.
      const target = properties.Target['Fn::Join'][1];
      expect(target[0]).toBe('integrations/');
      const integration = integrations[target[1].Ref];
      expect(integration.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [functionId(route.resource), 'Arn'] },
      });
      // No API Gateway authorizer: authentication is the service's own (see the nag reason).
      expect(properties.AuthorizationType ?? 'NONE').toBe('NONE');
    }
    expect(resourcesOfType(json, 'AWS::ApiGatewayV2::Integration')).toHaveLength(RESOURCES.length);
  });

  it('leaves trailing slashes to the API: no route key ends in "/", and the apps tolerate them', () => {
    // API Gateway rejects a route key ending in "/" (CDK's HttpRouteKey refuses it too); an HTTP
    // API matches `<path>/` to the route of `<path>`, and bundles.test.ts shows the function
    // answering the trailing-slash path under the route's key.
    for (const [, route] of resourcesOfType(json, 'AWS::ApiGatewayV2::Route')) {
      expect(route.Properties.RouteKey).not.toMatch(/\/$/);
    }
    expect(resourcesOfType(json, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey)).not.toContain(
      '$default',
    );
  });

  it('lets API Gateway invoke each function from this API only: one permission per function, not per route', () => {
    const permissions = resourcesOfType(json, 'AWS::Lambda::Permission').map(([, p]) => p.Properties);
    const apiId = logicalId(prod, prod.api);
    for (const resource of RESOURCES) {
      const own = permissions.filter((p) => p.FunctionName['Fn::GetAtt']?.[0] === functionId(resource));
      expect(own, resource).toHaveLength(1);
      expect(own[0]).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
      const arn = own[0].SourceArn['Fn::Join'][1];
      expect(arn).toContainEqual({ Ref: apiId });
      expect(arn.at(-1)).toBe('/*/*/*');
    }
    // A function's resource policy stays far below Lambda's 20 KB, however many routes it serves.
    expect(permissions).toHaveLength(RESOURCES.length);
  });

  it('throttles the default stage with the given rate and burst, and writes access logs', () => {
    const stages = resourcesOfType(json, 'AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const stage = stages[0]![1].Properties;
    expect(stage).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: RATE, ThrottlingBurstLimit: BURST },
    });
    const logGroupId = stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(json.Resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
    const format = JSON.parse(stage.AccessLogSettings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    // Metadata only: no header (an Authorization header carries a key), no body, no query.
    expect(stage.AccessLogSettings.Format).not.toMatch(/header|body|querystring|authorizer/i);
    // The defaults apply without the properties: at or above every per-key limit.
    expect(resourcesOfType(devJson, 'AWS::ApiGatewayV2::Stage')[0]![1].Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: DEFAULT_RATE_LIMITS.service.ratePerSecond,
      ThrottlingBurstLimit: DEFAULT_RATE_LIMITS.service.burst,
    });
  });

  it('gives each job-start route a throttle of its own, apart from the management routes', () => {
    const [[stageId, stage]] = resourcesOfType(json, 'AWS::ApiGatewayV2::Stage') as [[string, Json]];
    const jobStart = ROUTES.filter((r) => JOB_START_RESOURCES.includes(r.resource));
    // The runtime read and check, and minting, listing and revoking runtime tokens.
    expect(jobStart.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'GET /api/v1/environmentshub/{envId}/runtime',
        'GET /api/v1/environmentshub/{envId}/runtime/check',
        'POST /api/v1/environmentshub/{envId}/runtime-tokens',
        'DELETE /api/v1/environmentshub/{envId}/runtime-tokens/{id}',
      ]),
    );
    const own = { ThrottlingRateLimit: JOB_RATE, ThrottlingBurstLimit: JOB_BURST };
    // The runtime read's route also writes detailed metrics, for its latency alarm (monitoring.test.ts).
    const runtimeRead = 'GET /api/v1/environmentshub/{envId}/runtime';
    const withMetrics = (key: string, settings: object) =>
      key === runtimeRead ? { ...settings, DetailedMetricsEnabled: true } : settings;
    expect(stage.Properties.RouteSettings).toEqual(
      Object.fromEntries(jobStart.map((r) => [`${r.method} ${r.path}`, withMetrics(`${r.method} ${r.path}`, own)])),
    );
    // Every management route is left to the stage's default, the throttle management traffic spends.
    expect(stage.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: RATE, ThrottlingBurstLimit: BURST });
    // API Gateway takes route settings only for routes it has: the stage comes after those routes.
    const routeIds = resourcesOfType(json, 'AWS::ApiGatewayV2::Route')
      .filter(([, r]) => jobStart.some((j) => r.Properties.RouteKey === `${j.method} ${j.path}`))
      .map(([id]) => id);
    expect(routeIds).toHaveLength(jobStart.length);
    expect([...json.Resources[stageId].DependsOn].sort()).toEqual(routeIds.sort());
    // Without the properties: the services' per-key limit, whatever the management default.
    expect(resourcesOfType(devJson, 'AWS::ApiGatewayV2::Stage')[0]![1].Properties.RouteSettings).toEqual(
      Object.fromEntries(
        jobStart.map((r) => [
          `${r.method} ${r.path}`,
          withMetrics(`${r.method} ${r.path}`, {
            ThrottlingRateLimit: DEFAULT_RATE_LIMITS.service.ratePerSecond,
            ThrottlingBurstLimit: DEFAULT_RATE_LIMITS.service.burst,
          }),
        ]),
      ),
    );
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: { [runtimeRead]: { ...own, DetailedMetricsEnabled: true } },
    });
  });

  it('outputs the API URL, the table name and the key ARN', () => {
    const apiId = logicalId(prod, prod.api);
    expect(json.Outputs.ApiUrl.Value['Fn::Join'][1]).toEqual([
      'https://',
      { Ref: apiId },
      '.execute-api.',
      { Ref: 'AWS::Region' },
      '.',
      { Ref: 'AWS::URLSuffix' },
      '/',
    ]);
    expect(json.Outputs.TableName.Value).toEqual({ Ref: tableId() });
    expect(json.Outputs.KmsKeyArn.Value).toEqual({ 'Fn::GetAtt': [keyId(), 'Arn'] });
  });
});

describe('the functions', () => {
  it('are one per resource: Node.js 22 on arm64, JSON logs to a kept log group, the table and key in the environment', () => {
    expect(resourcesOfType(json, 'AWS::Lambda::Function')).toHaveLength(RESOURCES.length);
    for (const resource of RESOURCES) {
      const fn = json.Resources[functionId(resource)];
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
        Timeout: 10,
      });
      expect(fn.Properties.Environment.Variables).toEqual({
        TABLE_NAME: { Ref: tableId() },
        KMS_KEY_ID: { 'Fn::GetAtt': [keyId(), 'Arn'] },
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'prime-secrets',
        // the namespace of the metric lines, the one the alarms and the dashboard read
        METRICS_NAMESPACE: `${DEFAULT_METRICS_NAMESPACE}/prod`,
        // per-key limits, capped by the throttling of the routes each kind of key calls: user
        // keys the stage's default (rate 37, burst 73 here), services the job-start routes' (59, 97)
        RATE_LIMIT_USER_RPS: String(Math.min(DEFAULT_RATE_LIMITS.user.ratePerSecond, RATE)),
        RATE_LIMIT_USER_BURST: String(Math.min(DEFAULT_RATE_LIMITS.user.burst, BURST)),
        RATE_LIMIT_SERVICE_RPS: String(JOB_RATE),
        RATE_LIMIT_SERVICE_BURST: String(JOB_BURST),
        // every request's deadline: 2 s before the 10 s timeout, room to answer 503 (shared/deadline.ts)
        REQUEST_DEADLINE_MS: '8000',
      });
      const logGroup = json.Resources[fn.Properties.LoggingConfig.LogGroup.Ref];
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties.RetentionInDays).toBe(90);
      expect(logGroup.DeletionPolicy).toBe('Retain');
    }
  });

  it("ship each resource's own bundle folder as their code", () => {
    for (const resource of RESOURCES) {
      const assetPath = json.Resources[functionId(resource)].Metadata['aws:asset:path'];
      const staged = join(outDir, assetPath);
      expect(readdirSync(staged)).toEqual([BUNDLE_FILE]);
      expect(readFileSync(join(staged, BUNDLE_FILE), 'utf8')).toBe(
        readFileSync(join(bundleDir, resource, BUNDLE_FILE), 'utf8'),
      );
    }
  });

  it('refuse to synthesize without the bundles', () => {
    const empty = mkdtempSync(join(tmpdir(), 'prime-secrets-nobundles-'));
    expect(() => new SecretsStack(new App(), 'NoBundles', { bundleDir: empty })).toThrow(/npm run build/);
  });
});

describe("the runtime function's concurrency", () => {
  it('is neither provisioned nor reserved by default', () => {
    for (const [, fn] of resourcesOfType(json, 'AWS::Lambda::Function')) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
    expect(resourcesOfType(json, 'AWS::Lambda::Alias')).toEqual([]);
    expect(resourcesOfType(json, 'AWS::Lambda::Version')).toEqual([]);
  });

  it("reserves the runtime function's and provisions it on an alias the runtime routes call", () => {
    const runtimeId = logicalId(storms, storms.functions.runtime);
    for (const [id, fn] of resourcesOfType(stormsJson, 'AWS::Lambda::Function')) {
      expect(fn.Properties.ReservedConcurrentExecutions, id).toBe(id === runtimeId ? 20 : undefined);
    }
    const [[versionId, version]] = resourcesOfType(stormsJson, 'AWS::Lambda::Version') as [[string, Json]];
    expect(version.Properties.FunctionName).toEqual({ Ref: runtimeId });
    const [[aliasId, alias]] = resourcesOfType(stormsJson, 'AWS::Lambda::Alias') as [[string, Json]];
    expect(alias.Properties).toMatchObject({
      Name: 'live',
      FunctionName: { Ref: runtimeId },
      FunctionVersion: { 'Fn::GetAtt': [versionId, 'Version'] },
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 5 },
    });
    // Provisioned containers serve only calls to the alias: the runtime routes make them, the others call their functions.
    const integrations = Object.fromEntries(resourcesOfType(stormsJson, 'AWS::ApiGatewayV2::Integration'));
    for (const [, route] of resourcesOfType(stormsJson, 'AWS::ApiGatewayV2::Route')) {
      const uri = integrations[route.Properties.Target['Fn::Join'][1][1].Ref].Properties.IntegrationUri;
      const resource = ROUTES.find((r) => `${r.method} ${r.path}` === route.Properties.RouteKey)?.resource;
      if (resource === 'runtime') expect(uri).toEqual({ Ref: aliasId });
      else expect(uri['Fn::GetAtt'][0]).not.toBe(runtimeId);
    }
    const invokers = resourcesOfType(stormsJson, 'AWS::Lambda::Permission').map(([, p]) => p.Properties.FunctionName);
    expect(invokers).toContainEqual({ Ref: aliasId });
  });

  it('takes whole numbers only, the provisioned within the reserved', () => {
    const stack = (runtimeConcurrency: { provisioned?: number; reserved?: number }) => () =>
      new SecretsStack(new App(), 'Concurrency', { bundleDir, runtimeConcurrency });
    expect(stack({ provisioned: 10, reserved: 5 })).toThrow(/cannot exceed its reserved concurrency/);
    expect(stack({ provisioned: 0 })).toThrow(/whole number above 0/);
    expect(stack({ reserved: 2.5 })).toThrow(/whole number above 0/);
    expect(stack({ reserved: 5 })).not.toThrow();
  });
});

describe('the table, from the shared table definition', () => {
  it('has the keys, the index and the TTL attribute of the local table', () => {
    const local = createTableInput('any');
    const table = json.Resources[tableId()];
    expect(table.Type).toBe('AWS::DynamoDB::GlobalTable');
    expect(table.Properties.KeySchema).toEqual(local.KeySchema);
    expect(new Set(table.Properties.AttributeDefinitions)).toEqual(new Set(local.AttributeDefinitions));
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(local.GlobalSecondaryIndexes);
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(table.Properties.BillingMode).toBe(local.BillingMode);
  });

  it("is encrypted with the service's own KMS key, in both stages", () => {
    for (const tpl of [json, devJson]) {
      const [, table] = resourcesOfType(tpl, 'AWS::DynamoDB::GlobalTable')[0]!;
      const [key] = resourcesOfType(tpl, 'AWS::KMS::Key')[0]!;
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      expect(table.Properties.Replicas).toHaveLength(1);
      expect(table.Properties.Replicas[0].SSESpecification).toEqual({ KMSMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    }
  });

  it('has point-in-time recovery and deletion protection, and is kept when the stack goes', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        Replicas: [
          {
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          },
        ],
      },
    });
  });
});

describe('the KMS key', () => {
  it('rotates, has an alias and is kept when the stack goes', () => {
    // Beside it, only the alarm topic's own key (test/infra/monitoring.test.ts).
    const [[, topic]] = resourcesOfType(json, 'AWS::SNS::Topic') as [[string, Json]];
    expect(resourcesOfType(json, 'AWS::KMS::Key').map(([id]) => id)).toEqual([
      keyId(),
      topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0],
    ]);
    expect(json.Resources[keyId()]).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/prime-secrets/prod',
      TargetKeyId: { 'Fn::GetAtt': [keyId(), 'Arn'] },
    });
  });
});

describe('a stack operators adopt', () => {
  it('serves the API on its own domain only, the execute-api endpoint off', () => {
    const [, api] = resourcesOfType(adoptedJson, 'AWS::ApiGatewayV2::Api')[0]!;
    expect(api.Properties.DisableExecuteApiEndpoint).toBe(true);
    const [domainId, domain] = resourcesOfType(adoptedJson, 'AWS::ApiGatewayV2::DomainName')[0]!;
    expect(domain.Properties).toMatchObject({
      DomainName: 'secrets.example.com',
      DomainNameConfigurations: [
        { CertificateArn: CERTIFICATE_ARN, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' },
      ],
    });
    const [, mapping] = resourcesOfType(adoptedJson, 'AWS::ApiGatewayV2::ApiMapping')[0]!;
    expect(mapping.Properties.DomainName).toEqual({ Ref: domainId });
    expect(adoptedJson.Outputs.ApiUrl.Value).toBe('https://secrets.example.com/');
    expect(adoptedJson.Outputs.ApiDomainTarget.Value).toEqual({ 'Fn::GetAtt': [domainId, 'RegionalDomainName'] });
    // Without a domain the default endpoint stays, and nothing maps a domain.
    expect(resourcesOfType(json, 'AWS::ApiGatewayV2::Api')[0]![1].Properties.DisableExecuteApiEndpoint).toBeFalsy();
    expect(resourcesOfType(json, 'AWS::ApiGatewayV2::DomainName')).toHaveLength(0);
  });

  it('answers preflights for the origins given, never with credentials; none without them', () => {
    const [, api] = resourcesOfType(adoptedJson, 'AWS::ApiGatewayV2::Api')[0]!;
    expect(api.Properties.CorsConfiguration).toMatchObject({
      AllowOrigins: ['https://app.example.com'],
      AllowCredentials: false,
      AllowHeaders: expect.arrayContaining(['authorization', 'content-type', 'if-match']),
      ExposeHeaders: expect.arrayContaining(['x-request-id', 'retry-after']),
    });
    expect(resourcesOfType(json, 'AWS::ApiGatewayV2::Api')[0]![1].Properties.CorsConfiguration).toBeUndefined();
  });

  it("passes an owner's caps to every function when given, and leaves the service's defaults otherwise", () => {
    for (const [, fn] of resourcesOfType(adoptedJson, 'AWS::Lambda::Function')) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        MAX_ENVIRONMENTS_PER_OWNER: '50',
        MAX_TEAMS_PER_USER: '5',
      });
    }
    for (const [, fn] of resourcesOfType(json, 'AWS::Lambda::Function')) {
      expect(fn.Properties.Environment.Variables.MAX_ENVIRONMENTS_PER_OWNER).toBeUndefined();
    }
  });

  it('retains its data unless told otherwise, whatever the stage is called', () => {
    for (const tpl of [json, adoptedJson]) {
      const [, table] = resourcesOfType(tpl, 'AWS::DynamoDB::GlobalTable')[0]!;
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties.Replicas[0].DeletionProtectionEnabled).toBe(true);
    }
  });
});

describe('a stack without retained data', () => {
  it('may be destroyed whole: table, key and logs go with the stack', () => {
    const [, table] = resourcesOfType(devJson, 'AWS::DynamoDB::GlobalTable')[0]!;
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.Properties.Replicas[0].DeletionProtectionEnabled).toBe(false);
    // Still recoverable while it lives.
    expect(table.Properties.Replicas[0].PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled).toBe(true);
    expect(resourcesOfType(devJson, 'AWS::KMS::Key')[0]![1].DeletionPolicy).toBe('Delete');
    for (const [, group] of resourcesOfType(devJson, 'AWS::Logs::LogGroup'))
      expect(group.DeletionPolicy).toBe('Delete');
    expect(resourcesOfType(devJson, 'AWS::KMS::Alias')[0]![1].Properties.AliasName).toBe('alias/prime-secrets/dev');
  });
});

// ---- least privilege ----

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: Json;
  Action: string | string[];
  Resource: Json;
  Condition?: Json;
}

/** The statements of every policy attached to a function's role, and the role itself. */
function policyOf(resource: Resource): { role: Json; statements: Statement[] } {
  const roleId = json.Resources[functionId(resource)].Properties.Role['Fn::GetAtt'][0];
  const policies = resourcesOfType(json, 'AWS::IAM::Policy').filter(([, p]) =>
    p.Properties.Roles.some((r: Json) => r.Ref === roleId),
  );
  expect(policies).toHaveLength(1);
  return { role: json.Resources[roleId], statements: policies[0]![1].Properties.PolicyDocument.Statement };
}

const actionsOf = (s: Statement) => [s.Action].flat().sort();

const same = (a: Json, b: Json) => JSON.stringify(a) === JSON.stringify(b);
const tableArn = () => ({ 'Fn::GetAtt': [tableId(), 'Arn'] });
const indexArn = () => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId(), 'Arn'] }, '/index/gsi1']] });
const keyArn = () => ({ 'Fn::GetAtt': [keyId(), 'Arn'] });
const roleArnOf = (resource: Resource) => ({
  'Fn::GetAtt': [json.Resources[functionId(resource)].Properties.Role['Fn::GetAtt'][0], 'Arn'],
});
const ACCOUNT_ROOT = {
  AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] },
};
const VIA_DYNAMODB = {
  'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
};
const DATA_KEY_CONDITION = {
  StringEquals: { 'kms:EncryptionContext:purpose': 'secrets-dek' },
  'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['owner', 'purpose'] },
};
const isTableKeyStatement = (s: Statement) => s.Condition?.StringEquals?.['kms:ViaService'] !== undefined;
/** The deep health check's DescribeKey: the key's metadata, no encryption context, no key material. */
const isKeyCheckStatement = (s: Statement) => same(actionsOf(s), ['kms:DescribeKey']) && s.Condition === undefined;

describe('each function may do only what it needs', () => {
  it.each(RESOURCES)('%s: its logs, its table actions, the index and KMS only where used', (resource) => {
    const { role, statements } = policyOf(resource);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
    for (const s of statements) expect(s.Effect).toBe('Allow');
    for (const s of statements) expect(actionsOf(s).some((a) => a.includes('*'))).toBe(false);

    const grants = PERMISSIONS[resource];
    const logs = statements.filter((s) => actionsOf(s).every((a) => a.startsWith('logs:')));
    const table = statements.filter((s) => same(s.Resource, tableArn()));
    const index = statements.filter((s) => same(s.Resource, indexArn()));
    const kms = statements.filter((s) => same(s.Resource, keyArn()));
    expect(logs.length + table.length + index.length + kms.length).toBe(statements.length);

    const logGroupId = json.Resources[functionId(resource)].Properties.LoggingConfig.LogGroup.Ref;
    expect(logs.map((s) => [actionsOf(s), s.Resource])).toEqual([
      [['logs:CreateLogStream', 'logs:PutLogEvents'], { 'Fn::GetAtt': [logGroupId, 'Arn'] }],
    ]);
    // Reads unconditioned; every write action only under the resource's own partition keys.
    const writeActions = grants.table.filter((a) => WRITE_ACTIONS.includes(a));
    expect(table.filter((s) => !s.Condition).flatMap(actionsOf)).toEqual(
      grants.table.filter((a) => !WRITE_ACTIONS.includes(a)).sort(),
    );
    expect(table.filter((s) => s.Condition).map((s) => [actionsOf(s), s.Condition])).toEqual(
      writeActions.length === 0
        ? []
        : [[[...writeActions].sort(), { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...grants.writes] } }]],
    );
    expect(index.flatMap(actionsOf)).toEqual([...grants.index].sort());
    // The table is encrypted with the key: DynamoDB uses it on the function's behalf, only so.
    expect(kms.filter(isTableKeyStatement).map((s) => [actionsOf(s), s.Condition])).toEqual([
      [['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], { StringEquals: VIA_DYNAMODB }],
    ]);
    expect(kms.filter(isKeyCheckStatement).map(actionsOf)).toEqual(
      grants.keyCheck.length === 0 ? [] : [[...grants.keyCheck]],
    );
    const dataKeys = kms.filter((s) => !isTableKeyStatement(s) && !isKeyCheckStatement(s));
    if (grants.kms.length === 0) {
      expect(dataKeys).toEqual([]);
    } else {
      expect(dataKeys).toHaveLength(1);
      expect(actionsOf(dataKeys[0]!)).toEqual([...grants.kms].sort());
      expect(dataKeys[0]!.Condition).toEqual(DATA_KEY_CONDITION);
    }
  });

  it('grants what the design says, by resource', () => {
    const tableActions = (r: Resource) =>
      policyOf(r)
        .statements.filter((s) => same(s.Resource, tableArn()))
        .flatMap(actionsOf);
    const kmsActions = (r: Resource) =>
      policyOf(r)
        .statements.filter((s) => same(s.Resource, keyArn()) && !isTableKeyStatement(s) && !isKeyCheckStatement(s))
        .flatMap(actionsOf);
    // Only the deep health check's function describes the key (shared/services/health.ts).
    expect(RESOURCES.filter((r) => policyOf(r).statements.some(isKeyCheckStatement))).toEqual(['accounts']);
    const writablePartitions = (r: Resource): string[] =>
      policyOf(r).statements.find((s) => same(s.Resource, tableArn()) && s.Condition)?.Condition[
        'ForAllValues:StringLike'
      ]['dynamodb:LeadingKeys'] ?? [];
    const indexUsers = RESOURCES.filter((r) => policyOf(r).statements.some((s) => same(s.Resource, indexArn())));
    // Every resource authenticates with GetItem; nobody scans. Only those that seal values check
    // a condition on its own (that their data key is still the newest, shared/services/sealing.ts),
    // and accounts (that another admin key remains when one is revoked, shared/services/api-keys.ts).
    const checkers = ['accounts', 'global-secrets', 'environment-secrets', 'console'];
    for (const r of RESOURCES) {
      expect(tableActions(r)).toContain('dynamodb:GetItem');
      expect(tableActions(r)).not.toContain('dynamodb:Scan');
      expect(tableActions(r).includes('dynamodb:ConditionCheckItem'), r).toBe(checkers.includes(r));
    }
    // Every resource counts its user and admin keys' requests (`RATE#…`, shared/http/table-rate-limit.ts).
    for (const r of RESOURCES) expect(writablePartitions(r), r).toContain('RATE#*#*');
    // Audit reads only, but for that count; the runtime read writes only its audit event (and the
    // set of versions it names) and the count.
    expect(tableActions('audit').sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(tableActions('runtime')).not.toContain('dynamodb:DeleteItem');
    expect(writablePartitions('audit')).toEqual(['RATE#*#*']);
    expect(writablePartitions('runtime')).toEqual(['AUDIT#*#*', 'AUDITVERSIONS#*#*', 'RATE#*#*']);
    // Service and admin keys, teams and slugs only by accounts; a user's profile and key listing by
    // accounts and the console's API keys page; sessions only by the console's two functions; data
    // (environments, entries, secrets, data keys) never by accounts; every writer audits.
    const writers = (pattern: string) => RESOURCES.filter((r) => writablePartitions(r).includes(pattern));
    for (const pattern of ['SERVICE#*', 'ADMIN', 'TEAM#*', 'SLUG#*']) {
      expect(writers(pattern)).toEqual(['accounts']);
    }
    expect(writers('USER#*')).toEqual(['accounts', 'console-keys']);
    // Key items (`KEY#<hash>`): API keys by accounts and the console's API keys page, runtime
    // tokens by runtime-tokens, and none may unwrap a data key: no function can both open values
    // and write a credential.
    expect(writers('KEY#*')).toEqual(['accounts', 'runtime-tokens', 'console-keys']);
    expect(writers('RTOKEN#*')).toEqual(['runtime-tokens']);
    for (const r of writers('KEY#*')) expect(kmsActions(r)).toEqual([]);
    expect(writers('SESSION#*')).toEqual(['console', 'console-keys']);
    expect(writers('ENV#*')).not.toContain('console-keys');
    expect(writers('OWNER#*')).not.toContain('console-keys');
    expect(writers('ENV#*')).not.toContain('accounts');
    expect(writers('OWNER#*')).not.toContain('accounts');
    expect(writers('AUDIT#*#*')).toEqual(RESOURCES.filter((r) => r !== 'audit'));
    // Only the environment delete (and the owner writes that finish a stopped one) and purges
    // batch deletes (the versions of what they destroy).
    expect(RESOURCES.filter((r) => tableActions(r).includes('dynamodb:BatchWriteItem'))).toEqual([
      'environments',
      'global-secrets',
      'environment-secrets',
      'environment-variables',
      'console',
    ]);
    // Only what seals values makes data keys; the runtime read only unwraps them.
    // (The console runs the same service functions as the resources it shows.)
    expect(RESOURCES.filter((r) => kmsActions(r).includes('kms:GenerateDataKey'))).toEqual([
      'global-secrets',
      'environment-secrets',
      'console',
    ]);
    expect(RESOURCES.filter((r) => kmsActions(r).includes('kms:Decrypt'))).toEqual([
      'global-secrets',
      'environment-secrets',
      'runtime',
      'console',
    ]);
    // The index serves a user's teams, the admin's listing of users, the scope check of a link,
    // an entry by its id and an environment's events.
    expect(indexUsers).toEqual([
      'accounts',
      'environment-secrets',
      'environment-variables',
      'audit',
      'console',
      'console-keys',
    ]);
  });
});

describe('the KMS key policy', () => {
  const keyPolicy = (): Statement[] => json.Resources[keyId()].Properties.KeyPolicy.Statement;
  const USE = /^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|CreateGrant|\*)/;

  it('lets the account administer the key but not use it, nor use it but through DynamoDB', () => {
    const statements = keyPolicy();
    const admin = statements.find((s) => s.Sid === 'KeyAdministration')!;
    expect(admin.Principal).toEqual(ACCOUNT_ROOT);
    expect(admin.Condition).toBeUndefined();
    expect(actionsOf(admin)).toContain('kms:Put*');
    expect(actionsOf(admin).filter((a) => USE.test(a))).toEqual([]);
    // No "account may do anything": every use by the account goes through DynamoDB, in the
    // account, and is still up to each principal's own IAM policy.
    for (const s of statements.filter(
      (s) => same(s.Principal, ACCOUNT_ROOT) && actionsOf(s).some((a) => USE.test(a)),
    )) {
      expect(s.Sid).toBe('TableThroughDynamoDB');
      expect(s.Condition).toEqual({
        StringEquals: { ...VIA_DYNAMODB, 'kms:CallerAccount': { Ref: 'AWS::AccountId' } },
      });
    }
    const dynamodb = statements.find((s) => same(s.Principal, { Service: 'dynamodb.amazonaws.com' }))!;
    expect(actionsOf(dynamodb).filter((a) => USE.test(a))).toEqual([]);
  });

  it('names each function that seals or opens values, with its own data key actions only', () => {
    const statements = keyPolicy();
    const named = statements.filter((s) => s.Sid?.startsWith('DataKeys'));
    const sealing = RESOURCES.filter((r) => PERMISSIONS[r].kms.length > 0);
    expect(named).toHaveLength(sealing.length);
    for (const resource of sealing) {
      const own = named.filter((s) => same(s.Principal, { AWS: roleArnOf(resource) }));
      expect(own.map((s) => [actionsOf(s), s.Resource, s.Condition])).toEqual([
        [[...PERMISSIONS[resource].kms].sort(), '*', DATA_KEY_CONDITION],
      ]);
    }
    expect(statements.map((s) => s.Sid).sort()).toEqual(
      ['DynamoDBReadsKeyMetadata', 'KeyAdministration', 'TableThroughDynamoDB', ...named.map((s) => s.Sid)].sort(),
    );
  });
});

describe('cdk-nag AwsSolutions', () => {
  const nagMessages = (stack: Stack, level: 'error' | 'warning') =>
    assembly
      .getStackArtifact(stack.artifactId)
      .messages.filter((m) => m.level === level && String(m.entry.data).includes('AwsSolutions-'));

  it('finds no unsuppressed error or warning in either stage', () => {
    for (const stack of [prod, dev]) {
      expect(nagMessages(stack, 'error').map((m) => `${m.id}: ${String(m.entry.data)}`)).toEqual([]);
      expect(nagMessages(stack, 'warning').map((m) => `${m.id}: ${String(m.entry.data)}`)).toEqual([]);
    }
  });

  it('has a written reason for every suppression, and suppresses only the two rules it means to', () => {
    const suppressed = new Set<string>();
    for (const resource of Object.values(json.Resources as Record<string, Json>)) {
      for (const rule of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
        suppressed.add(rule.id);
        expect(typeof rule.reason).toBe('string');
        expect(rule.reason.length).toBeGreaterThan(40);
      }
    }
    expect([...suppressed].sort()).toEqual(['AwsSolutions-APIG4', 'AwsSolutions-L1']);
    // L1 only on the functions, APIG4 only on the routes.
    for (const [, resource] of Object.entries(json.Resources as Record<string, Json>)) {
      const ids = (resource.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((r: Json) => r.id);
      if (ids.includes('AwsSolutions-L1')) expect(resource.Type).toBe('AWS::Lambda::Function');
      if (ids.includes('AwsSolutions-APIG4')) expect(resource.Type).toBe('AWS::ApiGatewayV2::Route');
    }
  });

  it('passes the built-in CloudFormation validation', () => {
    const report = JSON.parse(readFileSync(join(outDir, 'validation-report.json'), 'utf8'));
    const violations = (report.pluginReports ?? []).flatMap((p: Json) => p.violations ?? []);
    expect(violations).toEqual([]);
  });
});
