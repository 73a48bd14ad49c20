import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerApiKeyCommands } from './commands/api-key.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerCompletionCommand } from './commands/completion.js';
import { registerConfigCommands } from './commands/config.js';
import { registerEnvironmentCommands } from './commands/env.js';
import { registerLoginCommand } from './commands/login.js';
import { registerSecretCommands } from './commands/secret.js';
import { registerTeamsCommands } from './commands/teams.js';
import { registerWhoamiCommand } from './commands/whoami.js';
import { CliError, EXIT, EXIT_CODES_HELP, errorLine, UsageError } from './errors.js';

/**
 * The `prime` command line: wiring only. Arguments after the first `--` are the command
 * of `prime env run`; any failure ends as one line on stderr.
 */
export function createProgram(childCommand: string[]): Command {
  const program = new Command('prime')
    .description('Secrets, variables and environments of the environments hub')
    // Not commander's .version(): a program option is matched after the subcommand too, and
    // `rollback --version N` would print the version instead of rolling back (see main).
    .addHelpText('after', `\nprime --version (or -V) prints the version of prime.\n\n${EXIT_CODES_HELP}`)
    .option('--plain', 'no colour (also off when output is not a terminal)')
    .option('--base-url <URL>', 'the API server for this run (over PRIME_BASE_URL, PRIME_CONTEXT and the config)')
    .option('--insecure', 'allow http:// to a server other than this machine (the key travels in clear)')
    .showSuggestionAfterError(true)
    // Commander's own usage errors (unknown option, missing argument) are thrown, to exit 2 (see main).
    .exitOverride()
    .hook('preAction', (_program, action) => {
      if (childCommand.length > 0 && action.name() !== 'run') {
        throw new UsageError(`Unexpected arguments after --: only prime env run takes a command.`);
      }
    });
  registerSecretCommands(program);
  registerEnvironmentCommands(program, () => childCommand);
  registerTeamsCommands(program);
  registerApiKeyCommands(program);
  registerAuditCommand(program);
  registerWhoamiCommand(program);
  registerLoginCommand(program);
  registerConfigCommands(program);
  registerCompletionCommand(program);
  return program;
}

/** Set in the bundle (infra/build-cli.ts); from source, package.json's. */
function cliVersion(): string {
  const built = process.env.PRIME_CLI_VERSION;
  if (built) return built;
  const url = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

export async function main(argv: string[]): Promise<void> {
  // A reader that stops early (`prime secret list | head -1`) ends the output, not in a crash;
  // unless another listener takes it (`env run --mask`, whose command then sees the broken pipe).
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' && process.stdout.listenerCount('error') > 1) return;
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const dash = argv.indexOf('--');
  const own = dash === -1 ? argv : argv.slice(0, dash);
  const childCommand = dash === -1 ? [] : argv.slice(dash + 1);
  if (own.length === 1 && (own[0] === '--version' || own[0] === '-V')) {
    process.stdout.write(`${cliVersion()}\n`);
    return;
  }
  try {
    await createProgram(childCommand).parseAsync(own, { from: 'user' });
  } catch (err) {
    // Commander has said what was wrong (or shown the help or version asked for).
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    process.stderr.write(`${errorLine(err)}\n`);
    process.exitCode = err instanceof CliError ? err.exitCode : EXIT.failure;
  }
}

await main(process.argv.slice(2));
