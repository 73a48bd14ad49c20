/**
 * A dotenv reader for the tests, with the rules of the original dotenv (Ruby), godotenv and
 * docker compose: `KEY=value` lines, `#` comments, an optional `export `; single quotes are
 * literal (newlines included); double quotes take backslash escapes (`\n`, `\r`, `\t`; any
 * other escaped character is itself) and expand `$NAME` and `${NAME}` unless the `$` is
 * escaped; unquoted values end at a ` #` comment or the line's end and are expanded too.
 * Expansion is what makes an unescaped `$` in a written file show up as a changed value.
 */
export function parseDotenv(text: string, env: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const lookup = (name: string) => out[name] ?? env[name] ?? '';
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`dotenv: ${why} at offset ${i}`);
  };
  const skipToLineEnd = () => {
    while (i < text.length && text[i] !== '\n') {
      if (text[i] === '#') {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (text[i] === ' ' || text[i] === '\t' || text[i] === '\r') i++;
      else fail(`unexpected ${JSON.stringify(text[i])} after a value`);
    }
    i++;
  };
  const expandAt = (): string => {
    // text[i] is an unescaped `$`
    const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(text.slice(i));
    const bare = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i));
    const match = braced ?? bare;
    if (!match) {
      i++;
      return '$';
    }
    i += match[0].length;
    return lookup(match[1]!);
  };

  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n' || ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '#') {
      skipToLineEnd();
      continue;
    }
    if (text.startsWith('export ', i)) i += 'export '.length;
    const key = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i))?.[0] ?? fail('expected a key');
    i += key.length;
    if (text[i] !== '=') fail('expected =');
    i++;
    let value = '';
    if (text[i] === "'") {
      const end = text.indexOf("'", i + 1);
      if (end === -1) fail('unterminated single quote');
      value = text.slice(i + 1, end);
      i = end + 1;
    } else if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) fail('unterminated double quote');
        const c = text[i]!;
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\') {
          const next = text[i + 1] ?? fail('dangling backslash');
          value += next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : next;
          i += 2;
        } else if (c === '$') value += expandAt();
        else {
          value += c;
          i++;
        }
      }
    } else {
      let raw = '';
      while (i < text.length && text[i] !== '\n' && !(text[i] === '#' && /\s/.test(text[i - 1] ?? ' '))) {
        if (text[i] === '$') raw += expandAt();
        else raw += text[i++];
      }
      value = raw.trim();
    }
    out[key] = value;
    skipToLineEnd();
  }
  return out;
}
