import type { Logger } from './logger.js';

/**
 * An SDK v3 client whose calls are traced (the DynamoDB document client and the KMS client,
 * shared/deps.ts): X-Ray's middleware joins its middleware stack, and its `send` waits for the
 * tracer. Said by shape, so that this module names no table client (test/unit/layers.test.ts).
 */
export interface TracedClient {
  middlewareStack: unknown;
  send(...args: never[]): Promise<unknown>;
}

/**
 * With tracing on (`TRACING=on`, the stack's `tracing` option), loads the tracer
 * (shared/tracer.ts) by a dynamic import and traces every call of `clients`; with it off, nothing
 * of the tracer is ever loaded. Until the tracer is in place, the clients' calls wait for it, so
 * a container's first calls (its key look-up and KMS call) are traced too; then they go straight
 * through. A tracer that fails to load is logged, and the calls go on untraced.
 */
export function traceClients(clients: readonly TracedClient[], logger: Logger): void {
  let ready = false;
  const loaded = import('./tracer.js')
    .then(({ captureClients }) => captureClients(clients))
    .catch((err: unknown) => logger.warn('tracing off: the tracer did not load', { error: String(err) }))
    .finally(() => {
      ready = true;
    });
  for (const client of clients as readonly unknown[] as readonly Sender[]) {
    // Whatever else wraps `send` (deadlines, metrics), before or after, stays in place.
    const send = client.send;
    client.send = (...args) => (ready ? send.apply(client, args) : loaded.then(() => send.apply(client, args)));
  }
}

/** The one method of a client this touches (the SDK's overloads of `send` do not wrap as one). */
interface Sender {
  send(...args: unknown[]): Promise<unknown>;
}
