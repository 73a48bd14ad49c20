import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/**
 * Runs AWS's DynamoDB Local (the jar shipped in the npm package `amplify-dynamodb-simulator`)
 * as a child process, listening on 127.0.0.1 only: it takes no credentials, so whoever reaches
 * its port reads and writes the table. The jar has no option for the address it listens on;
 * infra/local/dynamodb-local.xml starts it through Jetty's XmlConfiguration and binds it to
 * loopback. That package's own JS launcher expects the Amplify CLI's folders, so java is
 * spawned directly in the jar's folder.
 */

const MIN_JAVA_MAJOR = 17;
const READY_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 100;
const KILL_GRACE_MS = 3_000;
const TAIL_LINES = 40;
const LOOPBACK_LAUNCHER = fileURLToPath(new URL('./dynamodb-local.xml', import.meta.url));

export class JavaMissingError extends Error {
  constructor(detail: string) {
    super(
      `DynamoDB Local needs Java ${MIN_JAVA_MAJOR}+ on PATH (${detail}). Install it with:\n` +
        '  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n' +
        '  macOS:         brew install openjdk@17  (then put its bin/ on PATH, see `brew info openjdk@17`)',
    );
    this.name = 'JavaMissingError';
  }
}

export interface DynamoDbLocal {
  /** e.g. `http://127.0.0.1:8000` */
  endpoint: string;
  port: number;
  /** Pid of the java child process. */
  pid: number;
  /** Stops the child (SIGTERM, SIGKILL after 3 s) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

export interface StartDynamoDbLocalOptions {
  /** Keep everything in memory (tests). Takes precedence over `dbPath`. */
  inMemory?: boolean;
  /** Directory for the database file (created if missing). */
  dbPath?: string;
  /** Port to listen on; a free one is picked when omitted. */
  port?: number;
  /** Host name used in the returned endpoint (default 127.0.0.1). DynamoDB Local listens on 127.0.0.1 only. */
  host?: string;
}

/** The folder holding DynamoDBLocal.jar and DynamoDBLocal_lib/. */
function emulatorDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

/** Parses the major version out of `java -version` output (`"17.0.15"`, `"21"`, legacy `"1.8.0_292"`). */
export function parseJavaMajor(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

function checkJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8', timeout: 15_000 });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new JavaMissingError(
      code === 'ENOENT' ? '`java` was not found' : `\`java -version\` failed: ${result.error.message}`,
    );
  }
  const output = `${result.stderr ?? ''}\n${result.stdout ?? ''}`;
  const major = parseJavaMajor(output);
  if (major === undefined) {
    throw new JavaMissingError(`could not read the version from \`java -version\`: ${output.trim().slice(0, 200)}`);
  }
  if (major < MIN_JAVA_MAJOR) throw new JavaMissingError(`found Java ${major}`);
}

/** Binds `port` (0 = any) on 127.0.0.1, closes it again and returns the port that was bound. */
async function bindAndRelease(port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close((err) => (err ? reject(err) : resolvePort(port)));
    });
  });
}

/** Keeps the last lines of the child's output; draining the pipes also keeps the child from blocking. */
class Tail {
  private readonly lines: string[] = [];
  private partial = '';

  push(chunk: Buffer | string): void {
    const parts = (this.partial + chunk.toString()).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.trim() === '') continue;
      this.lines.push(line);
      if (this.lines.length > TAIL_LINES) this.lines.shift();
    }
  }

  toString(): string {
    return [...this.lines, this.partial].filter((line) => line.trim() !== '').join('\n');
  }
}

const delay = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  checkJava();

  const cwd = emulatorDir();
  let port: number;
  if (options.port === undefined) {
    port = await bindAndRelease(0);
  } else {
    // Otherwise the readiness poll could be answered by whatever already listens there.
    port = await bindAndRelease(options.port).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`Cannot start DynamoDB Local on port ${options.port}: ${err.code ?? err.message}`);
    });
  }
  const dynamoArgs = ['-port', String(port)];
  if (options.inMemory || options.dbPath === undefined) {
    dynamoArgs.push('-inMemory');
  } else {
    const dbPath = resolve(options.dbPath);
    // The launcher gets DynamoDB Local's arguments one per line.
    if (dbPath.includes('\n')) throw new Error(`DynamoDB Local's data path cannot contain a line break: ${dbPath}`);
    mkdirSync(dbPath, { recursive: true });
    dynamoArgs.push('-dbPath', dbPath);
  }
  dynamoArgs.push('-sharedDb', '-disableTelemetry');
  const args = [
    '-Djava.library.path=./DynamoDBLocal_lib',
    '-cp',
    'DynamoDBLocal.jar',
    'org.eclipse.jetty.xml.XmlConfiguration',
    LOOPBACK_LAUNCHER,
    `args=${dynamoArgs.join('\n')}`,
  ];

  const child: ChildProcess = spawn('java', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = new Tail();
  child.stdout?.on('data', (chunk: Buffer) => tail.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));

  let exited = child.exitCode !== null || child.signalCode !== null;
  let spawnError: Error | undefined;
  // 'close' comes after 'exit' once the pipes are drained: the complete output for error messages.
  const closed = new Promise<void>((done) => child.once('close', () => done()));
  const exitPromise = new Promise<void>((done) => {
    child.once('exit', () => {
      exited = true;
      done();
    });
    child.once('error', (err) => {
      spawnError = err;
      // 'exit' may not follow a spawn failure.
      if (child.pid === undefined) {
        exited = true;
        done();
      }
    });
  });

  // The child must never outlive this process; 'exit' handlers must be synchronous.
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          if (!exited) child.kill('SIGKILL');
        }, KILL_GRACE_MS);
        await exitPromise;
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
    })();
    return stopping;
  };

  const endpoint = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });

  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      if (exited || spawnError) {
        await Promise.race([closed, delay(1_000)]);
        const output = tail.toString();
        throw new Error(
          `DynamoDB Local exited before it was ready (exit code ${child.exitCode ?? child.signalCode ?? 'unknown'}` +
            `${spawnError ? `, ${spawnError.message}` : ''})` +
            (output ? `:\n${output}` : ''),
        );
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
        break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        const output = tail.toString();
        throw new Error(
          `DynamoDB Local did not answer on port ${port} within ${READY_TIMEOUT_MS / 1000} s` +
            (output ? `:\n${output}` : ''),
        );
      }
      await delay(POLL_INTERVAL_MS);
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    client.destroy();
  }

  return { endpoint, port, pid: child.pid!, stop };
}
