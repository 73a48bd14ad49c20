/**
 * The service's limits, and the rules of the ids, job ids and flags a request carries in its
 * path, query and headers, as plain data without zod: shared/schemas.ts builds its zod schemas
 * from them, and `textIssues` / `flagIssues` check them where zod is not loaded (the runtime
 * read's function, whose cold start carries no zod: functions/runtime/app.ts). Each refusal
 * says what zod says for it, message and issue code alike: the contract's 422 is one whatever
 * checked the request.
 */
export const LIMITS = {
  nameLength: 255,
  valueBytes: 65_536,
  fileValueChars: 65_536,
  descriptionLength: 500,
  entriesPerEnvironment: 500,
  requirementsPerEnvironment: 500,
  /** A secret expiring within this many days is "expiring soon" in the runtime check. */
  expiringSoonDays: 7,
  globalSecretsPerOwner: 1_000,
  apiKeysPerUser: 50,
  runtimePayloadBytes: 5 * 1024 * 1024,
  bodyBytes: 256 * 1024,
  /** Versions kept of each value: a change drops the one this many below it. */
  versionsKept: 20,
  listDefault: 100,
  listMax: 500,
  /** A runtime token's life: one hour unless asked, one day at most. */
  runtimeTokenTtlDefaultSeconds: 3_600,
  runtimeTokenTtlMaxSeconds: 86_400,
} as const;

/** A text's rule: its length in UTF-16 units (as `String.length`), then a pattern, each with its refusal's message. */
export interface TextRule {
  min: { length: number; message: string };
  max?: { length: number; message: string };
  pattern?: { regex: RegExp; message: string };
}

/** zod's own words for an empty text, which the contract has always answered. */
const EMPTY = 'Too small: expected string to have >=1 characters';

/** Any id a client passes; one the service did not make simply finds nothing (404). */
export const ID_RULE: TextRule = { min: { length: 1, message: EMPTY } };

/** A hosted service's job id, recorded in audit events: `X-Job-Id` of a runtime read, or a runtime token's. */
export const JOB_ID_RULE: TextRule = {
  min: { length: 1, message: EMPTY },
  max: { length: 200, message: 'must be at most 200 characters' },
  pattern: { regex: /^[\x21-\x7e]+$/, message: 'must be printable ASCII without spaces' },
};

/** A query flag: written `true` or `false`. */
export const FLAG = {
  values: ['true', 'false'],
  message: 'Invalid option: expected one of "true"|"false"',
} as const;

/** A refusal by one of these rules: its message and the code zod gives it (the contract's `msg` and `type`). */
export interface RuleIssue {
  msg: string;
  type: 'too_small' | 'too_big' | 'invalid_format' | 'invalid_value';
}

/** What `rule` refuses of `text`: every broken part, in the rule's order, as zod lists them. */
export function textIssues(rule: TextRule, text: string): RuleIssue[] {
  const issues: RuleIssue[] = [];
  if (text.length < rule.min.length) issues.push({ msg: rule.min.message, type: 'too_small' });
  if (rule.max && text.length > rule.max.length) issues.push({ msg: rule.max.message, type: 'too_big' });
  if (rule.pattern && !rule.pattern.regex.test(text))
    issues.push({ msg: rule.pattern.message, type: 'invalid_format' });
  return issues;
}

/** What the flag rule refuses of a query parameter given once (a text) or more (a list); absent is false. */
export function flagIssues(given: string | string[] | undefined): RuleIssue[] {
  return given === undefined || (FLAG.values as readonly unknown[]).includes(given)
    ? []
    : [{ msg: FLAG.message, type: 'invalid_value' }];
}
