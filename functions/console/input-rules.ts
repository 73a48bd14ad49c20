import { z } from 'zod';

/**
 * What a browser checks of a field before the form is sent: `required`, `pattern` and
 * `maxlength`, read from the shared zod schema the server checks the field with
 * (shared/schemas.ts), so the two never say different things. Refinements (a value's bytes,
 * a date in the future) have no HTML equivalent: the server alone checks them.
 */
export interface InputRules {
  required?: boolean | undefined;
  /** A regular expression the whole value must match (the browser anchors it). */
  pattern?: string | undefined;
  maxLength?: number | undefined;
}

interface StringRules {
  type?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  anyOf?: StringRules[];
}

/**
 * The rules of a text schema; of a nullable one, those of its text branch. A browser compiles
 * `pattern` with the `v` flag and ignores one that does not compile (a `-` unescaped in a
 * character class, say): such a pattern is refused here, loudly, rather than checked by no one.
 */
export function inputRules(schema: z.ZodType): InputRules {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as StringRules;
  const text = json.type === 'string' ? json : json.anyOf?.find((branch) => branch.type === 'string');
  if (!text) throw new Error('inputRules: the schema is not a text schema');
  if (text.pattern !== undefined) asBrowserPattern(text.pattern);
  return {
    required: (text.minLength ?? 0) > 0 || undefined,
    pattern: text.pattern,
    maxLength: text.maxLength,
  };
}

/** A `pattern` attribute as a browser compiles it: the whole value, `v` flag (HTML standard). */
export function asBrowserPattern(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`, 'v');
  } catch {
    throw new Error(`inputRules: a browser cannot compile the pattern ${pattern} (escape "-" in a character class)`);
  }
}
