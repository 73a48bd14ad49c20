import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { resolveEnvironment } from '../environment-ref.js';
import { exitAs, runWithRuntimeSet } from '../run.js';

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
      const target = await resolveEnvironment(environment, ctx);
      const set = await ctx.api.runtime(target.id);
      exitAs(await runWithRuntimeSet(set, childCommand(), { preserveEnv: opts.preserveEnv === true }));
    });
}
