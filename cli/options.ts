import { Option } from 'commander';
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
