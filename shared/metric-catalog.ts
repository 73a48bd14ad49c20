/**
 * Every metric the service emits, by name, with its unit: the functions emit them
 * (embedded metric format, one namespace, a `service` dimension naming the function's
 * resource) and the stack's alarms and dashboard read them (infra/cdk/). Dimensions stay
 * low-cardinality: never a key, an environment, a secret's name or a value.
 */
export const METRICS = {
  /** Every request a function answered. */
  requests: { name: 'Requests', unit: 'Count' },
  /** Answers of 4xx, all codes together. */
  clientErrors: { name: 'ClientErrors', unit: 'Count' },
  /** Answers of 5xx. */
  serverErrors: { name: 'ServerErrors', unit: 'Count' },
  /** Time from the request reaching the app to its answer. */
  latency: { name: 'Latency', unit: 'Milliseconds' },
  /** 401: a missing, unknown, revoked or expired key or token. */
  unauthenticated: { name: 'Unauthenticated', unit: 'Count' },
  /** 403 and 404 on a route that names an id: what walking through ids with a stolen key looks like. */
  refusedIds: { name: 'RefusedIds', unit: 'Count' },
  /** Job-start reads (`…/runtime`) answered with values. */
  runtimeReadsServed: { name: 'RuntimeReadsServed', unit: 'Count' },
  /** Job-start reads refused (any 4xx). */
  runtimeReadsRefused: { name: 'RuntimeReadsRefused', unit: 'Count' },
  /** Job-start reads refused with 412 because the set is not the one the job asked for. */
  runtimePreconditionFailed: { name: 'RuntimePreconditionFailed', unit: 'Count' },
  /** Entries (values) one job-start read served. */
  runtimeEntriesServed: { name: 'RuntimeEntriesServed', unit: 'Count' },
  /** Calls to KMS (or the local key provider) to unwrap or make a data key. */
  kmsCalls: { name: 'KmsCalls', unit: 'Count' },
  dataKeyCacheHits: { name: 'DataKeyCacheHits', unit: 'Count' },
  dataKeyCacheMisses: { name: 'DataKeyCacheMisses', unit: 'Count' },
  apiKeyCacheHits: { name: 'ApiKeyCacheHits', unit: 'Count' },
  apiKeyCacheMisses: { name: 'ApiKeyCacheMisses', unit: 'Count' },
  /** An audit event that could not be written (the read it records is refused). */
  auditWriteFailures: { name: 'AuditWriteFailures', unit: 'Count' },
  /** DynamoDB calls that failed after the SDK's retries, throttles apart. */
  dynamoDbFailures: { name: 'DynamoDbFailures', unit: 'Count' },
  /** DynamoDB calls refused for throughput after the SDK's retries. */
  dynamoDbThrottles: { name: 'DynamoDbThrottles', unit: 'Count' },
  /** KMS calls that failed after the SDK's retries, throttles apart. */
  kmsFailures: { name: 'KmsFailures', unit: 'Count' },
  /** KMS calls refused for its request quota after the SDK's retries. */
  kmsThrottles: { name: 'KmsThrottles', unit: 'Count' },
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS]['name'];

/** The namespace when the stack sets none (environment variable METRICS_NAMESPACE). */
export const DEFAULT_METRICS_NAMESPACE = 'PrimeSecrets';
