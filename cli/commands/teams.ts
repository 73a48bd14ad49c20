import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { outputOption, type OutputOptions } from '../options.js';

/** `prime teams list`: the teams of the user, with their role. */
export function registerTeamsCommands(program: Command): void {
  const teams = program.command('teams').description('Your teams');
  teams
    .command('list')
    .description('List the teams you belong to')
    .addOption(outputOption())
    .action(async (opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const list = await ctx.api.teams();
      if (opts.output === 'json') return ctx.out.json({ teams: list });
      if (list.length === 0) return ctx.out.line('You are not in any team.');
      ctx.out.table(
        [
          { header: 'Team ID', style: 'dim' },
          { header: 'Slug', style: 'cyan' },
          { header: 'Name' },
          { header: 'Role' },
        ],
        list.map((t) => [t.teamId, t.slug, t.name, t.role]),
        'Teams',
      );
    });
}
