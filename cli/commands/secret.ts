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
import { namedLabel, resolveRef } from '../refs.js';
import type { Scope } from '../scope.js';

/**
 * `prime secret list|create|update|delete|get|versions|rollback|restore`: global secrets, in
 * the configured scope, each taken by its id or its name there.
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
      const scope = await ctx.scope();
      if (opts.deleted) return listDeleted(ctx, scope, opts);
      const secrets = await ctx.api.secrets(scope.teamId);
      if (opts.output === 'json') return ctx.out.json(secretListJson(secrets));
      if (secrets.length === 0) return ctx.out.line(`No secrets found in ${scope.where}.`);
      const expiry = expiryColumn(secrets);
      ctx.out.table(
        [
          { header: 'ID', style: 'dim' },
          { header: 'Name', style: 'cyan' },
          { header: 'Description' },
          { header: 'Created', style: 'dim' },
          ...expiry.columns,
        ],
        secrets.map((s) => [s.id, s.name, s.description ?? '', relativeTime(s.createdAt), ...expiry.cells(s)]),
        scope.teamSlug ? `Team Secrets (${scope.teamSlug})` : 'Personal Secrets',
      );
    });
}

async function listDeleted(ctx: Context, scope: Scope, opts: OutputOptions): Promise<void> {
  const deleted = await ctx.api.secretHistory(scope.teamId).deleted();
  printDeleted(ctx, opts.output, deleted, {
    key: 'secrets',
    title: scope.teamSlug ? `Deleted Team Secrets (${scope.teamSlug})` : 'Deleted Personal Secrets',
    empty: `No deleted secrets in ${scope.where}.`,
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
    const body = await createBody(opts, 'Secret', ctx.terminal);
    const scope = await ctx.scope();
    const created = await ctx.api.createSecret(body, scope.teamId);
    if (opts.output === 'json') return ctx.out.json(created);
    const what = scope.teamSlug ? `secret '${created.name}' in ${scope.where}` : `personal secret '${created.name}'`;
    ctx.out.created(`Created ${what}`, created.id);
  });
}

function registerUpdate(secret: Command): void {
  const update = secret.command('update').description('Update a global secret').argument('[SECRET]', SECRET_ARG);
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
      // On a terminal the secret is chosen before its changes are asked for.
      const chosen = id ? undefined : await chooseSecret(ctx, await ctx.scope(), 'update');
      const body = await updateBody(ctx.terminal, opts);
      const scope = await ctx.scope();
      const secretId = chosen?.id ?? (await liveSecret(ctx, scope, id!)).id;
      const updated = await ctx.api.updateSecret(secretId, body, scope.teamId, opts.ifMatch);
      if (opts.output === 'json') return ctx.out.json(updated);
      ctx.out.success(`Updated secret '${updated.name}'`);
    },
  );
}

function registerDelete(secret: Command): void {
  secret
    .command('delete')
    .description('Delete a global secret (and unlink it everywhere)')
    .argument('[SECRET]', SECRET_ARG)
    .addOption(yesOption())
    .addOption(purgeOption())
    .action(async (id: string | undefined, opts: { yes?: boolean; purge?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      ctx.terminal.requireApproval(opts.yes);
      const scope = await ctx.scope();
      const target = id ? await secretToDelete(ctx, scope, id, opts.purge) : await chooseSecret(ctx, scope, 'delete');
      await confirmDelete(ctx, opts, `secret '${target.name}'`, `prime secret restore ${target.id}`, () =>
        ctx.api.deleteSecret(target.id, scope.teamId, opts.purge),
      );
    });
}

/** The secret a delete names; a purge may name one already deleted. */
function secretToDelete(ctx: Context, scope: Scope, given: string, purge: boolean | undefined): Promise<GlobalSecret> {
  const list = async () => {
    const [live, deleted] = await Promise.all([
      ctx.api.secrets(scope.teamId),
      purge ? ctx.api.secretHistory(scope.teamId).deleted() : [],
    ]);
    return [...live, ...deleted];
  };
  return resolveRef(given, list, 'secret', scope.where);
}

/** A global secret of the scope, by id or name. */
const liveSecret = (ctx: Context, scope: Scope, given: string) =>
  resolveRef(given, () => ctx.api.secrets(scope.teamId), 'secret', scope.where);

const SECRET_ARG = 'the secret: its name or its id';

function registerGet(secret: Command): void {
  secret
    .command('get')
    .description('Show a global secret (never its value)')
    .argument('<SECRET>', SECRET_ARG)
    .addOption(outputOption())
    .action(async (given: string, opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const scope = await ctx.scope();
      const s = await ctx.api.secret((await liveSecret(ctx, scope, given)).id, scope.teamId);
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
    .argument('<SECRET>', SECRET_ARG)
    .addOption(outputOption())
    .action(async (given: string, opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const scope = await ctx.scope();
      const target = await liveSecret(ctx, scope, given);
      const versions = await ctx.api.secretHistory(scope.teamId).versions(target.id);
      printVersions(ctx, opts.output, versions, { title: `Versions of secret ${target.name}`, values: false });
    });
}

function registerRollback(secret: Command): void {
  secret
    .command('rollback')
    .description("Make an earlier version's value current again, as a new version")
    .argument('<SECRET>', SECRET_ARG)
    .addOption(rollbackVersionOption())
    .addOption(outputOption())
    .action(async (given: string, opts: OutputOptions & { version: number }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const scope = await ctx.scope();
      const target = await liveSecret(ctx, scope, given);
      const updated = await ctx.api.secretHistory(scope.teamId).rollback(target.id, opts.version);
      if (opts.output === 'json') return ctx.out.json(updated);
      ctx.out.success(rolledBack(`secret '${updated.name}'`, opts.version, updated));
    });
}

function registerRestore(secret: Command): void {
  secret
    .command('restore')
    .description('Restore a deleted global secret and relink it where it was linked')
    .argument('<SECRET>', 'the deleted secret: its name or its id (see list --deleted)')
    .addOption(restoreNameOption())
    .addOption(outputOption())
    .action(async (given: string, opts: OutputOptions & { name?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (opts.name !== undefined) await checkEntryName(opts.name);
      const scope = await ctx.scope();
      const history = ctx.api.secretHistory(scope.teamId);
      const deleted = await resolveRef(given, () => history.deleted(), 'deleted secret', scope.where);
      // The restore answers with environment ids; the deleted secret still names them.
      const linked = deleted.linkedEnvironments ?? [];
      const restored = await history.restore(deleted.id, opts.name);
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
          `then run: prime env secret link ${secret.name} ${where(environmentId)}`
        : 'the environment was deleted.';
    ctx.out.line(`  Not relinked to ${where(environmentId)}: ${why}`);
  }
}

const slug = (environment: { owner: string; name: string }) => `${environment.owner}/${environment.name}`;

async function chooseSecret(ctx: Context, scope: Scope, action: string): Promise<GlobalSecret> {
  ctx.terminal.requireTerminal(`SECRET is required: pass the name or id of the secret to ${action}`);
  const secrets = await ctx.api.secrets(scope.teamId);
  if (secrets.length === 0) throw new CliError(`No secrets to ${action} in ${scope.where}.`);
  return ctx.terminal.choose(secrets, namedLabel, `Secret to ${action}`, 'Pass SECRET');
}

function registerImport(secret: Command): void {
  const command = secret
    .command('import')
    .description('Create global secrets from a dotenv file (- reads standard input); nothing is written on a clash')
    .argument('<FILE>', 'a dotenv file, or - for standard input');
  for (const option of importOptions()) command.addOption(option);
  command.action(async (file: string, opts: ImportOptions, cmd: Command) => {
    const ctx = contextOf(cmd);
    await runImport(ctx, await globalTarget(ctx), file, opts);
  });
}
