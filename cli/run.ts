import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeSet } from './api.js';
import { CliError } from './errors.js';

/**
 * Runs a command with an environment's runtime set injected as a hosted service would:
 * resolved values override the inherited environment (or, with `preserveEnv`, yield to it);
 * each `isFile` secret is written to a private file (0600, in a 0700 temporary folder)
 * whose path becomes the variable's value, removed when the command exits. Signals sent to
 * the CLI are forwarded to the command; its exit code or fatal signal is the CLI's own.
 */
export interface RunOptions {
  preserveEnv: boolean;
  inherited?: NodeJS.ProcessEnv;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

export async function runWithRuntimeSet(set: RuntimeSet, command: string[], options: RunOptions): Promise<RunResult> {
  const [file, ...args] = command;
  if (!file) throw new CliError('Give the command to run after --, e.g. prime env run owner/name -- npm start');
  const inherited = options.inherited ?? process.env;
  const files = new SecretFiles();
  const env: NodeJS.ProcessEnv = { ...inherited };
  try {
    for (const [name, value] of Object.entries(set.env)) {
      if (options.preserveEnv && inherited[name] !== undefined) continue;
      env[name] = set.files.includes(name) ? files.write(name, value) : value;
    }
  } catch (err) {
    files.remove();
    throw err;
  }
  const removeOnExit = () => files.remove();
  process.on('exit', removeOnExit);
  try {
    return await new Promise<RunResult>((resolve, reject) => {
      const child = spawn(file, args, { stdio: 'inherit', env });
      const forward = (signal: NodeJS.Signals) => child.kill(signal);
      for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
      const stopForwarding = () => {
        for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
      };
      child.once('error', (err: NodeJS.ErrnoException) => {
        stopForwarding();
        const why =
          err.code === 'ENOENT' ? 'command not found' : err.code === 'EACCES' ? 'permission denied' : err.message;
        reject(new CliError(`Cannot run '${file}': ${why}.`, err.code === 'ENOENT' ? 127 : 126));
      });
      child.once('exit', (code, signal) => {
        stopForwarding();
        resolve({ code, signal });
      });
    });
  } finally {
    files.remove();
    process.off('exit', removeOnExit);
  }
}

/** Ends the CLI as the command ended: the same exit code, or the same signal re-raised. */
export function exitAs(result: RunResult): void {
  if (result.signal) {
    process.exitCode = 128 + (constants.signals[result.signal] ?? 0);
    process.removeAllListeners(result.signal);
    process.kill(process.pid, result.signal);
    return;
  }
  process.exitCode = result.code ?? 1;
}

/** Private files of `isFile` secrets, made on first need, removed all at once. */
class SecretFiles {
  private dir: string | undefined;

  write(name: string, base64: string): string {
    this.dir ??= mkdtempSync(join(tmpdir(), 'prime-run-'));
    chmodSync(this.dir, 0o700);
    const path = join(this.dir, name);
    writeFileSync(path, Buffer.from(base64, 'base64'), { mode: 0o600, flag: 'wx' });
    return path;
  }

  remove(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
