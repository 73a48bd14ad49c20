import { Option, type Command } from 'commander';
import type { EnvironmentSecret } from '../api.js';
import { contextOf, type Context } from '../context.js';
import { resolveEnvironment, type ResolvedEnvironment } from '../environment-ref.js';
import { CliError } from '../errors.js';
import { expiryColumn } from '../expiry.js';
import { confirmDelete, printDeleted, printVersions, rolledBack } from '../history.js';
import { checkEntryName, createBody, updateBody, type ExpiryOptions, type FileValueOptions } from '../inputs.js';
import { environmentSecretListJson, linkJson } from '../json-shapes.js';
import {
  deletedOption,
  entryOptions,
  expiresAtOption,
  fileOptions,
  ifMatchOption,
  outputOption,
  purgeOption,
  restoreNameOption,
  rollbackVersionOption,
  yesOption,
  type EntryOptions,
  type OutputOptions,
} from '../options.js';
import { relativeTime, sourceWord } from '../output.js';
import { namedLabel, resolveRef } from '../refs.js';
import { registerSecretPullCommand } from './env-pull.js';
import { registerRequirementCommands } from './env-requirements.js';
import { registerEnvironmentImport } from './env-import.js';

/**
 * `prime env secret list|create|update|delete|link|unlink|versions|rollback|restore [ENVIRONMENT]`,
 * the requirements of the environment (env-requirements.ts) and `pull` (env-pull.ts).
 */
export function registerEnvironmentSecretCommands(env: Command): void {
  const secret = env.command('secret').description("Manage an environment's secrets and links");
  registerList(secret);
  registerCreate(secret);
  registerUpdate(secret);
  registerDelete(secret);
  registerLink(secret);
  registerUnlink(secret);
  registerVersions(secret);
  registerRollback(secret);
  registerRestore(secret);
  registerEnvironmentImport(secret, 'direct secret', 'direct secrets');
  registerRequirementCommands(secret);
  registerSecretPullCommand(secret);
}

function registerList(secret: Command): void {
  secret
    .command('list')
    .description('List direct and linked secrets of an environment')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(outputOption())
    .addOption(deletedOption())
    .action(async (environment: string | undefined, opts: OutputOptions & { deleted?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const target = await resolveEnvironment(environment, ctx);
      if (opts.deleted) {
        return printDeleted(ctx, opts.output, await ctx.api.environmentSecretHistory(target.id).deleted(), {
          key: 'secrets',
          title: `Deleted secrets for ${target.slug}`,
          empty: `No deleted secrets for ${target.slug}.`,
        });
      }
      const secrets = await ctx.api.environmentSecrets(target.id);
      if (opts.output === 'json') return ctx.out.json(environmentSecretListJson(secrets));
      if (secrets.length === 0) return ctx.out.line(`No secrets found for ${target.slug}.`);
      const expiry = expiryColumn(secrets);
      ctx.out.table(
        [
          { header: 'ID', style: 'dim' },
          { header: 'Name', style: 'cyan' },
          { header: 'Source' },
          { header: 'Description' },
          { header: 'Created', style: 'dim' },
          ...expiry.columns,
        ],
        secrets.map((s) => [
          s.id,
          s.name,
          sourceWord(s.source),
          s.description ?? '',
          relativeTime(s.createdAt),
          ...expiry.cells(s),
        ]),
        `Secrets for ${target.slug}`,
      );
    });
}

function registerCreate(secret: Command): void {
  const create = secret
    .command('create')
    .description('Create a direct secret in an environment')
    .argument('[ENVIRONMENT]', 'owner/name');
  for (const option of [...entryOptions('Secret'), ...fileOptions(), expiresAtOption(), outputOption()]) {
    create.addOption(option);
  }
  create.action(
    async (
      environment: string | undefined,
      opts: EntryOptions & FileValueOptions & ExpiryOptions & OutputOptions,
      cmd: Command,
    ) => {
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
  for (const option of [...entryOptions('New secret'), expiresAtOption(), ifMatchOption(), outputOption()]) {
    update.addOption(option);
  }
  update.action(
    async (
      environment: string | undefined,
      opts: EntryOptions & ExpiryOptions & OutputOptions & { id?: string; ifMatch?: number },
      cmd: Command,
    ) => {
      const ctx = contextOf(cmd);
      if (!opts.id) ctx.terminal.requireTerminal('Pass --id with the secret to update');
      const body = await updateBody(ctx.terminal, opts);
      const target = await resolveEnvironment(environment, ctx);
      const id = (opts.id ? await entrySecret(ctx, target, opts.id) : await chooseSecret(ctx, target, 'update')).id;
      const updated = await ctx.api.updateEnvironmentSecret(target.id, id, body, opts.ifMatch);
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
    .addOption(purgeOption())
    .action(
      async (environment: string | undefined, opts: { id?: string; yes?: boolean; purge?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        if (!opts.id) ctx.terminal.requireTerminal('Pass --id with the secret to delete');
        ctx.terminal.requireApproval(opts.yes);
        const target = await resolveEnvironment(environment, ctx);
        const chosen = opts.id
          ? await resolveRef(opts.id, () => deletable(ctx, target, opts.purge), 'secret', target.slug)
          : await chooseSecret(ctx, target, 'delete');
        const restore = `prime env secret restore ${target.slug} --id ${chosen.id}`;
        await confirmDelete(ctx, opts, `secret '${chosen.name}' from ${target.slug}`, restore, () =>
          ctx.api.deleteEnvironmentSecret(target.id, chosen.id, opts.purge),
        );
      },
    );
}

/** The secrets a delete may name: a purge may also name one already deleted. */
async function deletable(ctx: Context, target: ResolvedEnvironment, purge: boolean | undefined) {
  const [secrets, deleted] = await Promise.all([
    ctx.api.environmentSecrets(target.id),
    purge ? ctx.api.environmentSecretHistory(target.id).deleted() : [],
  ]);
  return [...secrets, ...deleted];
}

function registerLink(secret: Command): void {
  secret
    .command('link')
    .description('Link a global secret to an environment')
    .argument('<GLOBAL_SECRET>', "the global secret: its name or id in the environment's scope")
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(outputOption())
    .action(async (given: string, environment: string | undefined, opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const target = await resolveEnvironment(environment, ctx);
      const list = () => ctx.api.secrets(target.teamId ?? undefined);
      const secret = await resolveRef(given, list, 'global secret', target.scopeWhere);
      const link = await ctx.api.link(target.id, secret.id);
      if (opts.output === 'json') return ctx.out.json(linkJson(link));
      ctx.out.success(`Linked global secret '${link.secretName}' to ${target.slug}`);
    });
}

function registerUnlink(secret: Command): void {
  secret
    .command('unlink')
    .description('Unlink a global secret from an environment')
    .argument('<GLOBAL_SECRET>', 'the linked global secret: its name or id')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(yesOption())
    .action(async (given: string, environment: string | undefined, opts: { yes?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      ctx.terminal.requireApproval(opts.yes);
      const target = await resolveEnvironment(environment, ctx);
      const linked = async () =>
        (await ctx.api.environmentSecrets(target.id)).filter((s) => s.source === 'global-linked');
      const secret = await resolveRef(given, linked, 'linked global secret', target.slug);
      const question = `Unlink global secret '${secret.name}' from ${target.slug}?`;
      if (!(await ctx.terminal.approve(opts.yes, question))) return ctx.out.line('Cancelled.');
      await ctx.api.unlink(target.id, secret.id);
      ctx.out.success(`Unlinked global secret '${secret.name}' from ${target.slug}`);
    });
}

function registerVersions(secret: Command): void {
  secret
    .command('versions')
    .description('List the kept versions of a direct secret (never their values)')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(idOption())
    .addOption(outputOption())
    .action(async (environment: string | undefined, opts: OutputOptions & { id?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (!opts.id) ctx.terminal.requireTerminal('Pass --id with the secret to show the versions of');
      const target = await resolveEnvironment(environment, ctx);
      const secret = opts.id
        ? await entrySecret(ctx, target, opts.id)
        : await chooseSecret(ctx, target, 'show the versions of');
      const versions = await ctx.api.environmentSecretHistory(target.id).versions(secret.id);
      const title = `Versions of secret ${secret.name} in ${target.slug}`;
      printVersions(ctx, opts.output, versions, { title, values: false });
    });
}

function registerRollback(secret: Command): void {
  secret
    .command('rollback')
    .description("Make an earlier version's value of a direct secret current again, as a new version")
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(idOption())
    .addOption(rollbackVersionOption())
    .addOption(outputOption())
    .action(
      async (environment: string | undefined, opts: OutputOptions & { id?: string; version: number }, cmd: Command) => {
        const ctx = contextOf(cmd);
        if (!opts.id) ctx.terminal.requireTerminal('Pass --id with the secret to roll back');
        const target = await resolveEnvironment(environment, ctx);
        const id = (opts.id ? await entrySecret(ctx, target, opts.id) : await chooseSecret(ctx, target, 'roll back'))
          .id;
        const updated = await ctx.api.environmentSecretHistory(target.id).rollback(id, opts.version);
        if (opts.output === 'json') return ctx.out.json(updated);
        ctx.out.success(rolledBack(`secret '${updated.name}' in ${target.slug}`, opts.version, updated));
      },
    );
}

function registerRestore(secret: Command): void {
  secret
    .command('restore')
    .description('Restore a deleted direct secret of an environment')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(
      new Option('--id <SECRET>', 'the deleted secret: its name or id (see list --deleted)').makeOptionMandatory(),
    )
    .addOption(restoreNameOption())
    .addOption(outputOption())
    .action(
      async (environment: string | undefined, opts: OutputOptions & { id: string; name?: string }, cmd: Command) => {
        const ctx = contextOf(cmd);
        if (opts.name !== undefined) await checkEntryName(opts.name);
        const target = await resolveEnvironment(environment, ctx);
        const history = ctx.api.environmentSecretHistory(target.id);
        const deleted = await resolveRef(opts.id, () => history.deleted(), 'deleted secret', target.slug);
        const restored = await history.restore(deleted.id, opts.name);
        if (opts.output === 'json') return ctx.out.json(restored);
        ctx.out.success(`Restored secret '${restored.name}' to ${target.slug}`);
      },
    );
}

const idOption = () =>
  new Option('--id <SECRET>', 'the secret: its name or id (chosen from a list on a terminal if omitted)');

/**
 * A secret of the environment by id or name. A linked one is taken too: the service then says it is
 * linked and what to do instead (shared/conflicts.ts).
 */
const entrySecret = (ctx: Context, target: ResolvedEnvironment, given: string) =>
  resolveRef(given, () => ctx.api.environmentSecrets(target.id), 'secret', target.slug);

async function chooseSecret(ctx: Context, target: ResolvedEnvironment, action: string): Promise<EnvironmentSecret> {
  const direct = (await ctx.api.environmentSecrets(target.id)).filter((s) => s.source === 'environment');
  if (direct.length === 0) throw new CliError(`No direct secrets to ${action} in ${target.slug}.`);
  return ctx.terminal.choose(direct, namedLabel, `Secret to ${action}`, 'Pass --id');
}
