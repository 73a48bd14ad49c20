import { closeSync, existsSync, fchmodSync, openSync, writeSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { contextOf } from '../context.js';
import { formatDotenv } from '../dotenv.js';
import { CliError, UsageError } from '../errors.js';
import { allowMissingOption, yesOption } from '../options.js';
import { readRuntimeSet } from '../runtime-set.js';

const FORMATS = ['dotenv', 'json'] as const;
type PullFormat = (typeof FORMATS)[number];

/**
 * `prime env secret pull [ENVIRONMENT] --format dotenv|json [--file PATH] [--yes]`: the
 * runtime set, written out (a file with mode 0600; over an existing one only once confirmed).
 */
export function registerSecretPullCommand(secret: Command): void {
  secret
    .command('pull')
    .description(
      "Write the environment's resolved secrets and variables as dotenv or JSON (needs a runtime key or PRIME_RUNTIME_TOKEN)",
    )
    .argument('[ENVIRONMENT]', 'owner/name (with PRIME_RUNTIME_TOKEN: the environment id)')
    .addOption(new Option('--format <format>', 'dotenv or json').default('dotenv').argParser(parseFormat))
    .option('--file <path>', 'write to this file (mode 0600) instead of standard output')
    .addOption(yesOption().default(false))
    .addOption(allowMissingOption())
    .action(
      async (
        environment: string | undefined,
        opts: { format: PullFormat; file?: string; yes: boolean; allowMissing?: boolean },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd);
        // Asked before anything is read: no secret is fetched for a file that stays as it is.
        if (opts.file && !opts.yes && existsSync(opts.file)) {
          const overwrite = await ctx.terminal.confirm(
            `${opts.file} exists. Overwrite it?`,
            `${opts.file} exists: pass --yes to overwrite it`,
          );
          if (!overwrite) throw new CliError(`Not overwriting ${opts.file}: nothing was read or written.`);
        }
        const { target, set } = await readRuntimeSet(environment, ctx, { allowMissing: opts.allowMissing === true });
        const text =
          opts.format === 'json' ? `${JSON.stringify(set.env, null, 2)}\n` : formatDotenv(set.env, set.files);
        if (!opts.file) return void process.stdout.write(text);
        writePrivateFile(opts.file, text);
        ctx.out.note(`Wrote ${Object.keys(set.env).length} entries of ${target.slug} to ${opts.file}`);
      },
    );
}

/**
 * `prime env pull`: in the public client it downloads an environment's source, so ours moved
 * to `prime env secret pull`. Whatever it is given, it says so and exits 1, writing nothing.
 */
export function registerMovedPullCommand(env: Command): void {
  env
    .command('pull')
    .description('Moved: secrets and variables are written out by prime env secret pull')
    .argument('[ARGS...]')
    .allowUnknownOption()
    .helpOption(false)
    .action(() => {
      throw new CliError(
        'prime env pull downloads an environment’s source in the public client and is not part of this one. ' +
          'To write an environment’s secrets and variables, use prime env secret pull [ENVIRONMENT] ' +
          '[--file PATH] [--format dotenv|json].',
      );
    });
}

function parseFormat(value: string): PullFormat {
  if ((FORMATS as readonly string[]).includes(value)) return value as PullFormat;
  throw new UsageError(`Invalid format '${value}': use dotenv or json.`);
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
