import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { CliError } from '../errors.js';
import { checkEnvironmentName } from '../inputs.js';
import { outputOption, type OutputOptions } from '../options.js';
import { relativeTime } from '../output.js';
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

function registerCreate(env: Command): void {
  env
    .command('create')
    .description('Create an environment (personal, or in a team with --team)')
    .argument('<NAME>')
    .option('--team [TEAM_ID]', 'create it in a team: TEAM_ID, else the configured team')
    .addOption(outputOption())
    .action(async (name: string, opts: OutputOptions & { team?: string | true }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const teamId = opts.team === true ? ctx.teamId : opts.team;
      if (opts.team === true && !teamId) {
        throw new CliError(
          'No team configured: pass --team TEAM_ID, set PRIME_TEAM_ID or run prime config set-team-id.',
        );
      }
      const created = await ctx.api.createEnvironment(await checkEnvironmentName(name), teamId);
      if (opts.output === 'json') return ctx.out.json(created);
      ctx.out.created(`Created environment ${created.owner}/${created.name}`, created.id);
    });
}

function registerList(env: Command): void {
  env
    .command('list')
    .description('List your environments (or the configured team’s)')
    .addOption(outputOption())
    .action(async (opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const environments = await ctx.api.environments(ctx.teamId);
      if (opts.output === 'json') return ctx.out.json({ environments });
      if (environments.length === 0) return ctx.out.line('No environments found.');
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
          e.teamId ? 'team' : 'personal',
          relativeTime(e.createdAt),
        ]),
        ctx.teamId ? 'Team Environments' : 'Environments',
      );
    });
}
