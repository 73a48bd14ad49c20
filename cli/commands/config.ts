import type { Command } from 'commander';
import { checkBaseUrl, updateStoredConfig, type Source } from '../config.js';
import { contextOf } from '../context.js';
import { outputOption, type OutputOptions } from '../options.js';

/** `prime config view|set-base-url|set-team-id`. */
export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('View and change the CLI configuration');
  registerView(config);
  registerSetBaseUrl(config);
  registerSetTeamId(config);
}

function registerView(config: Command): void {
  config
    .command('view')
    .description('Show the configuration in effect (the API key masked)')
    .addOption(outputOption())
    .action((opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const s = ctx.settings;
      const view = {
        api_key: s.apiKey ? maskKey(s.apiKey) : null,
        base_url: s.baseUrl,
        team_id: s.teamId ?? null,
        config_file: s.configPath,
      };
      if (opts.output === 'json') return ctx.out.json(view);
      ctx.out.fields(
        [
          ['API key', view.api_key ? `${view.api_key}${from(s.apiKeySource)}` : 'not set (run prime login)'],
          ['Base URL', `${view.base_url}${from(s.baseUrlSource)}`],
          ['Team ID', view.team_id ? `${view.team_id}${from(s.teamIdSource)}` : 'none (personal scope)'],
          ['Config file', view.config_file],
        ],
        'Configuration',
      );
    });
}

function registerSetBaseUrl(config: Command): void {
  config
    .command('set-base-url')
    .description('Set the API base URL')
    .argument('<URL>')
    .action((url: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const baseUrl = checkBaseUrl(url);
      updateStoredConfig({ base_url: baseUrl });
      ctx.out.success(`Base URL set to ${baseUrl}`);
    });
}

function registerSetTeamId(config: Command): void {
  config
    .command('set-team-id')
    .description('Work in a team’s scope ("" for your personal scope)')
    .argument('<ID>')
    .action((id: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      updateStoredConfig({ team_id: id.trim() || undefined });
      ctx.out.success(id.trim() ? `Team ID set to ${id.trim()}` : 'Team ID cleared: personal scope');
    });
}

/** Enough of a key to recognise it, never enough to use it. */
function maskKey(key: string): string {
  return key.length >= 16 ? `****${key.slice(-4)}` : '****';
}

const from = (source: Source | undefined) =>
  source === 'environment' ? ' (from the environment)' : source === 'config' ? ' (from the config file)' : ' (default)';
