import { readFile } from 'node:fs/promises';
import { CliError, UsageError } from './errors.js';
import type { EntryBody } from './api.js';
import type { EntryOptions } from './options.js';
import { readStdin, type Terminal } from './prompt.js';

/**
 * Names and values from flags, standard input (`--value -`) or the terminal. Names are
 * checked with the server's own schema before any request; values are never echoed.
 */
export const checkEntryName = (name: string) => checkWith('EntryName', 'name', name);
export const checkEnvironmentName = (name: string) => checkWith('EnvironmentName', 'environment name', name);

async function checkWith(schema: 'EntryName' | 'EnvironmentName', label: string, name: string): Promise<string> {
  const problem = await nameProblem(schema, name);
  if (problem === undefined) return name;
  throw new UsageError(`Invalid ${label} '${name}': ${problem}.`);
}

/** What is wrong with `name` by the service's rule, or undefined if nothing. */
export async function nameProblem(schema: 'EntryName' | 'EnvironmentName', name: string): Promise<string | undefined> {
  return (await serviceRule(schema, name)).problem;
}

/** `value` by the service's own rule (shared/schemas.ts): as the service would store it, or what is wrong. */
async function serviceRule(
  schema: 'EntryName' | 'EnvironmentName' | 'ExpiresAt',
  value: string,
): Promise<{ value: string; problem?: undefined } | { problem: string }> {
  // Loaded only when a value is checked: the schema module is much of the CLI's start-up time.
  const schemas = await import('../shared/schemas.js');
  const result = schemas[schema].safeParse(value);
  // Each of these schemas gives a string back for a string.
  if (result.success) return { value: result.data as string };
  return { problem: result.error.issues[0]?.message ?? 'invalid' };
}

export interface ExpiryOptions {
  expiresAt?: string | undefined;
}

/** `--expires-at`: `none` clears the expiry (null); a time must keep the service's rule (ISO-8601, in the future). */
async function expiryInput(given: string | undefined): Promise<{ expiresAt?: string | null }> {
  if (given === undefined) return {};
  if (given === 'none') return { expiresAt: null };
  const checked = await serviceRule('ExpiresAt', given);
  if (checked.problem !== undefined) throw new UsageError(`Invalid --expires-at '${given}': ${checked.problem}.`);
  return { expiresAt: checked.value };
}

/** The name from `--name`, else asked for. */
async function nameInput(given: string | undefined, kind: string, terminal: Terminal): Promise<string> {
  const name = given ?? (await terminal.ask(`${kind} name`, `A ${kind.toLowerCase()} name is required: pass --name`));
  if (name === '') throw new UsageError(`A ${kind.toLowerCase()} name is required.`);
  return checkEntryName(name);
}

/** The value from `--value`, standard input for `--value -`, else asked for without echo. */
async function valueInput(given: string | undefined, kind: string, terminal: Terminal): Promise<string> {
  const what = `A ${kind.toLowerCase()} value is required`;
  const instead = `${what}: pass --value (or --value - to read it from standard input)`;
  const value =
    given === '-' ? await readStdin() : (given ?? (await terminal.ask(`${kind} value`, instead, { hidden: true })));
  if (value === '') throw new UsageError(`${what}.`);
  return value;
}

/** `--value -` reads standard input; any other given value is used as is. */
async function optionalValue(given: string | undefined): Promise<string | undefined> {
  return given === '-' ? readStdin() : given;
}

export interface FileValueOptions {
  value?: string | undefined;
  file?: boolean | undefined;
  fromFile?: string | undefined;
}

/**
 * A value and its kind: `--from-file PATH` reads the file and sends it base64 as a file
 * secret; `--file` says the given value already is a file's base64 content.
 */
async function secretValueInput(
  options: FileValueOptions,
  kind: string,
  terminal: Terminal,
): Promise<{ value: string; isFile: boolean }> {
  if (options.fromFile !== undefined) {
    if (options.value !== undefined) throw new UsageError('Give either --value or --from-file, not both.');
    let content: Buffer;
    try {
      content = await readFile(options.fromFile);
    } catch (err) {
      throw new CliError(`Cannot read ${options.fromFile}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}.`);
    }
    if (content.length === 0) throw new CliError(`${options.fromFile} is empty.`);
    return { value: content.toString('base64'), isFile: true };
  }
  return { value: await valueInput(options.value, kind, terminal), isFile: options.file === true };
}

/** The body of a create: name and value from flags, standard input or the terminal. */
export async function createBody(
  opts: EntryOptions & FileValueOptions & ExpiryOptions,
  kind: 'Secret' | 'Variable',
  terminal: Terminal,
): Promise<EntryBody> {
  const name = await nameInput(opts.name, kind, terminal);
  const expiry = await expiryInput(opts.expiresAt);
  const { value, isFile } = await secretValueInput(opts, kind, terminal);
  return {
    name,
    value,
    ...(opts.description ? { description: opts.description } : {}),
    ...(isFile ? { isFile } : {}),
    ...expiry,
  };
}

/**
 * The fields to change of an update. With none given, a new value is asked for (without
 * echo) on a terminal, unless `askForValue` is false (a variable's update): then it is an error.
 */
export async function updateBody(
  terminal: Terminal,
  opts: EntryOptions & ExpiryOptions,
  { askForValue = true } = {},
): Promise<EntryBody> {
  if (opts.name !== undefined) await checkEntryName(opts.name);
  const expiry = await expiryInput(opts.expiresAt);
  const value = await optionalValue(opts.value);
  if (opts.name === undefined && value === undefined && opts.description === undefined && !('expiresAt' in expiry)) {
    if (!askForValue) throw new UsageError('Give at least one of --name, --value, --description.');
    const instead = 'Nothing to update: pass --name, --value, --description or --expires-at';
    const asked = await terminal.ask('New value', instead, { hidden: true });
    if (asked === '') throw new CliError('No changes made.');
    return { value: asked };
  }
  return {
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(value !== undefined ? { value } : {}),
    ...(opts.description !== undefined ? { description: opts.description } : {}),
    ...expiry,
  };
}
