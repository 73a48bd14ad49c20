import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { allowMissingOption } from '../options.js';
import { RISKY_NAMES, refuseRiskyNames } from '../risky-names.js';
import { exitAs, runWithRuntimeSet } from '../run.js';
import { readRuntimeSet } from '../runtime-set.js';

interface RunCommandOptions {
  preserveEnv?: boolean;
  allowMissing?: boolean;
  allowName?: string[];
}

/** `prime env run [ENVIRONMENT] -- CMD [ARGS…]`; `childCommand` is what followed `--`. */
export function registerEnvironmentRunCommand(env: Command, childCommand: () => string[]): void {
  env
    .command('run')
    .description(
      "Run a command with the environment's resolved secrets and variables (needs a runtime key or PRIME_RUNTIME_TOKEN)",
    )
    .usage('[ENVIRONMENT] [--preserve-env] [--allow-name NAME]... [--allow-missing] -- CMD [ARGS...]')
    .argument('[ENVIRONMENT]', 'owner/name (with PRIME_RUNTIME_TOKEN: the environment id)')
    .option('--preserve-env', 'inherited environment variables win over resolved ones')
    .option(
      '--allow-name <NAME>',
      'let the environment set NAME although it can make programs run code (repeatable)',
      (name: string, names: string[] | undefined) => [...(names ?? []), name],
    )
    .addOption(allowMissingOption())
    .addHelpText(
      'after',
      `\nNot run, unless each is allowed with --allow-name, when the environment sets one of these names\n` +
        `(whoever can write it could run code on this machine; X_* is every name starting with X_):\n` +
        `  ${RISKY_NAMES.join(', ')}`.replace(/(.{1,88}),\s/g, '$1,\n  '),
    )
    .action(async (environment: string | undefined, opts: RunCommandOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { target, set } = await readRuntimeSet(environment, ctx, { allowMissing: opts.allowMissing === true });
      refuseRiskyNames(Object.keys(set.env), opts.allowName ?? [], target.slug);
      exitAs(await runWithRuntimeSet(set, childCommand(), { preserveEnv: opts.preserveEnv === true }));
    });
}
