import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { resolveEnvironment } from '../environment-ref.js';
import { UsageError } from '../errors.js';
import { environmentTarget, importOptions, runImport, type ImportOptions } from '../import.js';

/** `prime env secret import` and `prime env var import`: one command, for either kind of entry. */
export function registerEnvironmentImport(parent: Command, kind: 'direct secret' | 'variable', what: string): void {
  const command = parent
    .command('import')
    .description(`Create ${what} from a dotenv file (- reads standard input); nothing is written on a clash`)
    .argument('[ENVIRONMENT]', 'owner/name (with one argument, it is FILE)')
    .argument('[FILE]', 'a dotenv file, or - for standard input');
  for (const option of importOptions()) command.addOption(option);
  command.action(async (first: string | undefined, second: string | undefined, opts: ImportOptions, cmd: Command) => {
    const { environment, file } = importArguments(first, second);
    const ctx = contextOf(cmd);
    const target = await resolveEnvironment(environment, ctx);
    await runImport(ctx, environmentTarget(ctx, target, kind), file, opts);
  });
}

/** `import ENVIRONMENT FILE`, or `import FILE` with the environment of .prime/.env-metadata.json. */
export function importArguments(first: string | undefined, second: string | undefined) {
  if (first === undefined) throw new UsageError('Pass FILE: a dotenv file, or - to read standard input.');
  return second === undefined ? { environment: undefined, file: first } : { environment: first, file: second };
}
