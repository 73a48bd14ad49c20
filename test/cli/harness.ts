import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, vi } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import {
  PRIME_BIN,
  spawnPrime,
  tempDir,
  type CliResult,
  type PrimeProcessOptions,
  type RunningCli,
} from './prime-process.js';

export { tempDir };

/**
 * The real service on a random port over DynamoDB Local, and the `prime` bin run against
 * it as a child process: piped (no terminal) or inside a pseudo-terminal (`script`).
 */
export interface RunOptions extends PrimeProcessOptions {
  /** The API key (PRIME_API_KEY); null runs without one. Defaults to the seeded user's manage key. */
  key?: string | null;
  env?: Record<string, string>;
  home?: string;
}

interface PtyStep {
  /** Wait until the transcript shows this… */
  expect: string | RegExp;
  /** …then type this. */
  send: string;
}

export interface CliHarness {
  svc: TestService;
  baseUrl: string;
  home: string;
  run(args: string[], options?: RunOptions): Promise<CliResult>;
  /** Like run, with the child at hand (to signal it) and its output so far. */
  spawn(args: string[], options?: RunOptions): RunningCli;
  /** Runs in a pseudo-terminal; the transcript (stdout and stderr, as the terminal shows them). */
  runInPty(
    args: string[],
    steps: PtyStep[],
    options?: RunOptions,
  ): Promise<{ code: number | null; transcript: string }>;
  close(): Promise<void>;
}

async function startCliHarness(): Promise<CliHarness> {
  const svc = await startTestService();
  const server = await listen(svc);
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const home = tempDir('prime-cli-home-');

  const childEnv = (options: RunOptions): NodeJS.ProcessEnv => {
    const key = options.key === undefined ? svc.seed.user.apiKey : options.key;
    return {
      PATH: process.env.PATH,
      HOME: options.home ?? home,
      PRIME_BASE_URL: baseUrl,
      ...(key === null ? {} : { PRIME_API_KEY: key }),
      ...options.env,
    };
  };

  const spawnCli = (args: string[], options: RunOptions = {}) => spawnPrime(args, childEnv(options), options);
  const run = (args: string[], options: RunOptions = {}) => spawnCli(args, options).result;

  const runInPty = (args: string[], steps: PtyStep[], options: RunOptions = {}) =>
    new Promise<{ code: number | null; transcript: string }>((done, fail) => {
      const command = [process.execPath, PRIME_BIN, ...args].map(shellQuote).join(' ');
      const child = spawn('script', ['-qfec', command, '/dev/null'], {
        cwd: options.cwd ?? process.cwd(),
        env: { ...childEnv(options), TERM: 'xterm' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let transcript = '';
      let seen = 0;
      let next = 0;
      const step = () => {
        const current = steps[next];
        if (!current) return;
        const rest = transcript.slice(seen);
        const at = typeof current.expect === 'string' ? rest.indexOf(current.expect) : rest.search(current.expect);
        if (at === -1) return;
        seen += at + 1;
        next += 1;
        child.stdin.write(current.send);
        step();
      };
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        transcript += d;
        step();
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => (transcript += d));
      child.on('error', fail);
      child.on('close', (code) => {
        child.stdin.destroy();
        if (next < steps.length) {
          fail(new Error(`prompt not seen: ${String(steps[next]?.expect)}\n${transcript}`));
        } else done({ code, transcript: transcript.replace(/\r\n/g, '\n') });
      });
    });

  return {
    svc,
    baseUrl,
    home,
    run,
    spawn: spawnCli,
    runInPty,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/**
 * The harness of one test file: started before its tests, closed after them. Each command is a
 * real process (node + tsx); on a busy machine a few in a row take a while, hence a minute a test.
 */
export function useCliHarness(): CliHarness {
  vi.setConfig({ testTimeout: 60_000 });
  const harness = {} as CliHarness;
  beforeAll(async () => {
    Object.assign(harness, await startCliHarness());
  });
  afterAll(async () => {
    await harness.close?.();
  });
  return harness;
}

function listen(svc: TestService): Promise<ServerType> {
  return new Promise((done) => {
    const server = serve({ fetch: svc.app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(server));
  });
}

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Every line of `text` that is not blank. */
export const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

export const ANSI = /\u001b\[/;
