import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DevCredentials } from './seed.js';

/** Where the local stack keeps its data: `DATA_DIR` (default `.data`). */
export function dataDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.DATA_DIR || '.data');
}

const credentialsPath = (dataDir: string) => join(dataDir, 'dev-credentials.json');
const runningPath = (dataDir: string) => join(dataDir, 'local-stack.json');

export function ensureDataDirectory(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
}

/** Private files: they hold keys. */
function writePrivate(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function readCredentials(dataDir: string): DevCredentials | undefined {
  const path = credentialsPath(dataDir);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as DevCredentials) : undefined;
}

export function writeCredentials(dataDir: string, credentials: DevCredentials): string {
  const path = credentialsPath(dataDir);
  writePrivate(path, credentials);
  return path;
}

/** While `npm start` runs, where its DynamoDB Local answers (read by `npm run admin`). */
export interface RunningStack {
  dynamoEndpoint: string;
  tableName: string;
  pid: number;
}

export function writeRunningStack(dataDir: string, stack: RunningStack): void {
  writePrivate(runningPath(dataDir), stack);
}

export function readRunningStack(dataDir: string): RunningStack | undefined {
  const path = runningPath(dataDir);
  if (!existsSync(path)) return undefined;
  const stack = JSON.parse(readFileSync(path, 'utf8')) as RunningStack;
  try {
    process.kill(stack.pid, 0);
    return stack;
  } catch {
    return undefined; // left behind by a stack that did not stop cleanly
  }
}

export function removeRunningStack(dataDir: string): void {
  rmSync(runningPath(dataDir), { force: true });
}
