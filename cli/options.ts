import { Option } from 'commander';
import { UsageError } from './errors.js';
import { parseOutputFormat, type OutputFormat } from './output.js';

/** Options several commands share, spelled once. */
export const outputOption = () =>
  new Option('-o, --output <format>', 'output format: table or json').default('table').argParser(parseOutputFormat);

export const yesOption = () => new Option('-y, --yes', 'skip the confirmation');

export interface OutputOptions {
  output: OutputFormat;
}

export interface EntryOptions {
  name?: string;
  value?: string;
  description?: string;
}

/** `--name`, `--value` (`-` reads standard input) and `--description` of creates and updates. */
export const entryOptions = (kind: string) => [
  new Option('-n, --name <name>', `${kind} name (uppercase letters, digits and underscores)`),
  new Option('-v, --value <value>', `${kind} value; - reads it from standard input`),
  new Option('-d, --description <text>', `${kind} description`),
];

/** `--file` and `--from-file` of secret creates. */
export const fileOptions = () => [
  new Option('-f, --file', 'the value is file content, base64'),
  new Option('--from-file <path>', 'read the value from a file (sent base64, as a file secret)'),
];

/** A version number as typed: a whole number from 1, short enough to stay exact as a JS number. */
export function parseVersion(value: string): number {
  if (/^[1-9][0-9]{0,8}$/.test(value)) return Number(value);
  throw new UsageError(`Invalid version '${value}': use a whole number from 1.`);
}

/** `--if-match` of updates: sent as `If-Match`, so a change made meanwhile is not overwritten. */
export const ifMatchOption = () =>
  new Option('--if-match <VERSION>', 'update only if VERSION is still the current version').argParser(parseVersion);

export const rollbackVersionOption = () =>
  new Option('--version <VERSION>', 'the version whose value becomes current again')
    .argParser(parseVersion)
    .makeOptionMandatory();

export const deletedOption = () => new Option('--deleted', 'list the recently deleted, which can still be restored');

export const purgeOption = () =>
  new Option('--purge', 'destroy it at once, also when already deleted: it cannot be restored');

export const restoreNameOption = () =>
  new Option('-n, --name <name>', 'restore it under this name (when its own is taken)');

/** `--expires-at` of secret creates and updates; the service keeps injecting the value after it. */
export const expiresAtOption = () =>
  new Option(
    '--expires-at <TIME>',
    'when the credential stops working where it was issued (ISO-8601, e.g. 2027-01-31T00:00:00Z); none clears it',
  );

/** `--allow-missing` of the commands that read the runtime set. */
export const allowMissingOption = () =>
  new Option('--allow-missing', 'read the set although a name the environment requires is missing');
