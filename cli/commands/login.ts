import type { Command } from 'commander';
import { updateStoredConfig } from '../config.js';
import { contextOf } from '../context.js';
import { CliError } from '../errors.js';

/** `prime login`: asks for an API key without echo, checks it, saves it (mode 0600). */
export function registerLoginCommand(program: Command): void {
  program
    .command('login')
    .description('Save an API key to ~/.prime/config.json (asked for without echo)')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const key = (
        await ctx.terminal.ask('API key', 'prime login asks for the key on a terminal; set PRIME_API_KEY instead', {
          hidden: true,
        })
      ).trim();
      if (!key) throw new CliError('No API key given.');
      const me = await ctx.apiWith(key).whoami();
      updateStoredConfig({ api_key: key }, ctx.settings.configPath);
      ctx.out.success(`Logged in as ${me.slug} (${me.email}); key saved to ${ctx.settings.configPath}`);
      if (ctx.settings.apiKeySource === 'environment') {
        ctx.out.note('Note: PRIME_API_KEY is set and takes precedence over the saved key.');
      }
    });
}
