import { join } from 'node:path';
import { readConfig } from '../../shared/config.js';
import { createDeps } from '../../shared/deps.js';
import { JavaMissingError, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.js';
import { cliExportLines } from './cli-exports.js';
import { ensureTable } from './ensure-table.js';
import { seedDevelopmentData } from './seed.js';
import { originsFrom } from '../../shared/http/cors.js';
import { serveLocal } from './server.js';
import {
  dataDirectory,
  ensureDataDirectory,
  readCredentials,
  removeRunningStack,
  writeCredentials,
  writeRunningStack,
} from './stack-files.js';

/**
 * `npm start`: DynamoDB Local with its data under DATA_DIR, the table, a seed on first start,
 * and every resource on one port. Ctrl-C or SIGTERM stops DynamoDB Local too.
 */
async function main(): Promise<void> {
  // The SDK warns that its 2027 releases need Node 22; Lambda runs 22, and locally it is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dataDir = dataDirectory();
  const host = process.env.HOST || '127.0.0.1';
  const port = Number(process.env.PORT || 8787);
  ensureDataDirectory(dataDir);

  let dynamo: DynamoDbLocal;
  try {
    dynamo = await startDynamoDbLocal({
      dbPath: join(dataDir, 'dynamodb'),
      port: process.env.DYNAMODB_PORT ? Number(process.env.DYNAMODB_PORT) : undefined,
    });
  } catch (err) {
    console.error(
      err instanceof JavaMissingError ? err.message : `DynamoDB Local did not start: ${(err as Error).message}`,
    );
    process.exit(1);
  }

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    removeRunningStack(dataDir);
    await dynamo.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const config = readConfig({ ...process.env, DATA_DIR: dataDir, DYNAMODB_ENDPOINT: dynamo.endpoint });
    const deps = createDeps(config);
    await ensureTable(deps.db.raw, config.tableName);
    writeRunningStack(dataDir, { dynamoEndpoint: dynamo.endpoint, tableName: config.tableName, pid: process.pid });

    const baseUrl = `http://${host}:${port}`;
    let credentials = readCredentials(dataDir);
    if (!credentials) credentials = await seedDevelopmentData(deps, baseUrl);
    credentials = { ...credentials, baseUrl };
    const credentialsFile = writeCredentials(dataDir, credentials);

    const server = serveLocal(deps, {
      hostname: host,
      port,
      corsAllowedOrigins: originsFrom(process.env.CORS_ALLOWED_ORIGINS),
    });
    server.on('error', (err) => {
      console.error(`Cannot serve on ${baseUrl}: ${err.message}`);
      void stop(1);
    });
    server.on('listening', () => {
      console.log(
        [
          '',
          `Secrets service listening on ${baseUrl}  (docs: ${baseUrl}/docs, OpenAPI: ${baseUrl}/openapi.json)`,
          `Web console: ${baseUrl}/console (sign in with the user's apiKey below)`,
          `DynamoDB Local on ${dynamo.endpoint}, data in ${dataDir}`,
          `Development credentials (also in ${credentialsFile}):`,
          JSON.stringify(credentials, null, 2),
          '',
          'To point prime (npx prime) at this stack, over whatever ~/.prime/config.json says, run in your shell:',
          ...cliExportLines(credentials).map((line) => `  ${line}`),
          '',
          'Press Ctrl-C to stop.',
        ].join('\n'),
      );
    });
  } catch (err) {
    console.error(`The local stack did not start: ${(err as Error).message}`);
    await stop(1);
  }
}

await main();
