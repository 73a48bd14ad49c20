import { Option, type Command } from 'commander';
import type { EnvironmentSecret } from '../api.js';
import { contextOf, type Context } from '../context.js';
import { resolveEnvironment, type ResolvedEnvironment } from '../environment-ref.js';
import { CliError } from '../errors.js';
import { createBody, updateBody, type FileValueOptions } from '../inputs.js';
import { environmentSecretListJson, linkJson } from '../json-shapes.js';
import {
  entryOptions,
  fileOptions,
  outputOption,
  yesOption,
  type EntryOptions,
  type OutputOptions,
} from '../options.js';
import { relativeTime } from '../output.js';

/** `prime env secret list|create|update|delete|link|unlink [ENVIRONMENT]`. */
export function registerEnvironmentSecretCommands(env: Command): void {
  const secret = env.command('secret').description("Manage an environment's secrets and links");
  registerList(secret);
  registerCreate(secret);
  registerUpdate(secret);
  registerDelete(secret);
  registerLink(secret);
  registerUnlink(secret);
}

function registerList(secret: Command): void {
  secret
    .command('list')
    .description('List direct and linked secrets of an environment')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(outputOption())
    .action(async (environment: string | undefined, opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const target = await resolveEnvironment(environment, ctx);
      const secrets = await ctx.api.environmentSecrets(target.id);
      if (opts.output === 'json') return ctx.out.json(environmentSecretListJson(secrets));
      if (secrets.length === 0) return ctx.out.line(`No secrets found for ${target.slug}.`);
      ctx.out.table(
        [
          { header: 'ID', style: 'dim' },
          { header: 'Name', style: 'cyan' },
          { header: 'Source' },
          { header: 'Description' },
          { header: 'Created', style: 'dim' },
        ],
        secrets.map((s) => [s.id, s.name, s.source, s.description ?? '', relativeTime(s.createdAt)]),
        `Secrets for ${target.slug}`,
      );
    });
}

function registerCreate(secret: Command): void {
  const create = secret
    .command('create')
    .description('Create a direct secret in an environment')
    .argument('[ENVIRONMENT]', 'owner/name');
  for (const option of [...entryOptions('Secret'), ...fileOptions(), outputOption()]) create.addOption(option);
  create.action(
    async (environment: string | undefined, opts: EntryOptions & FileValueOptions & OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const body = await createBody(opts, 'Secret', ctx.terminal);
      const target = await resolveEnvironment(environment, ctx);
      const created = await ctx.api.createEnvironmentSecret(target.id, body);
      if (opts.output === 'json') return ctx.out.json(created);
      ctx.out.created(`Created secret '${created.name}' for ${target.slug}`, created.id);
    },
  );
}

function registerUpdate(secret: Command): void {
  const update = secret
    .command('update')
    .description('Update a direct secret of an environment')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(idOption());
  for (const option of [...entryOptions('New secret'), outputOption()]) update.addOption(option);
  update.action(
    async (environment: string | undefined, opts: EntryOptions & OutputOptions & { id?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (!opts.id) ctx.terminal.requireTerminal('Pass --id with the secret to update');
      const body = await updateBody(ctx.terminal, opts);
      const target = await resolveEnvironment(environment, ctx);
      const id = opts.id ?? (await chooseSecret(ctx, target, 'update')).id;
      const updated = await ctx.api.updateEnvironmentSecret(target.id, id, body);
      if (opts.output === 'json') return ctx.out.json(updated);
      ctx.out.success(`Updated secret '${updated.name}' for ${target.slug}`);
    },
  );
}

function registerDelete(secret: Command): void {
  secret
    .command('delete')
    .description('Delete a direct secret of an environment')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(idOption())
    .addOption(yesOption())
    .action(async (environment: string | undefined, opts: { id?: string; yes?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (!opts.id) ctx.terminal.requireTerminal('Pass --id with the secret to delete');
      ctx.terminal.requireApproval(opts.yes);
      const target = await resolveEnvironment(environment, ctx);
      const chosen = opts.id
        ? (await ctx.api.environmentSecrets(target.id)).find((s) => s.id === opts.id)
        : await chooseSecret(ctx, target, 'delete');
      const id = opts.id ?? chosen!.id;
      const label = chosen?.name ?? id;
      if (!(await ctx.terminal.approve(opts.yes, `Delete secret '${label}' from ${target.slug}?`))) {
        return ctx.out.line('Cancelled.');
      }
      await ctx.api.deleteEnvironmentSecret(target.id, id);
      ctx.out.success(`Deleted secret '${label}' from ${target.slug}`);
    });
}

function registerLink(secret: Command): void {
  secret
    .command('link')
    .description('Link a global secret to an environment')
    .argument('<GLOBAL_SECRET_ID>')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(outputOption())
    .action(async (secretId: string, environment: string | undefined, opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const target = await resolveEnvironment(environment, ctx);
      const link = await ctx.api.link(target.id, secretId);
      if (opts.output === 'json') return ctx.out.json(linkJson(link));
      ctx.out.success(`Linked global secret '${link.secretName}' to ${target.slug}`);
    });
}

function registerUnlink(secret: Command): void {
  secret
    .command('unlink')
    .description('Unlink a global secret from an environment')
    .argument('<GLOBAL_SECRET_ID>')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(yesOption())
    .action(async (secretId: string, environment: string | undefined, opts: { yes?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      ctx.terminal.requireApproval(opts.yes);
      const target = await resolveEnvironment(environment, ctx);
      const question = `Unlink global secret ${secretId} from ${target.slug}?`;
      if (!(await ctx.terminal.approve(opts.yes, question))) return ctx.out.line('Cancelled.');
      await ctx.api.unlink(target.id, secretId);
      ctx.out.success(`Unlinked global secret ${secretId} from ${target.slug}`);
    });
}

const idOption = () => new Option('--id <SECRET_ID>', 'the secret (chosen from a list on a terminal if omitted)');

async function chooseSecret(ctx: Context, target: ResolvedEnvironment, action: string): Promise<EnvironmentSecret> {
  const direct = (await ctx.api.environmentSecrets(target.id)).filter((s) => s.source === 'environment');
  if (direct.length === 0) throw new CliError(`No direct secrets to ${action} in ${target.slug}.`);
  return ctx.terminal.choose(direct, (s) => `${s.name} (${s.id})`, `Secret to ${action}`, 'Pass --id');
}
