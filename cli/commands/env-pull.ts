import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { contextOf } from '../context.js';
import { formatDotenv } from '../dotenv.js';
import { CliError } from '../errors.js';
import { allowMissingOption } from '../options.js';
import { readRuntimeSet } from '../runtime-set.js';

const FORMATS = ['dotenv', 'json'] as const;
type PullFormat = (typeof FORMATS)[number];

/** `prime env pull [ENVIRONMENT] --format dotenv|json [--file PATH]`: the runtime set, written out. */
export function registerEnvironmentPullCommand(env: Command): void {
  env
    .command('pull')
    .description(
      "Write the environment's resolved secrets and variables as dotenv or JSON (needs a runtime key or PRIME_RUNTIME_TOKEN)",
    )
    .argument('[ENVIRONMENT]', 'owner/name (with PRIME_RUNTIME_TOKEN: the environment id)')
    .addOption(new Option('--format <format>', 'dotenv or json').default('dotenv').argParser(parseFormat))
    .option('--file <path>', 'write to this file (mode 0600) instead of standard output')
    .addOption(allowMissingOption())
    .action(
      async (
        environment: string | undefined,
        opts: { format: PullFormat; file?: string; allowMissing?: boolean },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd);
        const { target, set } = await readRuntimeSet(environment, ctx, { allowMissing: opts.allowMissing === true });
        const text =
          opts.format === 'json' ? `${JSON.stringify(set.env, null, 2)}\n` : formatDotenv(set.env, set.files);
        if (!opts.file) return void process.stdout.write(text);
        writePrivateFile(opts.file, text);
        ctx.out.note(`Wrote ${Object.keys(set.env).length} entries of ${target.slug} to ${opts.file}`);
      },
    );
}

function parseFormat(value: string): PullFormat {
  if ((FORMATS as readonly string[]).includes(value)) return value as PullFormat;
  throw new CliError(`Invalid format '${value}': use dotenv or json.`);
}

/** Written with mode 0600, also when the file already existed with a wider mode. */
function writePrivateFile(path: string, text: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'w', 0o600);
  } catch (err) {
    throw new CliError(`Cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? 'unwritable'}.`);
  }
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
