import { Option, type Command } from 'commander';
import type { KeyScope } from '../api.js';
import { contextOf } from '../context.js';
import { CliError } from '../errors.js';
import { outputOption, yesOption, type OutputOptions } from '../options.js';
import { relativeTime } from '../output.js';
import { resolveRef } from '../refs.js';

/**
 * `prime api-key create|list|revoke`: the user's own API keys. A key is shown once, when made;
 * the service keeps only its hash. `manage` manages everything the user's roles allow and never
 * reads a value; `runtime` also reads the resolved values (`prime env run`, `env secret pull`).
 */
export function registerApiKeyCommands(program: Command): void {
  const apiKey = program.command('api-key').description('Make, list and revoke your API keys');
  registerCreate(apiKey);
  registerList(apiKey);
  registerRevoke(apiKey);
}

const SCOPES: readonly KeyScope[] = ['manage', 'runtime'];

function parseScope(value: string, previous: KeyScope[] | undefined): KeyScope[] {
  if (!(SCOPES as readonly string[]).includes(value)) {
    throw new CliError(`Invalid scope '${value}': use manage or runtime (repeat --scope for both).`);
  }
  return [...(previous ?? []), value as KeyScope];
}

function registerCreate(apiKey: Command): void {
  apiKey
    .command('create')
    .description('Make an API key, shown once')
    .addOption(new Option('-n, --name <name>', 'what the key is for (e.g. ci, laptop)').makeOptionMandatory())
    .addOption(
      new Option(
        '--scope <scope>',
        'manage (the default: manages, never reads values) or runtime (reads resolved values: env run, ' +
          'env secret pull); repeat for both. A key makes only keys with scopes it holds.',
      ).argParser(parseScope),
    )
    .addOption(outputOption())
    .action(async (opts: OutputOptions & { name: string; scope?: KeyScope[] }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const created = await ctx.api.createApiKey(opts.name, opts.scope);
      if (opts.output === 'json') return ctx.out.json(created);
      ctx.out.created(`Created API key '${created.name}' with scope ${created.scopes.join(', ')}`, created.id);
      ctx.out.line(`Key: ${created.key}`);
      ctx.out.note(
        'This is the only time the key is shown: store it now (prime config set-api-key, or your CI secret store).',
      );
    });
}

function registerList(apiKey: Command): void {
  apiKey
    .command('list')
    .description('List your API keys (never the keys themselves)')
    .addOption(outputOption())
    .action(async (opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const keys = await ctx.api.apiKeys();
      if (opts.output === 'json') return ctx.out.json({ apiKeys: keys });
      if (keys.length === 0) return ctx.out.line('No API keys.');
      ctx.out.table(
        [
          { header: 'ID', style: 'dim' },
          { header: 'Name', style: 'cyan' },
          { header: 'Scopes' },
          { header: 'Created', style: 'dim' },
        ],
        keys.map((k) => [k.id, k.name, k.scopes.join(', '), relativeTime(k.createdAt)]),
        'API Keys',
      );
    });
}

function registerRevoke(apiKey: Command): void {
  apiKey
    .command('revoke')
    .description('Revoke one of your API keys: whatever uses it is refused from then on')
    .argument('<KEY>', 'the key: its name or its id (see prime api-key list)')
    .addOption(yesOption())
    .action(async (given: string, opts: { yes?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      ctx.terminal.requireApproval(opts.yes);
      const key = await resolveRef(given, () => ctx.api.apiKeys(), 'API key', 'your account');
      const question = `Revoke API key '${key.name}' (${key.id})? Whatever uses it stops working.`;
      if (!(await ctx.terminal.approve(opts.yes, question))) return ctx.out.line('Cancelled.');
      await ctx.api.revokeApiKey(key.id);
      ctx.out.success(`Revoked API key '${key.name}' (${key.id})`);
    });
}
