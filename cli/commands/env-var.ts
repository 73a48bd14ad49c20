import type { Command } from 'commander';
import { contextOf, type Context } from '../context.js';
import { resolveEnvironment, type ResolvedEnvironment } from '../environment-ref.js';
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
import { resolveRef } from '../refs.js';
import { registerEnvironmentImport } from './env-import.js';

/**
 * `prime env var list|create [ENVIRONMENT]`,
 * `prime env var update|delete|versions|rollback|restore VAR [ENVIRONMENT]`, VAR by name or id.
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
    .argument('<VAR>', VAR_ARG)
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
      const variable = await liveVariable(ctx, target, id);
      const updated = await ctx.api.updateVariable(target.id, variable.id, body, opts.ifMatch);
      if (opts.output === 'json') return ctx.out.json(updated);
      ctx.out.success(`Updated variable '${updated.name}' for ${target.slug}`);
    },
  );
}

function registerDelete(variable: Command): void {
  variable
    .command('delete')
    .description('Delete a variable')
    .argument('<VAR>', VAR_ARG)
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(yesOption())
    .addOption(purgeOption())
    .action(
      async (id: string, environment: string | undefined, opts: { yes?: boolean; purge?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        ctx.terminal.requireApproval(opts.yes);
        const target = await resolveEnvironment(environment, ctx);
        const list = async () => {
          const [live, deleted] = await Promise.all([
            ctx.api.variables(target.id),
            opts.purge ? ctx.api.variableHistory(target.id).deleted() : [],
          ]);
          return [...live, ...deleted];
        };
        const variable = await resolveRef(id, list, 'variable', target.slug);
        const restore = `prime env var restore ${variable.id} ${target.slug}`;
        await confirmDelete(ctx, opts, `variable '${variable.name}' from ${target.slug}`, restore, () =>
          ctx.api.deleteVariable(target.id, variable.id, opts.purge),
        );
      },
    );
}

function registerVersions(variable: Command): void {
  variable
    .command('versions')
    .description('List the kept versions of a variable, with their values')
    .argument('<VAR>', VAR_ARG)
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(outputOption())
    .action(async (id: string, environment: string | undefined, opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const target = await resolveEnvironment(environment, ctx);
      const variable = await liveVariable(ctx, target, id);
      const versions = await ctx.api.variableHistory(target.id).versions(variable.id);
      printVersions(ctx, opts.output, versions, {
        title: `Versions of variable ${variable.name} in ${target.slug}`,
        values: true,
      });
    });
}

function registerRollback(variable: Command): void {
  variable
    .command('rollback')
    .description("Make an earlier version's value of a variable current again, as a new version")
    .argument('<VAR>', VAR_ARG)
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(rollbackVersionOption())
    .addOption(outputOption())
    .action(
      async (id: string, environment: string | undefined, opts: OutputOptions & { version: number }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const target = await resolveEnvironment(environment, ctx);
        const variable = await liveVariable(ctx, target, id);
        const updated = await ctx.api.variableHistory(target.id).rollback(variable.id, opts.version);
        if (opts.output === 'json') return ctx.out.json(updated);
        ctx.out.success(rolledBack(`variable '${updated.name}' in ${target.slug}`, opts.version, updated));
      },
    );
}

function registerRestore(variable: Command): void {
  variable
    .command('restore')
    .description('Restore a deleted variable of an environment')
    .argument('<VAR>', VAR_ARG)
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(restoreNameOption())
    .addOption(outputOption())
    .action(
      async (id: string, environment: string | undefined, opts: OutputOptions & { name?: string }, cmd: Command) => {
        const ctx = contextOf(cmd);
        if (opts.name !== undefined) await checkEntryName(opts.name);
        const target = await resolveEnvironment(environment, ctx);
        const history = ctx.api.variableHistory(target.id);
        const deleted = await resolveRef(id, () => history.deleted(), 'deleted variable', target.slug);
        const restored = await history.restore(deleted.id, opts.name);
        if (opts.output === 'json') return ctx.out.json(restored);
        ctx.out.success(`Restored variable '${restored.name}' to ${target.slug}`);
      },
    );
}

const VAR_ARG = 'the variable: its name or its id';

/** A variable of the environment, by id or name. */
const liveVariable = (ctx: Context, target: ResolvedEnvironment, given: string) =>
  resolveRef(given, () => ctx.api.variables(target.id), 'variable', target.slug);
