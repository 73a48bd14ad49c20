import { join } from 'node:path';
import { readConfig, type ServiceConfig } from './config.js';
import { createDb, type Db } from './storage/client.js';
import { DataKeys } from './crypto/data-keys.js';
import type { KeyProvider } from './crypto/key-provider.js';
import { KmsKeyProvider } from './crypto/kms-key-provider.js';
import { LocalKeyProvider } from './crypto/local-key-provider.js';
import { ApiKeyCache } from './auth/api-key-cache.js';
import { RateLimiter } from './http/rate-limit.js';
import { TableRateLimiter } from './http/table-rate-limit.js';
import { createLogger, withRequestIds, type Logger } from './logger.js';
import { RequestMetrics } from './metrics.js';
import { EnvironmentPartitions } from './services/environment-partitions.js';
import { LruCache } from './cache.js';
import { traceClients } from './tracing.js';

/** What every service function needs, built once per process (per Lambda container). */
export interface Deps {
  config: ServiceConfig;
  db: Db;
  dataKeys: DataKeys;
  /** Environments' partitions this container read, each kept while its revision holds (sealed values only). */
  partitions: EnvironmentPartitions;
  apiKeys: ApiKeyCache;
  /** Until when (epoch seconds) each set of audited versions this container wrote or saw lasts (shared/audit.ts). */
  auditVersionSets: LruCache<number>;
  /** Per-key buckets in this process: hosted services' keys and runtime tokens. */
  rateLimiter: RateLimiter;
  /** User and admin keys, counted in the table across every process. */
  tableRateLimiter: TableRateLimiter;
  /** Lines written during a request carry its ids (shared/logger.ts). */
  logger: Logger;
  /** The running request's counts, one line each (shared/metrics.ts). */
  metrics: RequestMetrics;
}

function keyProviderFor(config: ServiceConfig): KeyProvider {
  return config.kmsKeyId
    ? new KmsKeyProvider(config.kmsKeyId)
    : LocalKeyProvider.fromFile(join(config.dataDir, 'master.key'));
}

export function createDeps(
  config: ServiceConfig = readConfig(),
  overrides: {
    keyProvider?: KeyProvider;
    db?: Db;
    logger?: Logger;
    /** Where metric lines go; stdout by default. */
    writeMetrics?: (line: string) => void;
  } = {},
): Deps {
  const metrics = new RequestMetrics({ ...config.metrics, write: overrides.writeMetrics });
  const db = overrides.db ?? createDb(config);
  // Every DynamoDB call of a request counts its failure or throttle, as the service sees it.
  metrics.countFailures('dynamoDb', db.doc);
  const keyProvider = overrides.keyProvider ?? keyProviderFor(config);
  const logger = withRequestIds(overrides.logger ?? createLogger(), () => metrics.ids());
  if (config.tracing) {
    traceClients([db.doc, ...(keyProvider instanceof KmsKeyProvider ? [keyProvider.client] : [])], logger);
  }
  return {
    config,
    db,
    dataKeys: new DataKeys(db, keyProvider, config.dataKeyCacheMs, metrics),
    partitions: new EnvironmentPartitions(db),
    apiKeys: new ApiKeyCache(config.apiKeyCacheMs, metrics),
    auditVersionSets: new LruCache({ maxEntries: 256 }),
    rateLimiter: new RateLimiter(),
    tableRateLimiter: new TableRateLimiter(db),
    logger,
    metrics,
  };
}

let processDeps: Deps | undefined;

/** The process-wide instance the Lambda handlers use. */
export function defaultDeps(): Deps {
  processDeps ??= createDeps();
  return processDeps;
}
