import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { originsFrom } from '../../shared/http/cors.js';
import { type AlarmThresholds, DEFAULT_ALARM_THRESHOLDS } from './monitoring.js';
import { DEFAULT_JOB_START_THROTTLING, DEFAULT_THROTTLING, SecretsStack } from './secrets-stack.js';

/**
 * The CDK app: one stack, environment-agnostic (no account, no region, no context look-ups),
 * so `npm run synth` works offline. Context: `-c stage=NAME`, `-c retainData=false` (a stack that
 * may be destroyed whole), `-c domainName=… -c certificateArn=…` (a custom domain),
 * `-c corsAllowedOrigins=https://a.example,https://b.example`, `-c throttlingRateLimit=N`,
 * `-c throttlingBurstLimit=N` (the stage's default, which the management routes get),
 * `-c jobStartThrottlingRateLimit=N`, `-c jobStartThrottlingBurstLimit=N` (the job-start routes'
 * own), `-c maxEnvironmentsPerOwner=N`, `-c maxTeamsPerUser=N`, `-c runtimeProvisionedConcurrency=N`,
 * `-c runtimeReservedConcurrency=N` (the runtime function's, off by default), `-c auditStream=true` (every
 * audit event also on an EventBridge bus: docs/audit-stream.md; off by default), `-c tracing=true`
 * (X-Ray active tracing of the DynamoDB and KMS calls, off by default), `-c alarmTopicArn=…`
 * (an existing topic for the alarms), `-c alarm<Threshold>=N` for each alarm threshold of
 * infra/cdk/monitoring.ts (`-c alarmRuntimeLatencyP99Ms=1500`; docs/operations.md, "Alarms"). cdk-nag's
 * AwsSolutions checks run on every synthesis; an unsuppressed finding is an error.
 */

const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out' });

function numberContext(name: string, fallback: number): number {
  const raw: unknown = app.node.tryGetContext(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`context ${name} must be a positive number, got ${raw}`);
  return value;
}

const stage = String(app.node.tryGetContext('stage') ?? 'prod');
if (!/^[a-z][a-z0-9-]{0,20}$/.test(stage))
  throw new Error(`context stage must be a short lower-case name, got ${stage}`);

/** A positive whole number given as context, or undefined (the service's default then). */
function optionalNumberContext(name: string): number | undefined {
  if (stringContext(name) === undefined) return undefined;
  const value = numberContext(name, 0);
  if (!Number.isInteger(value)) throw new Error(`context ${name} must be a whole number, got ${value}`);
  return value;
}

function stringContext(name: string): string | undefined {
  const raw: unknown = app.node.tryGetContext(name);
  return raw === undefined || raw === '' ? undefined : String(raw);
}

function booleanContext(name: string, fallback: boolean): boolean {
  const raw = stringContext(name);
  if (raw === undefined) return fallback;
  if (raw !== 'true' && raw !== 'false') throw new Error(`context ${name} must be true or false, got ${raw}`);
  return raw === 'true';
}

const domainName = stringContext('domainName');
const certificateArn = stringContext('certificateArn');
if ((domainName === undefined) !== (certificateArn === undefined))
  throw new Error('context domainName and certificateArn go together: a custom domain needs its certificate');

/** `-c alarm<Name>=N`: each threshold of DEFAULT_ALARM_THRESHOLDS, its default unless given. */
const alarmThresholds = Object.fromEntries(
  Object.entries(DEFAULT_ALARM_THRESHOLDS).map(([name, fallback]) => [
    name,
    numberContext(`alarm${name[0]!.toUpperCase()}${name.slice(1)}`, fallback),
  ]),
) as Partial<AlarmThresholds>;

new SecretsStack(app, `PrimeSecrets-${stage}`, {
  stage,
  retainData: booleanContext('retainData', true),
  ...(domainName && certificateArn ? { domain: { name: domainName, certificateArn } } : {}),
  corsAllowedOrigins: originsFrom(stringContext('corsAllowedOrigins')),
  throttlingRateLimit: numberContext('throttlingRateLimit', DEFAULT_THROTTLING.rateLimit),
  throttlingBurstLimit: numberContext('throttlingBurstLimit', DEFAULT_THROTTLING.burstLimit),
  jobStartThrottlingRateLimit: numberContext('jobStartThrottlingRateLimit', DEFAULT_JOB_START_THROTTLING.rateLimit),
  jobStartThrottlingBurstLimit: numberContext('jobStartThrottlingBurstLimit', DEFAULT_JOB_START_THROTTLING.burstLimit),
  maxEnvironmentsPerOwner: optionalNumberContext('maxEnvironmentsPerOwner'),
  maxTeamsPerUser: optionalNumberContext('maxTeamsPerUser'),
  runtimeConcurrency: {
    provisioned: optionalNumberContext('runtimeProvisionedConcurrency'),
    reserved: optionalNumberContext('runtimeReservedConcurrency'),
  },
  auditStream: booleanContext('auditStream', false),
  tracing: booleanContext('tracing', false),
  alarmTopicArn: stringContext('alarmTopicArn'),
  alarmThresholds,
  description: `prime-secrets (${stage}): secrets and variables service of the environments hub`,
});
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));

// Findings surface as annotations; the CLI prints them, and so does this when run on its own
// (`npm run synth`): an error (an unsuppressed cdk-nag finding, a failed validation) fails it.
const assembly = app.synth();
let errors = 0;
for (const stack of assembly.stacks) {
  for (const message of stack.messages) {
    if (message.level === 'info') continue;
    if (message.level === 'error') errors++;
    if (!process.env.CDK_OUTDIR) console.error(`[${message.level}] ${message.id}: ${String(message.entry.data)}`);
  }
}
if (errors > 0) process.exitCode = 1;
else if (!process.env.CDK_OUTDIR)
  console.log(`Synthesized ${assembly.stacks.map((s) => s.stackName).join(', ')} into ${assembly.directory}`);
