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
        ['Team scope', ctx.teamId ?? 'personal'],
      ]);
    });
}
