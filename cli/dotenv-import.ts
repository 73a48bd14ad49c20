import { CliError } from './errors.js';
import { nameProblem } from './inputs.js';

/**
 * A `.env` file read for `prime … import`, with the syntax the npm `dotenv` package (16 and
 * later) reads: `NAME=value` (or `NAME: value`), an optional `export `, `#` comments on their own
 * line and after a value, single quotes and backticks taken literally, double quotes with escapes
 * and line breaks, CRLF line ends and a UTF-8 byte order mark.
 *
 * It is stricter than `dotenv` wherever `dotenv` guesses or drops something silently, and
 * refuses the whole file, naming the lines, before anything is sent:
 *
 * - a line that is no assignment (`dotenv` skips it), an unterminated quote (`dotenv` then takes
 *   the quote as part of the value), text after a closing quote;
 * - an unquoted value with a `#` not after a space (`A=b#c`: `dotenv` reads `b`, a shell and most
 *   other readers `b#c`): quote the value to say which;
 * - the same name twice (`dotenv` and shells keep the last; a reader that does not override what
 *   it already set keeps the first: the file says two things, so it is refused, naming both lines);
 * - a name the service refuses, an empty value, a NUL character, a value over 65,536 bytes.
 *
 * Double quotes take `\n`, `\r`, `\t`, `\"` and `\\` as escapes, as python-dotenv, godotenv,
 * docker compose and Ruby's dotenv do (the npm package decodes only `\n` and `\r`, and keeps the
 * backslash of `\"`); any other backslash is kept as written. No `$NAME` is expanded.
 */
export interface DotenvEntry {
  name: string;
  value: string;
  /** The line the entry starts on, from 1. */
  line: number;
}

const MAX_VALUE_BYTES = 65_536;
/** Problems listed in one error at most; the rest are counted. */
const MAX_PROBLEMS = 10;

/** Decodes `bytes` (strict UTF-8) and parses them; `source` names the file in errors. */
export async function parseDotenvImport(bytes: Uint8Array, source: string): Promise<DotenvEntry[]> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new CliError(`${source} is not UTF-8 text: nothing was imported.`);
  }
  const entries = scan(text, source);
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const { name, value, line } of entries) {
    const first = seen.get(name);
    if (first !== undefined) {
      problems.push(`line ${line}: ${name} is set again (first on line ${first}); keep one of them`);
      continue;
    }
    seen.set(name, line);
    const problem = await nameProblem('EntryName', name);
    if (problem !== undefined) problems.push(`line ${line}: invalid name '${name}': ${problem}`);
    else if (value === '') problems.push(`line ${line}: ${name} has an empty value (the service stores none)`);
    else if (value.includes('\u0000')) problems.push(`line ${line}: ${name}'s value holds a NUL character`);
    else if (Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES) {
      problems.push(`line ${line}: ${name}'s value is over ${MAX_VALUE_BYTES} bytes`);
    }
  }
  if (problems.length > 0) throw importRefused(source, problems);
  return entries;
}

function importRefused(source: string, problems: string[]): CliError {
  const shown = problems.slice(0, MAX_PROBLEMS);
  const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
  return new CliError(`${source}: ${shown.join('; ')}${more}. Nothing was imported.`);
}

const SPACE = /[ \t]/;
/** Wider than the rule, so that a wrong name is refused by the rule, by name. */
const KEY = /[^\s=:#'"`]+/y;

/** The entries of `text` in order; a structural error stops at its line. */
function scan(text: string, source: string): DotenvEntry[] {
  // As `dotenv` does: line ends (also inside quotes) become \n; the BOM is dropped by the decoder.
  const src = text.replace(/\r\n?/g, '\n');
  const entries: DotenvEntry[] = [];
  let i = 0;
  let line = 1;
  const fail = (at: number, why: string): never => {
    throw new CliError(`${source}: line ${at}: ${why}. Nothing was imported.`);
  };
  const skipSpaces = () => {
    while (i < src.length && SPACE.test(src[i]!)) i++;
  };
  /** After a value: spaces, then an optional comment, then the line's end. */
  const endOfLine = (what: string) => {
    skipSpaces();
    if (src[i] === '#') while (i < src.length && src[i] !== '\n') i++;
    if (i < src.length && src[i] !== '\n') fail(line, `unexpected text after ${what}`);
    i++;
    line++;
  };

  while (i < src.length) {
    skipSpaces();
    if (i >= src.length) break;
    if (src[i] === '\n' || src[i] === '#') {
      endOfLine('a comment');
      continue;
    }
    const start = line;
    if (/^export[ \t]/.test(src.slice(i, i + 7))) {
      i += 6;
      skipSpaces();
    }
    KEY.lastIndex = i;
    const key = KEY.exec(src)?.[0];
    if (!key) fail(start, 'expected NAME=value');
    i += key!.length;
    skipSpaces();
    if (src[i] === '=') i++;
    else if (src[i] === ':' && SPACE.test(src[i + 1] ?? '')) i++;
    else fail(start, `expected = after ${key}`);
    const valueStart = i;
    skipSpaces();
    const quote = src[i];
    let value: string;
    if (quote === "'" || quote === '"' || quote === '`') {
      value = quoted(quote, () => fail(start, `${key}: the ${quote} quote is never closed`));
      endOfLine(`the closing ${quote} quote`);
    } else {
      const lineEnd = src.indexOf('\n', i);
      const end = lineEnd === -1 ? src.length : lineEnd;
      const raw = src.slice(valueStart, end);
      const hash = raw.search(/(^|[^ \t])#/);
      if (hash !== -1) {
        fail(start, `${key}: an unquoted value with a # not after a space (readers disagree on it): quote the value`);
      }
      const comment = raw.search(/[ \t]#/);
      value = (comment === -1 ? raw : raw.slice(0, comment)).trim();
      i = end + 1;
      line++;
    }
    entries.push({ name: key!, value, line: start });
  }
  return entries;

  /** The value between quotes starting at src[i]; moves i past the closing one. */
  function quoted(quote: string, unterminated: () => never): string {
    i++;
    let value = '';
    for (;;) {
      if (i >= src.length) unterminated();
      const c = src[i]!;
      if (c === quote) {
        i++;
        return value;
      }
      if (c === '\n') line++;
      if (c === '\\' && i + 1 < src.length) {
        const next = src[i + 1]!;
        if (quote === '"') {
          const escaped = ESCAPES[next];
          value += escaped ?? `\\${next}`;
          if (escaped === undefined && next === '\n') line++;
          i += 2;
          continue;
        }
        // `dotenv`: in single quotes and backticks, \' (\`) does not close the value and stays as written.
        if (next === quote) {
          value += `\\${next}`;
          i += 2;
          continue;
        }
      }
      value += c;
      i++;
    }
  }
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
