import type { Command } from 'commander';
import type { GlobalSecret } from '../api.js';
import { contextOf, type Context } from '../context.js';
import { CliError } from '../errors.js';
import { createBody, updateBody, type FileValueOptions } from '../inputs.js';
import { secretListJson } from '../json-shapes.js';
import {
  entryOptions,
  fileOptions,
  outputOption,
  yesOption,
  type EntryOptions,
  type OutputOptions,
} from '../options.js';
import { relativeTime } from '../output.js';

/** `prime secret list|create|update|delete|get`: global secrets, in the configured scope. */
export function registerSecretCommands(program: Command): void {
  const secret = program.command('secret').description('Manage global secrets');
  registerList(secret);
  registerCreate(secret);
  registerUpdate(secret);
  registerDelete(secret);
  registerGet(secret);
}

function registerList(secret: Command): void {
  secret
    .command('list')
    .description('List your global secrets')
    .addOption(outputOption())
    .action(async (opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const secrets = await ctx.api.secrets(ctx.teamId);
      if (opts.output === 'json') return ctx.out.json(secretListJson(secrets));
      if (secrets.length === 0) return ctx.out.line(`No ${scopeName(ctx)} secrets found.`);
      ctx.out.table(
        [
          { header: 'ID', style: 'dim' },
          { header: 'Name', style: 'cyan' },
          { header: 'Description' },
          { header: 'Created', style: 'dim' },
        ],
        secrets.map((s) => [s.id, s.name, s.description ?? '', relativeTime(s.createdAt)]),
        ctx.teamId ? 'Team Secrets' : 'Personal Secrets',
      );
    });
}

function registerCreate(secret: Command): void {
  const create = secret.command('create').description('Create a global secret');
  for (const option of [...entryOptions('Secret'), ...fileOptions(), outputOption()]) create.addOption(option);
  create.action(async (opts: EntryOptions & FileValueOptions & OutputOptions, cmd: Command) => {
    const ctx = contextOf(cmd);
    const created = await ctx.api.createSecret(await createBody(opts, 'Secret', ctx.terminal), ctx.teamId);
    if (opts.output === 'json') return ctx.out.json(created);
    ctx.out.created(`Created ${scopeName(ctx)} secret '${created.name}'`, created.id);
  });
}

function registerUpdate(secret: Command): void {
  const update = secret.command('update').description('Update a global secret').argument('[SECRET_ID]');
  for (const option of [...entryOptions('New secret'), outputOption()]) update.addOption(option);
  update.action(async (id: string | undefined, opts: EntryOptions & OutputOptions, cmd: Command) => {
    const ctx = contextOf(cmd);
    const secretId = id ?? (await chooseSecret(ctx, 'update')).id;
    const body = await updateBody(ctx.terminal, opts);
    const updated = await ctx.api.updateSecret(secretId, body, ctx.teamId);
    if (opts.output === 'json') return ctx.out.json(updated);
    ctx.out.success(`Updated secret '${updated.name}'`);
  });
}

function registerDelete(secret: Command): void {
  secret
    .command('delete')
    .description('Delete a global secret (and unlink it everywhere)')
    .argument('[SECRET_ID]')
    .addOption(yesOption())
    .action(async (id: string | undefined, opts: { yes?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      ctx.terminal.requireApproval(opts.yes);
      const target = id ? await ctx.api.secret(id, ctx.teamId) : await chooseSecret(ctx, 'delete');
      if (!(await ctx.terminal.approve(opts.yes, `Delete secret '${target.name}'?`))) {
        return ctx.out.line('Cancelled.');
      }
      await ctx.api.deleteSecret(target.id, ctx.teamId);
      ctx.out.success(`Deleted secret '${target.name}'`);
    });
}

function registerGet(secret: Command): void {
  secret
    .command('get')
    .description('Show a global secret (never its value)')
    .argument('<SECRET_ID>')
    .addOption(outputOption())
    .action(async (id: string, opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const s = await ctx.api.secret(id, ctx.teamId);
      if (opts.output === 'json') return ctx.out.json(s);
      const linked = (s.linkedEnvironments ?? []).map((e) => `${e.owner}/${e.name}`).join(', ');
      ctx.out.fields(
        [
          ['ID', s.id],
          ['Name', s.name],
          ['Description', s.description || '-'],
          ['File', s.isFile ? 'yes' : 'no'],
          ['Linked to', linked || '-'],
          ['Created', relativeTime(s.createdAt)],
          ['Updated', relativeTime(s.updatedAt)],
        ],
        'Secret Details',
      );
    });
}

const scopeName = (ctx: Context) => (ctx.teamId ? 'team' : 'personal');

async function chooseSecret(ctx: Context, action: string): Promise<GlobalSecret> {
  ctx.terminal.requireTerminal(`SECRET_ID is required: pass the id of the secret to ${action}`);
  const secrets = await ctx.api.secrets(ctx.teamId);
  if (secrets.length === 0) throw new CliError(`No ${scopeName(ctx)} secrets to ${action}.`);
  return ctx.terminal.choose(secrets, (s) => `${s.name} (${s.id})`, `Secret to ${action}`, 'Pass SECRET_ID');
}
