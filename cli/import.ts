import { readFile } from 'node:fs/promises';
import { Option } from 'commander';
import { ApiRefusal } from './api-client.js';
import type { Context } from './context.js';
import { parseDotenvImport, type DotenvEntry } from './dotenv-import.js';
import type { ResolvedEnvironment } from './environment-ref.js';
import { CliError } from './errors.js';

/**
 * `prime env secret import`, `prime env var import` and `prime secret import`: a dotenv file
 * (cli/dotenv-import.ts) checked whole, then planned against what the target holds, then
 * written one entry a request (the API has no batch route). Nothing is written unless every
 * name can be: a name another kind holds (a variable, a direct secret, a linked global secret)
 * or, without --overwrite, one the same kind holds, stops the import before its first write.
 * A failure part-way says which names were written and which were not. Values are never printed.
 */
export type HolderKind = 'variable' | 'direct secret' | 'linked secret' | 'global secret';

/** What holds a name in the target now. */
export interface Holder {
  kind: HolderKind;
  id: string;
  name: string;
  version?: number | undefined;
  /** Only a variable's value is known. */
  value?: string | undefined;
}

export interface ImportTarget {
  /** What the file's entries become. */
  kind: HolderKind;
  /** Where they go, as the user sees it ("dev/my-env", "your personal scope"). */
  where: string;
  /** The most entries the target may hold (the service's limit). */
  limit: number;
  holders(): Promise<Holder[]>;
  create(entry: DotenvEntry): Promise<unknown>;
  update(holder: Holder, entry: DotenvEntry): Promise<unknown>;
  /** The command that lists the target, to check by hand. */
  listCommand: string;
}

export interface ImportOptions {
  dryRun?: boolean;
  overwrite?: boolean;
}

export const importOptions = () => [
  new Option('--dry-run', 'print what would be created, updated or refused, and write nothing'),
  new Option('--overwrite', 'replace the value of a name the same kind already holds'),
];

type Action = 'create' | 'update' | 'unchanged' | 'clash';

interface Step {
  entry: DotenvEntry;
  action: Action;
  holder?: Holder | undefined;
  note: string;
}

/** A progress note on stderr every this many writes. */
const PROGRESS_EVERY = 50;

/** FILE, or standard input for `-`: its bytes, and how errors name it. */
export async function readImportInput(file: string): Promise<{ bytes: Uint8Array; source: string }> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    return { bytes: Buffer.concat(chunks), source: 'standard input' };
  }
  try {
    return { bytes: await readFile(file), source: file };
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}.`);
  }
}

export async function runImport(ctx: Context, target: ImportTarget, file: string, opts: ImportOptions) {
  const { bytes, source } = await readImportInput(file);
  const entries = await parseDotenvImport(bytes, source);
  if (entries.length === 0) throw new CliError(`${source} sets no names: nothing to import.`);
  const holders = await target.holders();
  const steps = plan(entries, holders, target, opts.overwrite === true);
  const clashes = steps.filter((s) => s.action === 'clash');
  const creates = steps.filter((s) => s.action === 'create').length;
  const overLimit = holders.length + creates > target.limit;

  if (opts.dryRun) {
    printPlan(ctx, target, steps);
    if (clashes.length > 0) throw refusal(target, clashes, 'Dry run: the import would write nothing');
    if (overLimit) throw limitRefusal(target, holders.length, creates, 'Dry run: the import would write nothing');
    return ctx.out.line('Dry run: nothing was written.');
  }
  if (clashes.length > 0) throw refusal(target, clashes, 'Nothing was imported');
  if (overLimit) throw limitRefusal(target, holders.length, creates, 'Nothing was imported');
  await write(ctx, target, steps);
}

/** Per name: create, update (same kind, with --overwrite), unchanged (a variable with that value) or clash. */
function plan(entries: DotenvEntry[], holders: Holder[], target: ImportTarget, overwrite: boolean): Step[] {
  const byName = new Map(holders.map((h) => [h.name, h]));
  return entries.map((entry): Step => {
    const holder = byName.get(entry.name);
    if (!holder) return { entry, action: 'create', note: '' };
    if (holder.kind === target.kind) {
      if (holder.value !== undefined && holder.value === entry.value) {
        return { entry, action: 'unchanged', holder, note: `the ${holder.kind} has this value` };
      }
      if (overwrite) return { entry, action: 'update', holder, note: `replaces the ${holder.kind}'s value` };
      return { entry, action: 'clash', holder, note: `a ${holder.kind} holds it: --overwrite replaces its value` };
    }
    return { entry, action: 'clash', holder, note: heldBy(holder, target) };
  });
}

/** What holds a name, and what to do about it. */
function heldBy(holder: Holder, target: ImportTarget): string {
  switch (holder.kind) {
    case 'variable':
      return 'a variable holds it: rename or remove that variable first';
    case 'direct secret':
      return 'a direct secret holds it: rename or remove that secret first';
    case 'linked secret':
      return (
        `linked global secret ${holder.name} (${holder.id}) holds it: ` +
        `unlink it first (prime env secret unlink ${holder.id} ${target.where})`
      );
    case 'global secret':
      return 'a global secret holds it';
  }
}

function printPlan(ctx: Context, target: ImportTarget, steps: Step[]): void {
  ctx.out.table(
    [{ header: 'Action' }, { header: 'Name', style: 'cyan' }, { header: 'Line', style: 'dim' }, { header: 'Note' }],
    steps.map((s) => [s.action, s.entry.name, String(s.entry.line), s.note]),
    `Import plan for ${target.where} (${target.kind}s): ${summary(steps)}`,
  );
}

function summary(steps: Step[]): string {
  const counts = (['create', 'update', 'unchanged', 'clash'] as const)
    .map((action) => [action, steps.filter((s) => s.action === action).length] as const)
    .filter(([, n]) => n > 0);
  return counts
    .map(([action, n]) => `${n} ${action === 'clash' ? (n === 1 ? 'clash' : 'clashes') : action}`)
    .join(', ');
}

function refusal(target: ImportTarget, clashes: Step[], lead: string): CliError {
  const names = clashes.map((s) => `${s.entry.name} (line ${s.entry.line}: ${s.note})`);
  const taken = clashes.length === 1 ? '1 name is taken' : `${clashes.length} names are taken`;
  return new CliError(`${lead}: ${taken} in ${target.where}: ${names.join('; ')}.`);
}

function limitRefusal(target: ImportTarget, held: number, creates: number, lead: string): CliError {
  return new CliError(
    `${lead}: ${target.where} holds ${held} entries, and ${creates} more would pass its limit of ${target.limit}.`,
  );
}

/** The creates and updates one at a time, in file order; on a failure, exactly what was written. */
async function write(ctx: Context, target: ImportTarget, steps: Step[]): Promise<void> {
  const todo = steps.filter((s) => s.action === 'create' || s.action === 'update');
  const written: Step[] = [];
  for (const step of todo) {
    try {
      // A 429 is waited out and sent again by the client (cli/api-client.ts).
      await (step.action === 'create' ? target.create(step.entry) : target.update(step.holder!, step.entry));
    } catch (err) {
      return stopped(ctx, target, todo, written, step, err);
    }
    written.push(step);
    if (written.length % PROGRESS_EVERY === 0 && written.length < todo.length) {
      ctx.out.note(`Written ${written.length} of ${todo.length}…`);
    }
  }
  const unchanged = steps.filter((s) => s.action === 'unchanged');
  const created = written.filter((s) => s.action === 'create').length;
  const updated = written.length - created;
  const parts = [
    `${created} created`,
    `${updated} updated`,
    ...(unchanged.length ? [`${unchanged.length} unchanged`] : []),
  ];
  ctx.out.success(`Imported ${steps.length} ${target.kind}s into ${target.where}: ${parts.join(', ')}`);
  for (const s of steps) ctx.out.line(`  ${PAST[s.action]} ${s.entry.name}`);
}

const PAST: Record<Action, string> = { create: 'created  ', update: 'updated  ', unchanged: 'unchanged', clash: '' };

/**
 * The report of a write that failed. A refusal (4xx) wrote nothing; for any other failure (a 5xx,
 * a lost connection) the target is read again to tell whether that write took effect.
 */
async function stopped(
  ctx: Context,
  target: ImportTarget,
  todo: Step[],
  written: Step[],
  failed: Step,
  err: unknown,
): Promise<never> {
  const refused = err instanceof ApiRefusal && err.status >= 400 && err.status < 500;
  let failedWrote: boolean | undefined = refused ? false : undefined;
  if (!refused) failedWrote = await tookEffect(target, failed);
  const done = failedWrote ? [...written, failed] : written;
  const notWritten = todo.filter((s) => !done.includes(s) && !(failedWrote === undefined && s === failed));
  const why = err instanceof Error ? err.message : String(err);
  ctx.out.note(`Import into ${target.where} stopped at ${failed.entry.name} (line ${failed.entry.line}): ${why}`);
  if (failedWrote) ctx.out.note(`(${failed.entry.name} was written, although its answer did not arrive.)`);
  ctx.out.note(`Written (${done.length}): ${names(done)}`);
  if (failedWrote === undefined) {
    ctx.out.note(`Unknown (1): ${failed.entry.name}: check with ${target.listCommand}`);
  }
  ctx.out.note(`Not written (${notWritten.length}): ${names(notWritten)}`);
  throw new CliError(`Import stopped part-way: ${done.length} of ${todo.length} written (listed above).`);
}

const names = (steps: Step[]) => steps.map((s) => s.entry.name).join(', ') || '-';

/** Whether the failed write is in the target now: true, false, or undefined when it cannot be read. */
async function tookEffect(target: ImportTarget, step: Step): Promise<boolean | undefined> {
  let holders: Holder[];
  try {
    holders = await target.holders();
  } catch {
    return undefined;
  }
  const now = holders.find((h) => h.name === step.entry.name && h.kind === target.kind);
  if (step.action === 'create') return now !== undefined;
  if (!now || now.id !== step.holder?.id) return undefined;
  if (now.version === undefined || step.holder.version === undefined) return undefined;
  return now.version > step.holder.version;
}

/** The secrets (direct) or variables of an environment, beside what else holds names there. */
export function environmentTarget(
  ctx: Context,
  env: ResolvedEnvironment,
  kind: 'direct secret' | 'variable',
): ImportTarget {
  const body = (entry: DotenvEntry) => ({ name: entry.name, value: entry.value });
  return {
    kind,
    where: env.slug,
    limit: 500,
    listCommand: kind === 'variable' ? `prime env var list ${env.slug}` : `prime env secret list ${env.slug}`,
    async holders() {
      const [secrets, variables] = await Promise.all([ctx.api.environmentSecrets(env.id), ctx.api.variables(env.id)]);
      return [
        ...secrets.map((s): Holder => ({
          kind: s.source === 'global-linked' ? 'linked secret' : 'direct secret',
          id: s.id,
          name: s.name,
          version: s.version,
        })),
        ...variables.map((v): Holder => ({
          kind: 'variable',
          id: v.id,
          name: v.name,
          version: v.version,
          value: v.value,
        })),
      ];
    },
    create: (entry) =>
      kind === 'variable'
        ? ctx.api.createVariable(env.id, body(entry))
        : ctx.api.createEnvironmentSecret(env.id, body(entry)),
    update: (holder, entry) =>
      kind === 'variable'
        ? ctx.api.updateVariable(env.id, holder.id, { value: entry.value })
        : ctx.api.updateEnvironmentSecret(env.id, holder.id, { value: entry.value }),
  };
}

/** The global secrets of the configured scope. */
export async function globalTarget(ctx: Context): Promise<ImportTarget> {
  const { teamId, where } = await ctx.scope();
  return {
    kind: 'global secret',
    where,
    limit: 1000,
    listCommand: 'prime secret list',
    holders: async () =>
      (await ctx.api.secrets(teamId)).map((s): Holder => ({
        kind: 'global secret',
        id: s.id,
        name: s.name,
        version: s.version,
      })),
    create: (entry) => ctx.api.createSecret({ name: entry.name, value: entry.value }, teamId),
    update: (holder, entry) => ctx.api.updateSecret(holder.id, { value: entry.value }, teamId),
  };
}
