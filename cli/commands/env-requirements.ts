import { Option, type Command } from 'commander';
import { contextOf, type Context } from '../context.js';
import { resolveEnvironment, type ResolvedEnvironment } from '../environment-ref.js';
import { checkEntryName } from '../inputs.js';
import { outputOption, type OutputOptions } from '../options.js';
import { listText } from '../output.js';
import { readRequirementsFile, REQUIREMENTS_FILE, type DeclaredRequirement } from '../requirements-file.js';

/**
 * `prime env secret require|unrequire NAME [ENVIRONMENT]`, `requirements [ENVIRONMENT]` and
 * `sync-requirements [ENVIRONMENT]`: the names an environment's code reads. The service's
 * runtime read refuses a set without a required (not optional) one; `prime env check` says so first.
 */
export function registerRequirementCommands(secret: Command): void {
  registerRequire(secret);
  registerRequirements(secret);
  registerUnrequire(secret);
  registerSync(secret);
}

function registerRequire(secret: Command): void {
  secret
    .command('require')
    .description("Declare a name the environment's code reads (required unless --optional)")
    .argument('<NAME>')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(new Option('-d, --description <text>', 'what the name is for (declared again: replaced, or removed)'))
    .addOption(new Option('--optional', 'a job can start without it (the check still lists it)'))
    .addOption(outputOption())
    .action(
      async (
        name: string,
        environment: string | undefined,
        opts: OutputOptions & { description?: string; optional?: boolean },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd);
        await checkEntryName(name);
        const target = await resolveEnvironment(environment, ctx);
        const required = await ctx.api.putRequirement(target.id, name, {
          ...(opts.description !== undefined ? { description: opts.description } : {}),
          optional: opts.optional === true,
        });
        if (opts.output === 'json') return ctx.out.json(required);
        ctx.out.success(`Required '${required.name}' for ${target.slug}${required.optional ? ' (optional)' : ''}`);
      },
    );
}

function registerRequirements(secret: Command): void {
  secret
    .command('requirements')
    .description('List the names an environment requires')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(outputOption())
    .action(async (environment: string | undefined, opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const target = await resolveEnvironment(environment, ctx);
      const requirements = await ctx.api.requirements(target.id);
      if (opts.output === 'json') return ctx.out.json({ requirements });
      if (requirements.length === 0) return ctx.out.line(`No requirements found for ${target.slug}.`);
      ctx.out.table(
        [{ header: 'Name', style: 'cyan' }, { header: 'Optional' }, { header: 'Description' }],
        requirements.map((r) => [r.name, r.optional ? 'yes' : 'no', r.description ?? '']),
        `Requirements for ${target.slug}`,
      );
    });
}

function registerUnrequire(secret: Command): void {
  secret
    .command('unrequire')
    .description('No longer require a name in an environment')
    .argument('<NAME>')
    .argument('[ENVIRONMENT]', 'owner/name')
    .action(async (name: string, environment: string | undefined, _opts: object, cmd: Command) => {
      const ctx = contextOf(cmd);
      await checkEntryName(name);
      const target = await resolveEnvironment(environment, ctx);
      await ctx.api.removeRequirement(target.id, name);
      ctx.out.success(`No longer requiring '${name}' for ${target.slug}`);
    });
}

interface SyncOptions extends OutputOptions {
  file: string;
  prune?: boolean;
}

/** What a sync did, by name; `notInFile` are required on the service but not declared (kept without --prune). */
interface SyncReport {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
  notInFile: string[];
}

function registerSync(secret: Command): void {
  secret
    .command('sync-requirements')
    .description(`Make an environment require what ${REQUIREMENTS_FILE} declares`)
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(new Option('--file <PATH>', 'the requirements file').default(REQUIREMENTS_FILE))
    .addOption(new Option('--prune', 'also remove the requirements the file does not declare'))
    .addOption(outputOption())
    .action(async (environment: string | undefined, opts: SyncOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const declared = await readRequirementsFile(opts.file);
      const target = await resolveEnvironment(environment, ctx);
      const report = await syncRequirements(ctx, target, declared, opts.prune === true);
      if (opts.output === 'json') return ctx.out.json(report);
      ctx.out.success(`Synced the requirements of ${target.slug} with ${opts.file}`);
      ctx.out.fields([
        ['Added', listText(report.added)],
        ['Changed', listText(report.changed)],
        ['Unchanged', listText(report.unchanged)],
        opts.prune ? ['Removed', listText(report.removed)] : ['Not in the file', notInFile(report.notInFile)],
      ]);
    });
}

/** The required names a sync without --prune kept, and how to remove them. */
const notInFile = (names: string[]) => (names.length ? `${listText(names)} (kept; --prune removes them)` : '-');

/**
 * Puts each declared requirement that is new or differs (an unchanged one is not written, so the
 * audit log records only changes), then, with `prune`, removes the undeclared. A failure stops
 * it part-way; running it again finishes it, as each step is idempotent.
 */
async function syncRequirements(
  ctx: Context,
  target: ResolvedEnvironment,
  declared: DeclaredRequirement[],
  prune: boolean,
): Promise<SyncReport> {
  const existing = new Map((await ctx.api.requirements(target.id)).map((r) => [r.name, r]));
  const report: SyncReport = { added: [], changed: [], removed: [], unchanged: [], notInFile: [] };
  for (const { name, description, optional } of declared) {
    const old = existing.get(name);
    if (old && old.description === description && old.optional === optional) {
      report.unchanged.push(name);
      continue;
    }
    // Sequential: the service counts an environment's requirements on one item, which parallel creates contend for.
    await ctx.api.putRequirement(target.id, name, { description, optional });
    (old ? report.changed : report.added).push(name);
  }
  const declaredNames = new Set(declared.map((r) => r.name));
  for (const name of existing.keys()) {
    if (declaredNames.has(name)) continue;
    if (!prune) {
      report.notInFile.push(name);
      continue;
    }
    await ctx.api.removeRequirement(target.id, name);
    report.removed.push(name);
  }
  return report;
}
