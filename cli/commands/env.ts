import { Option, type Command } from 'commander';
import { contextOf, type Context } from '../context.js';
import { CliError } from '../errors.js';
import { checkEnvironmentName } from '../inputs.js';
import { outputOption, type OutputOptions } from '../options.js';
import { relativeTime } from '../output.js';
import { PERSONAL, type Scope } from '../scope.js';
import { registerEnvironmentCheckCommand } from './env-check.js';
import { registerMovedPullCommand } from './env-pull.js';
import { registerEnvironmentRunCommand } from './env-run.js';
import { registerEnvironmentSecretCommands } from './env-secret.js';
import { registerEnvironmentVariableCommands } from './env-var.js';

/**
 * `prime env create|list` and the `secret`, `var`, `run` and `check` commands under it; `pull`
 * says where it went (`env secret pull`).
 */
export function registerEnvironmentCommands(program: Command, childCommand: () => string[]): Command {
  const env = program.command('env').description('Manage environments, their secrets and variables');
  registerCreate(env);
  registerList(env);
  registerEnvironmentSecretCommands(env);
  registerEnvironmentVariableCommands(env);
  registerEnvironmentRunCommand(env, childCommand);
  registerMovedPullCommand(env);
  registerEnvironmentCheckCommand(env);
  return env;
}

/**
 * `--team [TEAM]` of `env create|list`: a team by id or slug, or, given alone, the configured team.
 * Without it, create is personal and list shows the configured scope.
 */
const teamOption = (doing: string) =>
  new Option('--team [TEAM]', `${doing} a team's: TEAM (its slug or id), else the configured team`);

async function scopeOf(ctx: Context, team: string | true | undefined): Promise<Scope> {
  if (typeof team === 'string') return ctx.scope(team);
  const scope = await ctx.scope();
  if (team === true && !scope.teamId) {
    throw new CliError('No team configured: pass --team TEAM, set PRIME_TEAM_ID or run prime config set-team-id.');
  }
  return scope;
}

function registerCreate(env: Command): void {
  env
    .command('create')
    .description('Create an environment (personal, or in a team with --team)')
    .argument('<NAME>')
    .addOption(teamOption('create it in'))
    .addOption(outputOption())
    .action(async (name: string, opts: OutputOptions & { team?: string | true }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const checked = await checkEnvironmentName(name);
      const scope = opts.team === undefined ? PERSONAL : await scopeOf(ctx, opts.team);
      const created = await ctx.api.createEnvironment(checked, scope.teamId);
      if (opts.output === 'json') return ctx.out.json(created);
      ctx.out.created(`Created environment ${created.owner}/${created.name}`, created.id);
    });
}

function registerList(env: Command): void {
  env
    .command('list')
    .description('List your environments (or the configured team’s, or with --team a team’s)')
    .addOption(teamOption('list'))
    .addOption(outputOption())
    .action(async (opts: OutputOptions & { team?: string | true }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const scope = await scopeOf(ctx, opts.team);
      const environments = await ctx.api.environments(scope.teamId);
      if (opts.output === 'json') return ctx.out.json({ environments });
      if (environments.length === 0) return ctx.out.line(`No environments found in ${scope.where}.`);
      ctx.out.table(
        [
          { header: 'ID', style: 'dim' },
          { header: 'Environment', style: 'cyan' },
          { header: 'Scope' },
          { header: 'Created', style: 'dim' },
        ],
        environments.map((e) => [
          e.id,
          `${e.owner}/${e.name}`,
          // A team's environment is owned by the team: `owner` is its slug.
          e.teamId ? `team ${e.owner}` : 'personal',
          relativeTime(e.createdAt),
        ]),
        scope.teamSlug ? `Team Environments (${scope.teamSlug})` : 'Environments',
      );
    });
}
