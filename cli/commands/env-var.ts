import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { resolveEnvironment } from '../environment-ref.js';
import { createBody, updateBody } from '../inputs.js';
import { entryOptions, outputOption, yesOption, type EntryOptions, type OutputOptions } from '../options.js';
import { relativeTime } from '../output.js';

const VALUE_WIDTH = 30;

/** `prime env var list|create [ENVIRONMENT]`, `prime env var update|delete VAR_ID [ENVIRONMENT]`. */
export function registerEnvironmentVariableCommands(env: Command): void {
  const variable = env.command('var').description("Manage an environment's plain variables");
  registerList(variable);
  registerCreate(variable);
  registerUpdate(variable);
  registerDelete(variable);
}

function registerList(variable: Command): void {
  variable
    .command('list')
    .description('List the variables of an environment, with their values')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(outputOption())
    .action(async (environment: string | undefined, opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const target = await resolveEnvironment(environment, ctx);
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
  for (const option of [...entryOptions('New variable'), outputOption()]) update.addOption(option);
  update.action(
    async (id: string, environment: string | undefined, opts: EntryOptions & OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const body = await updateBody(ctx.terminal, opts, { askForValue: false });
      const target = await resolveEnvironment(environment, ctx);
      const updated = await ctx.api.updateVariable(target.id, id, body);
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
    .action(async (id: string, environment: string | undefined, opts: { yes?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      ctx.terminal.requireApproval(opts.yes);
      const target = await resolveEnvironment(environment, ctx);
      if (!(await ctx.terminal.approve(opts.yes, `Delete variable ${id} from ${target.slug}?`))) {
        return ctx.out.line('Cancelled.');
      }
      await ctx.api.deleteVariable(target.id, id);
      ctx.out.success(`Deleted variable ${id} from ${target.slug}`);
    });
}

function shorten(value: string): string {
  return value.length > VALUE_WIDTH ? `${value.slice(0, VALUE_WIDTH - 3)}...` : value;
}
