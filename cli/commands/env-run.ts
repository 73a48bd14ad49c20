import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { maskNeedles } from '../mask.js';
import { CLI_VARIABLES } from '../config.js';
import { allowMissingOption } from '../options.js';
import { RISKY_NAMES, refuseRiskyNames } from '../risky-names.js';
import { exitAs, runWithRuntimeSet } from '../run.js';
import { readRuntimeSet } from '../runtime-set.js';

interface RunCommandOptions {
  preserveEnv?: boolean;
  keepPrimeEnv?: boolean;
  allowMissing?: boolean;
  allowName?: string[];
  mask?: boolean;
}

/** Why a masked command sees no terminal, said when there was one. */
export const MASK_TTY_NOTE =
  "--mask: the command's output goes through a pipe (to be masked), so it does not see a terminal: " +
  'no colours or progress bars unless it is told to; its input is still the terminal.';

/** `prime env run [ENVIRONMENT] -- CMD [ARGS…]`; `childCommand` is what followed `--`. */
export function registerEnvironmentRunCommand(env: Command, childCommand: () => string[]): void {
  env
    .command('run')
    .description(
      "Run a command with the environment's resolved secrets and variables (needs a runtime key or PRIME_RUNTIME_TOKEN)",
    )
    .usage(
      '[ENVIRONMENT] [--preserve-env] [--keep-prime-env] [--mask] [--allow-name NAME]... [--allow-missing] -- CMD [ARGS...]',
    )
    .argument('[ENVIRONMENT]', 'owner/name (with PRIME_RUNTIME_TOKEN: the environment id)')
    .option('--preserve-env', 'inherited environment variables win over resolved ones')
    .option(
      '--keep-prime-env',
      "pass prime's own variables (PRIME_API_KEY, PRIME_RUNTIME_TOKEN, ...) on to the command; by default it gets none",
    )
    .option(
      '--mask',
      "replace each secret value (and its base64, URL-encoded and JSON-escaped forms) in the command's output with ***NAME***",
    )
    .option(
      '--allow-name <NAME>',
      'let the environment set NAME although it can make programs run code (repeatable)',
      (name: string, names: string[] | undefined) => [...(names ?? []), name],
    )
    .addOption(allowMissingOption())
    .addHelpText(
      'after',
      `\nRemoved from the command's environment unless --keep-prime-env (the environment may still set them):\n` +
        `${wrapped(CLI_VARIABLES)}\n` +
        `\nNot run, unless each is allowed with --allow-name, when the environment sets one of these names\n` +
        `(whoever can write it could run code on this machine; X_* is every name starting with X_):\n` +
        wrapped(RISKY_NAMES),
    )
    .action(async (environment: string | undefined, opts: RunCommandOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { target, set } = await readRuntimeSet(environment, ctx, { allowMissing: opts.allowMissing === true });
      refuseRiskyNames(Object.keys(set.env), opts.allowName ?? [], target.slug);
      const command = childCommand();
      // Without a command, runWithRuntimeSet says how to give one, and nothing else is said.
      const mask = opts.mask === true && command.length > 0 ? maskNeedles(set) : undefined;
      if (mask && mask.tooShort.length > 0) {
        process.stderr.write(
          `--mask: not masking ${mask.tooShort.join(', ')}: values under 6 characters would mask ordinary text.\n`,
        );
      }
      if (mask && (process.stdout.isTTY || process.stderr.isTTY)) process.stderr.write(`${MASK_TTY_NOTE}\n`);
      exitAs(
        await runWithRuntimeSet(set, command, {
          preserveEnv: opts.preserveEnv === true,
          keepPrimeEnv: opts.keepPrimeEnv === true,
          ...(mask ? { mask: mask.needles } : {}),
        }),
      );
    });
}

/** Names for the help, comma-separated, in indented lines of at most 90 characters. */
function wrapped(names: readonly string[]): string {
  const lines = [''];
  for (const [i, name] of names.entries()) {
    const word = i < names.length - 1 ? `${name},` : name;
    const last = lines.length - 1;
    if (lines[last] && `${lines[last]} ${word}`.length > 88) lines.push(word);
    else lines[last] = lines[last] ? `${lines[last]} ${word}` : word;
  }
  return lines.map((line) => `  ${line}`).join('\n');
}
