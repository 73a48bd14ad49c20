import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { resolveEnvironment } from '../environment-ref.js';
import { confirmDelete, printDeleted, printVersions, rolledBack } from '../history.js';
import { checkEntryName, createBody, updateBody } from '../inputs.js';
import {
  deletedOption,
  entryOptions,
  ifMatchOption,
  outputOption,
  purgeOption,
  restoreNameOption,
  rollbackVersionOption,
  yesOption,
  type EntryOptions,
  type OutputOptions,
} from '../options.js';
import { relativeTime, shorten } from '../output.js';
import { registerEnvironmentImport } from './env-import.js';

/**
 * `prime env var list|create [ENVIRONMENT]`,
 * `prime env var update|delete|versions|rollback|restore VAR_ID [ENVIRONMENT]`.
 */
export function registerEnvironmentVariableCommands(env: Command): void {
  const variable = env.command('var').description("Manage an environment's plain variables");
  registerList(variable);
  registerCreate(variable);
  registerUpdate(variable);
  registerDelete(variable);
  registerVersions(variable);
  registerRollback(variable);
  registerRestore(variable);
  registerEnvironmentImport(variable, 'variable', 'variables');
}

function registerList(variable: Command): void {
  variable
    .command('list')
    .description('List the variables of an environment, with their values')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(outputOption())
    .addOption(deletedOption())
    .action(async (environment: string | undefined, opts: OutputOptions & { deleted?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const target = await resolveEnvironment(environment, ctx);
      if (opts.deleted) {
        return printDeleted(ctx, opts.output, await ctx.api.variableHistory(target.id).deleted(), {
          key: 'variables',
          title: `Deleted variables for ${target.slug}`,
          empty: `No deleted variables for ${target.slug}.`,
          extra: [{ header: 'Value', style: 'green' }, (v) => shorten(v.value)],
        });
      }
      const variables = await ctx.api.variables(target.id);
      if (opts.output === 'json') return ctx.out.json({ variables });
      if (variables.length === 0) return ctx.out.line(`No variables found for ${target.slug}.`);
      ctx.out.table(
        [
          { header: 'ID', style: 'dim' },
          { header: 'Name', style: 'cyan' },
          { header: 'Value', style: 'green' },
          { header: 'Description' },
          { header: 'Created', style: 'dim' },
        ],
        variables.map((v) => [v.id, v.name, shorten(v.value), v.description ?? '', relativeTime(v.createdAt)]),
        `Variables for ${target.slug}`,
      );
    });
}

function registerCreate(variable: Command): void {
  const create = variable
    .command('create')
    .description('Create a variable in an environment')
    .argument('[ENVIRONMENT]', 'owner/name');
  for (const option of [...entryOptions('Variable'), outputOption()]) create.addOption(option);
  create.action(async (environment: string | undefined, opts: EntryOptions & OutputOptions, cmd: Command) => {
    const ctx = contextOf(cmd);
    const body = await createBody(opts, 'Variable', ctx.terminal);
    const target = await resolveEnvironment(environment, ctx);
    const created = await ctx.api.createVariable(target.id, body);
    if (opts.output === 'json') return ctx.out.json(created);
    ctx.out.created(`Created variable '${created.name}' for ${target.slug}`, created.id);
  });
}

function registerUpdate(variable: Command): void {
  const update = variable
    .command('update')
    .description('Update a variable (at least one of --name, --value, --description)')
    .argument('<VAR_ID>')
    .argument('[ENVIRONMENT]', 'owner/name');
  for (const option of [...entryOptions('New variable'), ifMatchOption(), outputOption()]) update.addOption(option);
  update.action(
    async (
      id: string,
      environment: string | undefined,
      opts: EntryOptions & OutputOptions & { ifMatch?: number },
      cmd: Command,
    ) => {
      const ctx = contextOf(cmd);
      const body = await updateBody(ctx.terminal, opts, { askForValue: false });
      const target = await resolveEnvironment(environment, ctx);
      const updated = await ctx.api.updateVariable(target.id, id, body, opts.ifMatch);
      if (opts.output === 'json') return ctx.out.json(updated);
      ctx.out.success(`Updated variable '${updated.name}' for ${target.slug}`);
    },
  );
}

function registerDelete(variable: Command): void {
  variable
    .command('delete')
    .description('Delete a variable')
    .argument('<VAR_ID>')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(yesOption())
    .addOption(purgeOption())
    .action(
      async (id: string, environment: string | undefined, opts: { yes?: boolean; purge?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        ctx.terminal.requireApproval(opts.yes);
        const target = await resolveEnvironment(environment, ctx);
        const restore = `prime env var restore ${id} ${target.slug}`;
        await confirmDelete(ctx, opts, `variable ${id} from ${target.slug}`, restore, () =>
          ctx.api.deleteVariable(target.id, id, opts.purge),
        );
      },
    );
}

function registerVersions(variable: Command): void {
  variable
    .command('versions')
    .description('List the kept versions of a variable, with their values')
    .argument('<VAR_ID>')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(outputOption())
    .action(async (id: string, environment: string | undefined, opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const target = await resolveEnvironment(environment, ctx);
      const versions = await ctx.api.variableHistory(target.id).versions(id);
      printVersions(ctx, opts.output, versions, {
        title: `Versions of variable ${id} in ${target.slug}`,
        values: true,
      });
    });
}

function registerRollback(variable: Command): void {
  variable
    .command('rollback')
    .description("Make an earlier version's value of a variable current again, as a new version")
    .argument('<VAR_ID>')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(rollbackVersionOption())
    .addOption(outputOption())
    .action(
      async (id: string, environment: string | undefined, opts: OutputOptions & { version: number }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const target = await resolveEnvironment(environment, ctx);
        const updated = await ctx.api.variableHistory(target.id).rollback(id, opts.version);
        if (opts.output === 'json') return ctx.out.json(updated);
        ctx.out.success(rolledBack(`variable '${updated.name}' in ${target.slug}`, opts.version, updated));
      },
    );
}

function registerRestore(variable: Command): void {
  variable
    .command('restore')
    .description('Restore a deleted variable of an environment')
    .argument('<VAR_ID>')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(restoreNameOption())
    .addOption(outputOption())
    .action(
      async (id: string, environment: string | undefined, opts: OutputOptions & { name?: string }, cmd: Command) => {
        const ctx = contextOf(cmd);
        if (opts.name !== undefined) await checkEntryName(opts.name);
        const target = await resolveEnvironment(environment, ctx);
        const restored = await ctx.api.variableHistory(target.id).restore(id, opts.name);
        if (opts.output === 'json') return ctx.out.json(restored);
        ctx.out.success(`Restored variable '${restored.name}' to ${target.slug}`);
      },
    );
}
