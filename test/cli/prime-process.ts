import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The `prime` bin as a child process; nothing here starts the service (harness.ts does). */
export const PRIME_BIN = resolve('cli/bin/prime.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  result: Promise<CliResult>;
}

export interface PrimeProcessOptions {
  /** Written to standard input, which is then closed. */
  input?: string;
  cwd?: string;
}

/** `prime ARGS…` with exactly the environment `env`. */
export function spawnPrime(args: string[], env: NodeJS.ProcessEnv, options: PrimeProcessOptions = {}): RunningCli {
  const child = spawn(process.execPath, [PRIME_BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output.stderr += d));
  const result = new Promise<CliResult>((done, fail) => {
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, ...output }));
  });
  child.stdin.end(options.input ?? '');
  return { child, output, result };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
