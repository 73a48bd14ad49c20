import { join } from 'node:path';
import { readConfig } from '../shared/config.js';
import { createDeps } from '../shared/deps.js';
import { createAdminKey } from '../shared/services/api-keys.js';
import { startDynamoDbLocal, type DynamoDbLocal } from './local/dynamodb-local.js';
import { ensureTable } from './local/ensure-table.js';
import { dataDirectory, readRunningStack } from './local/stack-files.js';

const USAGE = `Usage: npm run admin -- create-admin-key [--name NAME]

Prints a new platform admin key once. Against the local stack's table by default (its data
in DATA_DIR, default .data, whether or not npm start is running); against a table in AWS
when TABLE_NAME is set and DYNAMODB_ENDPOINT is not, with the usual AWS credentials.`;

async function main(argv: string[]): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // see infra/local/start.ts
  const [command, ...rest] = argv;
  if (command !== 'create-admin-key') {
    console.error(USAGE);
    return command === undefined || command === '--help' ? 0 : 1;
  }
  const nameIndex = rest.indexOf('--name');
  const name = nameIndex >= 0 ? rest[nameIndex + 1] : 'admin';
  if (!name) {
    console.error('--name needs a value');
    return 1;
  }

  const inAws = Boolean(process.env.TABLE_NAME) && !process.env.DYNAMODB_ENDPOINT;
  let ownDynamo: DynamoDbLocal | undefined;
  let env: NodeJS.ProcessEnv = process.env;
  if (!inAws && !process.env.DYNAMODB_ENDPOINT) {
    const dataDir = dataDirectory();
    const running = readRunningStack(dataDir);
    if (running) {
      env = { ...env, DYNAMODB_ENDPOINT: running.dynamoEndpoint, TABLE_NAME: running.tableName };
    } else {
      ownDynamo = await startDynamoDbLocal({ dbPath: join(dataDir, 'dynamodb') });
      env = { ...env, DYNAMODB_ENDPOINT: ownDynamo.endpoint };
    }
  }
  try {
    const deps = createDeps(readConfig(env));
    if (!inAws) await ensureTable(deps.db.raw, deps.config.tableName);
    const { id, key } = await createAdminKey(deps, name);
    console.log(`Admin key "${name}" (id ${id}) for table ${deps.config.tableName}. It is shown only once:\n${key}`);
    return 0;
  } finally {
    await ownDynamo?.stop();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(`create-admin-key failed: ${(err as Error).name}: ${(err as Error).message}`);
  process.exitCode = 1;
}
