import type { Command } from 'commander';
import type { GlobalSecret, RestoredGlobalSecret } from '../api.js';
import { contextOf, type Context } from '../context.js';
import { CliError } from '../errors.js';
import { expiryColumn } from '../expiry.js';
import { globalTarget, importOptions, runImport, type ImportOptions } from '../import.js';
import { confirmDelete, printDeleted, printVersions, rolledBack } from '../history.js';
import { checkEntryName, createBody, updateBody, type ExpiryOptions, type FileValueOptions } from '../inputs.js';
import { secretListJson } from '../json-shapes.js';
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
import { listText, relativeTime, utcTime } from '../output.js';

/**
 * `prime secret list|create|update|delete|get|versions|rollback|restore`: global secrets, in
 * the configured scope.
 */
export function registerSecretCommands(program: Command): void {
  const secret = program.command('secret').description('Manage global secrets');
  registerList(secret);
  registerCreate(secret);
  registerUpdate(secret);
  registerDelete(secret);
  registerGet(secret);
  registerVersions(secret);
  registerRollback(secret);
  registerRestore(secret);
  registerImport(secret);
}

function registerList(secret: Command): void {
  secret
    .command('list')
    .description('List your global secrets')
    .addOption(outputOption())
    .addOption(deletedOption())
    .action(async (opts: OutputOptions & { deleted?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (opts.deleted) return listDeleted(ctx, opts);
      const secrets = await ctx.api.secrets(ctx.teamId);
      if (opts.output === 'json') return ctx.out.json(secretListJson(secrets));
      if (secrets.length === 0) return ctx.out.line(`No ${scopeName(ctx)} secrets found.`);
      const expiry = await expiryColumn(secrets);
      ctx.out.table(
        [
          { header: 'ID', style: 'dim' },
          { header: 'Name', style: 'cyan' },
          { header: 'Description' },
          { header: 'Created', style: 'dim' },
          ...expiry.columns,
        ],
        secrets.map((s) => [s.id, s.name, s.description ?? '', relativeTime(s.createdAt), ...expiry.cells(s)]),
        ctx.teamId ? 'Team Secrets' : 'Personal Secrets',
      );
    });
}

async function listDeleted(ctx: Context, opts: OutputOptions): Promise<void> {
  const deleted = await ctx.api.secretHistory(ctx.teamId).deleted();
  printDeleted(ctx, opts.output, deleted, {
    key: 'secrets',
    title: ctx.teamId ? 'Deleted Team Secrets' : 'Deleted Personal Secrets',
    empty: `No deleted ${scopeName(ctx)} secrets.`,
    extra: [{ header: 'Linked to' }, (s) => listText((s.linkedEnvironments ?? []).map(slug))],
  });
}

function registerCreate(secret: Command): void {
  const create = secret.command('create').description('Create a global secret');
  for (const option of [...entryOptions('Secret'), ...fileOptions(), expiresAtOption(), outputOption()]) {
    create.addOption(option);
  }
  create.action(async (opts: EntryOptions & FileValueOptions & ExpiryOptions & OutputOptions, cmd: Command) => {
    const ctx = contextOf(cmd);
    const created = await ctx.api.createSecret(await createBody(opts, 'Secret', ctx.terminal), ctx.teamId);
    if (opts.output === 'json') return ctx.out.json(created);
    ctx.out.created(`Created ${scopeName(ctx)} secret '${created.name}'`, created.id);
  });
}

function registerUpdate(secret: Command): void {
  const update = secret.command('update').description('Update a global secret').argument('[SECRET_ID]');
  for (const option of [...entryOptions('New secret'), expiresAtOption(), ifMatchOption(), outputOption()]) {
    update.addOption(option);
  }
  update.action(
    async (
      id: string | undefined,
      opts: EntryOptions & ExpiryOptions & OutputOptions & { ifMatch?: number },
      cmd: Command,
    ) => {
      const ctx = contextOf(cmd);
      const secretId = id ?? (await chooseSecret(ctx, 'update')).id;
      const body = await updateBody(ctx.terminal, opts);
      const updated = await ctx.api.updateSecret(secretId, body, ctx.teamId, opts.ifMatch);
      if (opts.output === 'json') return ctx.out.json(updated);
      ctx.out.success(`Updated secret '${updated.name}'`);
    },
  );
}

function registerDelete(secret: Command): void {
  secret
    .command('delete')
    .description('Delete a global secret (and unlink it everywhere)')
    .argument('[SECRET_ID]')
    .addOption(yesOption())
    .addOption(purgeOption())
    .action(async (id: string | undefined, opts: { yes?: boolean; purge?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      ctx.terminal.requireApproval(opts.yes);
      const target = id ? await secretToDelete(ctx, id, opts.purge) : await chooseSecret(ctx, 'delete');
      await confirmDelete(ctx, opts, `secret '${target.name}'`, `prime secret restore ${target.id}`, () =>
        ctx.api.deleteSecret(target.id, ctx.teamId, opts.purge),
      );
    });
}

/** The secret a delete names; a purge may name one already deleted. */
async function secretToDelete(ctx: Context, id: string, purge: boolean | undefined): Promise<GlobalSecret> {
  const deleted = purge ? (await ctx.api.secretHistory(ctx.teamId).deleted()).find((s) => s.id === id) : undefined;
  return deleted ?? ctx.api.secret(id, ctx.teamId);
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
      // Only when set: a secret without an expiry shows as it always did.
      const expires: [string, string][] = s.expiresAt ? [['Expires', utcTime(s.expiresAt)]] : [];
      ctx.out.fields(
        [
          ['ID', s.id],
          ['Name', s.name],
          ['Description', s.description || '-'],
          ['File', s.isFile ? 'yes' : 'no'],
          ...expires,
          ['Linked to', listText((s.linkedEnvironments ?? []).map(slug))],
          ['Created', relativeTime(s.createdAt)],
          ['Updated', relativeTime(s.updatedAt)],
        ],
        'Secret Details',
      );
    });
}

function registerVersions(secret: Command): void {
  secret
    .command('versions')
    .description('List the kept versions of a global secret (never their values)')
    .argument('<SECRET_ID>')
    .addOption(outputOption())
    .action(async (id: string, opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const versions = await ctx.api.secretHistory(ctx.teamId).versions(id);
      printVersions(ctx, opts.output, versions, { title: `Versions of secret ${id}`, values: false });
    });
}

function registerRollback(secret: Command): void {
  secret
    .command('rollback')
    .description("Make an earlier version's value current again, as a new version")
    .argument('<SECRET_ID>')
    .addOption(rollbackVersionOption())
    .addOption(outputOption())
    .action(async (id: string, opts: OutputOptions & { version: number }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const updated = await ctx.api.secretHistory(ctx.teamId).rollback(id, opts.version);
      if (opts.output === 'json') return ctx.out.json(updated);
      ctx.out.success(rolledBack(`secret '${updated.name}'`, opts.version, updated));
    });
}

function registerRestore(secret: Command): void {
  secret
    .command('restore')
    .description('Restore a deleted global secret and relink it where it was linked')
    .argument('<SECRET_ID>')
    .addOption(restoreNameOption())
    .addOption(outputOption())
    .action(async (id: string, opts: OutputOptions & { name?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (opts.name !== undefined) await checkEntryName(opts.name);
      const history = ctx.api.secretHistory(ctx.teamId);
      // The restore answers with environment ids; the deleted secret still names them.
      const linked = (await history.deleted()).find((s) => s.id === id)?.linkedEnvironments ?? [];
      const restored = await history.restore(id, opts.name);
      if (opts.output === 'json') return ctx.out.json(restored);
      printRestore(ctx, restored, new Map(linked.map((e) => [e.id, slug(e)])));
    });
}

/** What was relinked, and for each environment that was not, why and what to do. */
function printRestore(
  ctx: Context,
  { secret, relinked, notRelinked }: RestoredGlobalSecret,
  slugById: Map<string, string>,
) {
  const where = (envId: string) => slugById.get(envId) ?? `environment ${envId}`;
  ctx.out.success(`Restored secret '${secret.name}'`);
  for (const envId of relinked) ctx.out.line(`  Relinked to ${where(envId)}`);
  for (const { environmentId, reason } of notRelinked) {
    const why =
      reason === 'name_taken'
        ? `${secret.name} is taken there. Rename or remove what holds that name in ${where(environmentId)}, ` +
          `then run: prime env secret link ${secret.id} ${where(environmentId)}`
        : 'the environment was deleted.';
    ctx.out.line(`  Not relinked to ${where(environmentId)}: ${why}`);
  }
}

const slug = (environment: { owner: string; name: string }) => `${environment.owner}/${environment.name}`;

const scopeName = (ctx: Context) => (ctx.teamId ? 'team' : 'personal');

async function chooseSecret(ctx: Context, action: string): Promise<GlobalSecret> {
  ctx.terminal.requireTerminal(`SECRET_ID is required: pass the id of the secret to ${action}`);
  const secrets = await ctx.api.secrets(ctx.teamId);
  if (secrets.length === 0) throw new CliError(`No ${scopeName(ctx)} secrets to ${action}.`);
  return ctx.terminal.choose(secrets, (s) => `${s.name} (${s.id})`, `Secret to ${action}`, 'Pass SECRET_ID');
}

function registerImport(secret: Command): void {
  const command = secret
    .command('import')
    .description('Create global secrets from a dotenv file (- reads standard input); nothing is written on a clash')
    .argument('<FILE>', 'a dotenv file, or - for standard input');
  for (const option of importOptions()) command.addOption(option);
  command.action(async (file: string, opts: ImportOptions, cmd: Command) => {
    const ctx = contextOf(cmd);
    await runImport(ctx, globalTarget(ctx), file, opts);
  });
}
