import { ATTEMPT_TIMEOUT_MS } from './deadline.js';
import type { RateLimit } from './http/rate-limit.js';
import { DEFAULT_METRICS_NAMESPACE } from './metric-catalog.js';

/** Settings read from the process environment, once, in one place. */
export interface ServiceConfig {
  tableName: string;
  /** Set for DynamoDB Local; unset in AWS. */
  dynamoEndpoint: string | undefined;
  /**
   * Unset: the SDK's own chain decides (AWS_REGION, then the profile's region in ~/.aws/config),
   * as for `npm run admin` against a table in AWS; DynamoDB Local takes any region.
   */
  region: string | undefined;
  /** KMS key id or ARN; unset means the local key provider. */
  kmsKeyId: string | undefined;
  dataDir: string;
  /** How long a verified API key is trusted without a new look-up (at most 30 s, so that a revoked key stops working everywhere within that time). */
  apiKeyCacheMs: number;
  /** How long a plaintext data key stays in memory. */
  dataKeyCacheMs: number;
  auditShards: number;
  /** Audit events expire after this many days (DynamoDB TTL). */
  auditRetentionDays: number;
  /** How long a deleted secret or variable can be restored (1–30 days), before it is gone for good. */
  recoveryDays: number;
  /** Per-key request limits of user and admin keys, and of hosted services' keys (job-start bursts). */
  rateLimits: { user: RateLimit; service: RateLimit };
  /** Environments one owner (a user or a team) may hold, and teams one user may create. */
  maxEnvironmentsPerOwner: number;
  maxTeamsPerUser: number;
  /** How long a request may spend on DynamoDB and KMS before it answers 503 (shared/deadline.ts). */
  requestDeadlineMs: number;
  /** One metric line per request (shared/metrics.ts) under `namespace` (METRICS_NAMESPACE); METRICS=off writes none. */
  metrics: { enabled: boolean; namespace: string };
  /** `TRACING=on`: X-Ray subsegments of every DynamoDB and KMS call (shared/tracing.ts); off unless set. */
  tracing: boolean;
}

/** The functions' timeout (infra/cdk/secrets-stack.ts). */
export const FUNCTION_TIMEOUT_SECONDS = 10;

/**
 * A request's deadline under a function timeout: 2 s before it, room to answer (a 503 rather
 * than Lambda's kill). The CDK stack passes it to the functions; the local server uses the same.
 */
export const requestDeadlineMs = (timeoutSeconds: number) => timeoutSeconds * 1_000 - 2_000;

/**
 * Per-key request limits. A job-start storm reads with one service key, hence its larger
 * burst. The CDK stack passes these to the functions and keeps the throttling of the routes
 * each kind of key calls at or above them, so a single key meets its own limit before the API's.
 */
export const DEFAULT_RATE_LIMITS = {
  user: { ratePerSecond: 20, burst: 40 },
  service: { ratePerSecond: 1000, burst: 2000 },
} as const;

function intFrom(value: string | undefined, fallback: number): number {
  const parsed = value === undefined || value === '' ? NaN : Number(value);
  return Number.isInteger(parsed) && parsed >= 0 ? parsed : fallback;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  return {
    tableName: env.TABLE_NAME || 'prime-secrets',
    dynamoEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    kmsKeyId: env.KMS_KEY_ID || undefined,
    dataDir: env.DATA_DIR || '.data',
    apiKeyCacheMs: Math.min(intFrom(env.API_KEY_CACHE_MS, 30_000), 30_000),
    dataKeyCacheMs: intFrom(env.DATA_KEY_CACHE_MS, 5 * 60_000),
    auditShards: Math.max(1, intFrom(env.AUDIT_SHARDS, 8)),
    auditRetentionDays: Math.max(1, intFrom(env.AUDIT_RETENTION_DAYS, 400)),
    recoveryDays: Math.min(30, Math.max(1, intFrom(env.RECOVERY_DAYS, 7))),
    maxEnvironmentsPerOwner: Math.max(1, intFrom(env.MAX_ENVIRONMENTS_PER_OWNER, 1_000)),
    maxTeamsPerUser: Math.max(1, intFrom(env.MAX_TEAMS_PER_USER, 100)),
    rateLimits: {
      user: {
        ratePerSecond: Math.max(1, intFrom(env.RATE_LIMIT_USER_RPS, DEFAULT_RATE_LIMITS.user.ratePerSecond)),
        burst: Math.max(1, intFrom(env.RATE_LIMIT_USER_BURST, DEFAULT_RATE_LIMITS.user.burst)),
      },
      service: {
        ratePerSecond: Math.max(1, intFrom(env.RATE_LIMIT_SERVICE_RPS, DEFAULT_RATE_LIMITS.service.ratePerSecond)),
        burst: Math.max(1, intFrom(env.RATE_LIMIT_SERVICE_BURST, DEFAULT_RATE_LIMITS.service.burst)),
      },
    },
    // Never shorter than one attempt of a call: a write starts only when one fits.
    requestDeadlineMs: Math.max(
      ATTEMPT_TIMEOUT_MS,
      intFrom(env.REQUEST_DEADLINE_MS, requestDeadlineMs(FUNCTION_TIMEOUT_SECONDS)),
    ),
    metrics: {
      enabled: env.METRICS !== 'off',
      namespace: env.METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE,
    },
    tracing: env.TRACING === 'on',
  };
}
