import { CliError } from './errors.js';

/**
 * The dotenv text of a runtime set, written only in quotings that a shell sourcing it
 * (`set -a; . ./.env` in bash, dash or zsh), the `dotenv` package, Node's `util.parseEnv`
 * and the original dotenv grammar all read back as the exact value, running nothing
 * (test/cli/dotenv-readers.test.ts sources random values in each):
 *
 * 1. no `'`: `'…'`, taken literally by all of them (`#`, spaces, `\`, `$`, backticks too);
 * 2. a `'` but no `"`, `\`, `$` or backtick: `"…"`, with nothing in it to interpret.
 *
 * Any other value is refused: a line break (the `dotenv` package reads one line per entry,
 * `util.parseEnv` drops CR), a NUL or a lone surrogate, or a `'` beside a character a shell
 * interprets in double quotes (no escape of it means the same to a shell and to dotenv).
 */
export function formatDotenv(env: Record<string, string>, files: readonly string[] = []): string {
  const quoted = Object.keys(env)
    .sort()
    .map((name) => ({ name, value: quoteDotenvValue(env[name]!) }));
  const refused = quoted.filter((q) => q.value === undefined).map((q) => q.name);
  if (refused.length > 0) {
    throw new CliError(
      `Cannot write ${refused.join(', ')} as dotenv that shells and dotenv parsers read back unchanged: ` +
        `a value with a line break, or with a ' and one of " \\ $ \`. Use --format json.`,
    );
  }
  return quoted
    .map(({ name, value }) => {
      const note = files.includes(name) ? `# ${name}: base64 content of a file secret\n` : '';
      return `${note}${name}=${value}\n`;
    })
    .join('');
}

/** The value quoted as above, or undefined when no quoting reads back the same everywhere. */
export function quoteDotenvValue(value: string): string | undefined {
  if (!value.isWellFormed() || /[\n\r\u2028\u2029\0]/.test(value)) return undefined;
  if (!value.includes("'")) return `'${value}'`;
  if (!/["\\$`]/.test(value)) return `"${value}"`;
  return undefined;
}
