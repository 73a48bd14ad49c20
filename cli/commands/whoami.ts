import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { outputOption, type OutputOptions } from '../options.js';

/** `prime whoami`: the user the configured key belongs to. */
export function registerWhoamiCommand(program: Command): void {
  program
    .command('whoami')
    .description('Show the user of the configured API key')
    .addOption(outputOption())
    .action(async (opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const me = await ctx.api.whoami();
      if (opts.output === 'json') return ctx.out.json(me);
      const teams = me.scope.teams.map((t) => `${t.slug} (${t.role})`).join(', ');
      ctx.out.fields([
        ['User', `${me.name} (${me.slug})`],
        ['Email', me.email],
        ['ID', me.id],
        ['Teams', teams || '-'],
        ['Team scope', configuredTeam(ctx.settings.teamId, me.scope.teams)],
      ]);
    });
}

/** The configured team (by id or slug) as its slug and id, from the teams whoami lists. */
function configuredTeam(configured: string | undefined, teams: { teamId: string; slug: string }[]): string {
  if (!configured) return 'personal';
  const team = teams.find((t) => t.teamId === configured || t.slug === configured);
  return team ? `${team.slug} (${team.teamId})` : `${configured} (not one of your teams)`;
}
