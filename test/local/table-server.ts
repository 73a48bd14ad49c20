import type { AddressInfo } from 'node:net';
import { serveLocal } from '../../infra/local/server.js';
import { createDeps } from '../../shared/deps.js';

/**
 * One service process over a table that already exists (TABLE_NAME in DYNAMODB_ENDPOINT, both
 * from the environment like every other setting): to a test, what one Lambda container is to the
 * deployed stack. Serves on a free port of 127.0.0.1 and prints `{"port": N}` once listening.
 */
const server = serveLocal(createDeps(), { hostname: '127.0.0.1', port: 0 });
server.once('listening', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
