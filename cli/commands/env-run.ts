import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { exitAs, runWithRuntimeSet } from '../run.js';
import { readRuntimeSet } from '../runtime-set.js';

/** `prime env run [ENVIRONMENT] -- CMD [ARGS…]`; `childCommand` is what followed `--`. */
export function registerEnvironmentRunCommand(env: Command, childCommand: () => string[]): void {
  env
    .command('run')
    .description("Run a command with the environment's resolved secrets and variables (needs a runtime key)")
    .usage('[ENVIRONMENT] [--preserve-env] -- CMD [ARGS...]')
    .argument('[ENVIRONMENT]', 'owner/name')
    .option('--preserve-env', 'inherited environment variables win over resolved ones')
    .action(async (environment: string | undefined, opts: { preserveEnv?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { set } = await readRuntimeSet(environment, ctx);
      exitAs(await runWithRuntimeSet(set, childCommand(), { preserveEnv: opts.preserveEnv === true }));
    });
}
