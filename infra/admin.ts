import { join } from 'node:path';
import type { z } from '@hono/zod-openapi';
import { readConfig } from '../shared/config.js';
import { createDeps, type Deps } from '../shared/deps.js';
import { ApiError } from '../shared/errors.js';
import { CreateAdminKeyBody, CreateApiKeyBody } from '../shared/schemas.js';
import {
  createAdminKey,
  issueAccountKey,
  listAdminKeys,
  revokeAdminKey,
  TABLE_OPERATOR,
} from '../shared/services/api-keys.js';
import { listUsersForAdmin, setUserDisabled } from '../shared/services/users.js';
import { startDynamoDbLocal, type DynamoDbLocal } from './local/dynamodb-local.js';
import { ensureTable } from './local/ensure-table.js';
import { dataDirectory, readRunningStack } from './local/stack-files.js';

const USAGE = `Usage: npm run admin -- <command>

  create-admin-key [--name NAME]          a new platform admin key, printed once
  list-admin-keys                         the admin keys (never the keys themselves)
  revoke-admin-key ID                     revokes one; the last one cannot be revoked
  list-users                              every user, with whether they are disabled
  disable-user USER_ID                    refuses the user's keys and console sessions; their data stays
  enable-user USER_ID                     lets them in again
  create-user-key USER_ID [--name NAME] [--scopes manage,runtime]
                                          a new account key for the user (every scope by default), printed once

Each is an event of the platform's audit log (GET /api/v1/admin/audit). Against the local
stack's table by default (its data in DATA_DIR, default .data, whether or not npm start is
running); against a table in AWS when TABLE_NAME is set and DYNAMODB_ENDPOINT is not, with the
usual AWS credentials.`;

/** A command's options: `--flag value` pairs; the rest are its positional arguments. */
function parseArgs(args: string[]): { positional: string[]; options: Map<string, string | undefined> } {
  const positional: string[] = [];
  const options = new Map<string, string | undefined>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('--')) options.set(arg, args[++i]);
    else positional.push(arg);
  }
  return { positional, options };
}

class UsageError extends Error {}

/** The body the matching route would take, checked by that route's own schema. */
function valid<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

function needed(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`${what} is needed`);
  return value;
}

const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));

type Command = (deps: Deps, args: ReturnType<typeof parseArgs>) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  'create-admin-key': async (deps, { options }) => {
    const { name } = valid(CreateAdminKeyBody, { name: options.has('--name') ? options.get('--name') : 'admin' });
    const { id, key } = await createAdminKey(deps, TABLE_OPERATOR, name);
    console.log(`Admin key "${name}" (id ${id}) for table ${deps.config.tableName}. It is shown only once:\n${key}`);
  },
  'list-admin-keys': async (deps) => print(await listAdminKeys(deps, TABLE_OPERATOR)),
  'revoke-admin-key': async (deps, { positional }) =>
    print(await revokeAdminKey(deps, TABLE_OPERATOR, needed(positional[0], 'the admin key id'))),
  'list-users': async (deps) => print(await listUsersForAdmin(deps, TABLE_OPERATOR)),
  'disable-user': async (deps, { positional }) =>
    print(await setUserDisabled(deps, TABLE_OPERATOR, needed(positional[0], 'the user id'), true)),
  'enable-user': async (deps, { positional }) =>
    print(await setUserDisabled(deps, TABLE_OPERATOR, needed(positional[0], 'the user id'), false)),
  'create-user-key': async (deps, { positional, options }) => {
    const userId = needed(positional[0], 'the user id');
    const scopes = options.get('--scopes')?.split(',');
    const input = valid(CreateApiKeyBody, { name: options.get('--name') ?? 'account', scopes });
    const { key, ...made } = await issueAccountKey(deps, TABLE_OPERATOR, userId, input);
    print(made);
    console.log(`The key is shown only once:\n${key}`);
  },
};

async function main(argv: string[]): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // see infra/local/start.ts
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    console.error(USAGE);
    return name === undefined || name === '--help' ? 0 : 1;
  }
  const args = parseArgs(rest);

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
    await command(deps, args);
    return 0;
  } catch (err) {
    // The contract's refusals (an unknown user, the last admin key) and bad arguments, as such.
    if (err instanceof ApiError) console.error(`${name}: ${err.code}: ${err.message}`);
    else if (err instanceof UsageError) console.error(`${name}: ${err.message}\n\n${USAGE}`);
    else throw err;
    return 1;
  } finally {
    await ownDynamo?.stop();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(`npm run admin failed: ${(err as Error).name}: ${(err as Error).message}`);
  process.exitCode = 1;
}
