import type { Command } from 'commander';
import {
  checkBaseUrl,
  checkTransport,
  listContexts,
  PRODUCTION,
  saveContext,
  updateStoredConfig,
  useContext,
  type Source,
} from '../config.js';
import { contextOf, type GlobalOptions } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { outputOption, type OutputOptions } from '../options.js';
import { readStdin } from '../prompt.js';

/** `prime config view|set-api-key|set-base-url|set-team-id|remove-team-id|use|save|envs`. */
export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('View and change the CLI configuration');
  registerView(config);
  registerSetApiKey(config);
  registerSetBaseUrl(config);
  registerSetTeamId(config);
  registerRemoveTeamId(config);
  registerContextCommands(config);
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
        context: s.context,
        config_file: s.configPath,
      };
      if (opts.output === 'json') return ctx.out.json(view);
      ctx.out.fields(
        [
          ['API key', view.api_key ? `${view.api_key}${from(s.apiKeySource)}` : 'not set (run prime login)'],
          ['Base URL', `${view.base_url}${from(s.baseUrlSource)}`],
          ['Team ID', view.team_id ? `${view.team_id}${from(s.teamIdSource)}` : 'none (personal scope)'],
          ['Context', `${view.context}${s.contextSource === 'environment' ? ' (PRIME_CONTEXT)' : ''}`],
          ['Config file', view.config_file],
        ],
        'Configuration',
      );
    });
}

/**
 * `prime config set-api-key`: the key asked for without echo (Enter alone clears the saved
 * key), or read from standard input off a terminal. Never from the command line, where it would
 * stay in the shell's history. Saved as given, unchecked, like the public client: `prime login`
 * is the command that checks a key first.
 */
function registerSetApiKey(config: Command): void {
  config
    .command('set-api-key')
    .description('Save an API key to the config file: asked for without echo, or read from standard input')
    .allowExcessArguments()
    .action(async (_opts: unknown, cmd: Command) => {
      if (cmd.args.length > 0) {
        throw new UsageError(
          'Not taking the key from the command line, where it stays in your shell history: run prime config ' +
            'set-api-key and type it, or pass it on standard input (prime config set-api-key < key.txt).',
        );
      }
      const ctx = contextOf(cmd);
      const { configPath } = ctx.settings;
      const key = ctx.terminal.interactive
        ? (await ctx.terminal.ask('API key (Enter alone clears the saved key)', '', { hidden: true })).trim()
        : (await readStdin()).trim();
      if (!key && !ctx.terminal.interactive) throw new CliError('No API key on standard input: nothing was changed.');
      if (/\s/.test(key)) throw new CliError('An API key has no spaces or line breaks: nothing was changed.');
      updateStoredConfig({ api_key: key || undefined }, configPath);
      if (!key) return ctx.out.success(`API key cleared from ${configPath}`);
      ctx.out.success(`API key ${maskKey(key)} saved to ${configPath}; check it with prime whoami`);
      if (ctx.settings.apiKeySource === 'environment') {
        ctx.out.note('Note: PRIME_API_KEY is set and takes precedence over the saved key.');
      }
    });
}

function registerSetBaseUrl(config: Command): void {
  config
    .command('set-base-url')
    .description('Set the API base URL (http:// only to this machine, unless --insecure)')
    .argument('<URL>')
    .action((url: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const baseUrl = checkBaseUrl(url);
      checkTransport(baseUrl, cmd.optsWithGlobals<GlobalOptions>().insecure === true);
      updateStoredConfig({ base_url: baseUrl }, ctx.settings.configPath);
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
      updateStoredConfig({ team_id: id.trim() || undefined }, ctx.settings.configPath);
      ctx.out.success(id.trim() ? `Team ID set to ${id.trim()}` : 'Team ID cleared: personal scope');
    });
}

/** `prime config remove-team-id`: back to the personal scope (the public client's spelling of `set-team-id ""`). */
function registerRemoveTeamId(config: Command): void {
  config
    .command('remove-team-id')
    .description('Remove the saved team ID: work in your personal scope')
    .action((_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      updateStoredConfig({ team_id: undefined }, ctx.settings.configPath);
      ctx.out.success('Team ID removed: personal scope');
      if (ctx.settings.teamIdSource === 'environment' && ctx.settings.teamId) {
        ctx.out.note('Note: PRIME_TEAM_ID is set and still selects a team.');
      }
    });
}

/**
 * The public client's contexts (cli/config.ts): `save NAME` keeps the settings in effect,
 * `use NAME` makes a saved one (or the built-in production) the config, `envs` lists them.
 * PRIME_CONTEXT=NAME reads one for a single run without changing the config.
 */
function registerContextCommands(config: Command): void {
  config
    .command('use')
    .description(`Switch to a saved context, or ${PRODUCTION} (the public client's API)`)
    .argument('<NAME>')
    .action((name: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      useContext(name, ctx.settings.configPath);
      ctx.out.success(`Switched to context ${name}`);
      if (ctx.settings.contextSource === 'environment') {
        ctx.out.note('Note: PRIME_CONTEXT is set and takes precedence over the config where it is.');
      }
    });
  config
    .command('save')
    .description('Save the configuration in effect (API key included) as a context, mode 0600')
    .argument('<NAME>')
    .action((name: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const file = saveContext(name, ctx.settings);
      ctx.out.success(`Saved context ${name} (${ctx.settings.baseUrl}) to ${file}`);
      ctx.out.note(`Use it with prime config use ${name}, or for one run with PRIME_CONTEXT=${name}.`);
    });
  config
    .command('envs')
    .description('List the contexts: production and the saved ones')
    .addOption(outputOption())
    .action((opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const current = ctx.settings.context;
      const contexts = listContexts(ctx.settings.configPath).map((name) => ({
        name,
        type: name === PRODUCTION ? 'built-in' : 'saved',
        current: name === current,
      }));
      if (opts.output === 'json') return ctx.out.json(contexts);
      ctx.out.table(
        [{ header: 'Context', style: 'cyan' }, { header: 'Type' }, { header: 'Current' }],
        contexts.map((c) => [c.name, c.type, c.current ? '*' : '']),
        'Contexts',
      );
    });
}

/** Enough of a key to recognise it, never enough to use it. */
function maskKey(key: string): string {
  return key.length >= 16 ? `****${key.slice(-4)}` : '****';
}

const FROM: Record<Source, string> = {
  'command line': ' (from the command line)',
  environment: ' (from the environment)',
  context: ' (from the context)',
  config: ' (from the config file)',
  default: ' (default)',
};
const from = (source: Source | undefined) => FROM[source ?? 'default'];
