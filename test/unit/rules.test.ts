import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { toValidationIssues } from '../../shared/http/validation.js';
import { flagIssues, ID_RULE, JOB_ID_RULE, textIssues, type RuleIssue } from '../../shared/rules.js';
import { Id, RuntimeHeaders, RuntimeQuery } from '../../shared/schemas.js';

/**
 * shared/rules.ts checks, without zod, what the zod schemas built from the same rules check
 * (shared/schemas.ts): for any input, the same refusals, messages and codes in the same order.
 * The runtime read's app checks with the first (functions/runtime/app.ts), every other route
 * with the second; test/api/runtime-requests.test.ts compares the app's answers too.
 */
const zodIssues = (schema: z.ZodType, input: unknown): RuleIssue[] => {
  const result = schema.safeParse(input);
  return result.success
    ? []
    : toValidationIssues('x', result.error).map(({ msg, type }) => ({ msg, type }) as RuleIssue);
};

/** Texts around the rules' edges: printable ASCII, spaces, controls and beyond ASCII, up to past 200. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: fc.constantFrom('j', '!', '~', ' ', '\t', '\u007f', 'ö', '\u{1F600}'), maxLength: 20 }),
  fc.tuple(fc.integer({ min: 195, max: 205 }), fc.constantFrom('', ' ', 'ö'), fc.nat()).map(([length, odd, at]) => {
    const base = '!'.repeat(length);
    const i = at % (length + 1);
    return base.slice(0, i) + odd + base.slice(i);
  }),
);

describe('the rules without zod', () => {
  it('refuse a job id (X-Job-Id, a runtime token’s) as its zod schema does', () => {
    fc.assert(
      fc.property(text, (jobId) => {
        expect(textIssues(JOB_ID_RULE, jobId)).toEqual(zodIssues(RuntimeHeaders, { 'x-job-id': jobId }));
      }),
      { numRuns: 500 },
    );
  });

  it('refuse an id as its zod schema does', () => {
    fc.assert(
      fc.property(text, (id) => {
        expect(textIssues(ID_RULE, id)).toEqual(zodIssues(Id, id));
      }),
      { numRuns: 200 },
    );
    expect(textIssues(ID_RULE, '')).toEqual([
      { msg: 'Too small: expected string to have >=1 characters', type: 'too_small' },
    ]);
  });

  it('refuse a query flag, given once or more, as its zod schema does', () => {
    const given = fc.constantFrom('true', 'false', 'TRUE', '', '1', 'yes', ' true');
    fc.assert(
      fc.property(fc.oneof(fc.constant(undefined), given, fc.array(given, { minLength: 1, maxLength: 3 })), (flag) => {
        expect(flagIssues(flag)).toEqual(zodIssues(RuntimeQuery, { allowMissing: flag }));
      }),
      { numRuns: 200 },
    );
  });
});
