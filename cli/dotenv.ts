/**
 * The dotenv text of a runtime set. Every value is quoted, so `#` and spaces never end it,
 * and written so a dotenv parser reads it back unchanged:
 *
 * 1. no `'`, backslash or CR: `'…'`, taken literally (newlines too) by every dotenv parser
 *    (Node's `util.parseEnv`, python-dotenv, godotenv, Ruby dotenv, docker compose) and a shell;
 * 2. else no `"`, backslash, `$`, backtick or CR: `"…"`, with nothing in it to interpret;
 * 3. else `"…"` with the double-quote escapes of the original dotenv (Ruby; godotenv and
 *    docker compose alike): `\\`, `\"`, `\n`, `\r`, and `\$` so nothing is expanded.
 */
export function formatDotenv(env: Record<string, string>, files: readonly string[] = []): string {
  return Object.keys(env)
    .sort()
    .map((name) => {
      const note = files.includes(name) ? `# ${name}: base64 content of a file secret\n` : '';
      return `${note}${name}=${quoteDotenvValue(env[name]!)}\n`;
    })
    .join('');
}

export function quoteDotenvValue(value: string): string {
  if (!/['\\\r]/.test(value)) return `'${value}'`;
  if (!/["\\$`\r]/.test(value)) return `"${value}"`;
  return `"${value.replace(/[\\"$\n\r]/g, (ch) => ESCAPES[ch]!)}"`;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', $: '\\$', '\n': '\\n', '\r': '\\r' };
