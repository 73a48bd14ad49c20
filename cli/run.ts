import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { RuntimeSet } from './api.js';
import { CLI_VARIABLES } from './config.js';
import { CliError, UsageError } from './errors.js';
import { Masker, type Needle } from './mask.js';

/**
 * Runs a command with an environment's runtime set injected as a hosted service would:
 * resolved values override the inherited environment (or, with `preserveEnv`, yield to it),
 * from which prime's own variables (CLI_VARIABLES: the API key, the runtime token, the server)
 * are removed unless `keepPrimeEnv`;
 * each `isFile` secret is written to a private file (0600, in a 0700 temporary folder)
 * whose path becomes the variable's value, removed when the command exits. Signals sent to
 * the CLI are forwarded to the command; its exit code or fatal signal is the CLI's own.
 * With `mask`, the command's stdout and stderr are pipes through a {@link Masker} each (its
 * standard input is still the CLI's), and the run ends when the command has exited and both
 * have been let out.
 */
export interface RunOptions {
  preserveEnv: boolean;
  keepPrimeEnv: boolean;
  inherited?: NodeJS.ProcessEnv;
  mask?: readonly Needle[];
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

export async function runWithRuntimeSet(set: RuntimeSet, command: string[], options: RunOptions): Promise<RunResult> {
  const [file, ...args] = command;
  if (!file) throw new UsageError('Give the command to run after --, e.g. prime env run owner/name -- npm start');
  const inherited = { ...(options.inherited ?? process.env) };
  if (!options.keepPrimeEnv) for (const name of CLI_VARIABLES) delete inherited[name];
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
      const mask = options.mask;
      const child = spawn(file, args, { stdio: mask ? ['inherit', 'pipe', 'pipe'] : 'inherit', env });
      const outputDone = mask
        ? Promise.all([passMasked(child.stdout, process.stdout, mask), passMasked(child.stderr, process.stderr, mask)])
        : Promise.resolve();
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
        void outputDone.then(() => resolve({ code, signal }));
      });
    });
  } finally {
    files.remove();
    process.off('exit', removeOnExit);
  }
}

/**
 * The command's `from` through a Masker to the CLI's `to` (left open); done when all is written.
 * If `to` fails (a reader that went away), `from` is closed, so the command sees a broken pipe as
 * it would have without the CLI between.
 */
function passMasked(from: Readable | null, to: Writable, needles: readonly Needle[]): Promise<void> {
  if (!from) return Promise.resolve();
  return new Promise<void>((done) => {
    const masker = new Masker(needles);
    const onError = () => {
      from.unpipe(masker);
      masker.unpipe(to);
      from.destroy();
      done();
    };
    to.once('error', onError);
    from.pipe(masker).pipe(to, { end: false });
    masker.once('end', () => {
      to.off('error', onError);
      if (to.writableEnded || to.destroyed) done();
      else to.write('', () => done());
    });
  });
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
