import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { CliError } from '../errors.js';
import { outputOption, type OutputOptions } from '../options.js';

/** `prime teams list`: the teams of the user, with their role; `prime teams members`: a team's members. */
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
  registerMembers(teams);
}

function registerMembers(teams: Command): void {
  teams
    .command('members')
    .description('List the members of a team (the configured team unless --team-id)')
    .option('--team-id <TEAM>', 'the team, by slug or id (default: PRIME_TEAM_ID or the configured team)')
    .addOption(outputOption())
    .action(async (opts: OutputOptions & { teamId?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const scope = await ctx.scope(opts.teamId?.trim() || undefined);
      const { teamId, teamSlug } = scope;
      if (!teamId) {
        throw new CliError('No team selected: pass --team-id, set PRIME_TEAM_ID or run prime config set-team-id.');
      }
      const members = await ctx.api.members(teamId);
      if (opts.output === 'json') return ctx.out.json({ members });
      if (members.length === 0) return ctx.out.line('The team has no members.');
      ctx.out.table(
        [
          { header: 'User ID', style: 'dim' },
          { header: 'Slug', style: 'cyan' },
          { header: 'Name' },
          { header: 'Email' },
          { header: 'Role' },
        ],
        members.map((m) => [m.userId, m.slug, m.name, m.email, m.role]),
        `Team Members (${teamSlug})`,
      );
    });
}
