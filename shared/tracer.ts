import { Tracer } from '@aws-lambda-powertools/tracer';
import type { TracedClient } from './tracing.js';

/**
 * Powertools Tracer on the SDK clients: an X-Ray subsegment per DynamoDB and KMS call, under the
 * segment Lambda opens for each invocation (active tracing). Only shared/tracing.ts loads this
 * module, by a dynamic import and only with tracing on: in a Lambda bundle it is a file of its
 * own (`tracer.mjs`, infra/build.ts), so a function with tracing off never reads it.
 */
export function captureClients(clients: readonly TracedClient[]): void {
  // The SDK calls only, not every HTTP request of the process (which would trace each call twice).
  const tracer = new Tracer({ captureHTTPsRequests: false });
  for (const client of clients) tracer.captureAWSv3Client(client);
}
