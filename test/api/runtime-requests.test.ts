import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { ValidationIssue } from '../../shared/errors.js';
import { toValidationIssues } from '../../shared/http/validation.js';
import { RuntimeHeaders, RuntimeQuery } from '../../shared/schemas.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * What the runtime read and check answer to a request they refuse: the contract's status, code
 * and detail, in the order the parts are checked (the key, then the query, the path, the
 * headers). functions/runtime/app.ts checks them without zod, by the rules shared/schemas.ts
 * builds its schemas from (shared/rules.ts): its answers are those of the zod schemas
 * (test/unit/rules.test.ts compares the rules themselves).
 */
let svc: TestService;
let envId: string;
const V1 = '/api/v1';
const read = (path: string, headers: Record<string, string> = {}) =>
  svc.call('GET', `${V1}/environmentshub/${path}`, { key: svc.seed.serviceKey, headers });
const readWithoutKey = (path: string, headers: Record<string, string>) =>
  svc.call('GET', `${V1}/environmentshub/${path}`, { headers });

const BAD_FLAG = { msg: 'Invalid option: expected one of "true"|"false"', type: 'invalid_value' };
const JOB_ID_TOO_SHORT = { msg: 'Too small: expected string to have >=1 characters', type: 'too_small' };
const JOB_ID_TOO_LONG = { msg: 'must be at most 200 characters', type: 'too_big' };
const JOB_ID_NOT_PRINTABLE = { msg: 'must be printable ASCII without spaces', type: 'invalid_format' };

const refused = (...issues: ValidationIssue[]) => ({
  status: 422,
  body: { code: 'validation_error', detail: issues },
});
const answerOf = async (pending: ReturnType<typeof read>) => {
  const { status, body } = await pending;
  return { status, body };
};

beforeAll(async () => {
  svc = await startTestService();
  envId = svc.seed.environments.personal.id;
});

describe('the runtime read refuses what its rules refuse, in the contract’s words', () => {
  it('a query flag other than true or false, however it is written', async () => {
    for (const query of [
      'allowMissing=yes',
      'allowMissing=',
      'allowMissing=TRUE',
      'allowMissing=true&allowMissing=false',
    ]) {
      expect({ query, ...(await answerOf(read(`${envId}/runtime?${query}`))) }).toEqual({
        query,
        ...refused({ loc: ['query', 'allowMissing'], ...BAD_FLAG }),
      });
    }
  });

  it('an X-Job-Id that is empty, too long or not printable ASCII, every broken rule listed', async () => {
    const cases: [string, ReturnType<typeof refused>][] = [
      ['job 42', refused({ loc: ['header', 'x-job-id'], ...JOB_ID_NOT_PRINTABLE })],
      ['jöb', refused({ loc: ['header', 'x-job-id'], ...JOB_ID_NOT_PRINTABLE })],
      ['j'.repeat(201), refused({ loc: ['header', 'x-job-id'], ...JOB_ID_TOO_LONG })],
      [
        `${'j'.repeat(200)} k`,
        refused(
          { loc: ['header', 'x-job-id'], ...JOB_ID_TOO_LONG },
          { loc: ['header', 'x-job-id'], ...JOB_ID_NOT_PRINTABLE },
        ),
      ],
      [
        '',
        refused(
          { loc: ['header', 'x-job-id'], ...JOB_ID_TOO_SHORT },
          { loc: ['header', 'x-job-id'], ...JOB_ID_NOT_PRINTABLE },
        ),
      ],
    ];
    for (const [jobId, answer] of cases) {
      expect({ jobId, ...(await answerOf(read(`${envId}/runtime`, { 'x-job-id': jobId }))) }).toEqual({
        jobId,
        ...answer,
      });
    }
  });

  it('the query before the headers, and the key before either', async () => {
    const both = read(`${envId}/runtime/?allowMissing=1`, { 'x-job-id': 'job 42' });
    expect(await answerOf(both)).toEqual(refused({ loc: ['query', 'allowMissing'], ...BAD_FLAG }));
    const keyless = readWithoutKey(`${envId}/runtime?allowMissing=1`, { 'x-job-id': 'job 42' });
    expect(await answerOf(keyless)).toEqual({
      status: 401,
      body: { code: 'unauthorized', detail: 'Missing or invalid API key.' },
    });
  });

  it('an environment id it does not know: 404, on the read and the check', async () => {
    for (const path of ['nope/runtime', 'nope/runtime/check', `${encodeURIComponent('a b/c')}/runtime`]) {
      expect({ path, ...(await answerOf(read(path, { 'x-job-id': 'job-42' }))) }).toEqual({
        path,
        status: 404,
        body: { code: 'not_found', detail: 'Environment not found.' },
      });
    }
  });

  it('takes good ones; the check reads no flag and no job id', async () => {
    for (const query of ['', '?allowMissing=true', '?allowMissing=false']) {
      const { status } = await read(`${envId}/runtime${query}`, { 'x-job-id': '!'.repeat(200) });
      expect({ query, status }).toEqual({ query, status: 200 });
    }
    const check = await read(`${envId}/runtime/check?allowMissing=yes`, { 'x-job-id': 'job 42' });
    expect(check.status).toBe(200);
    expect(check.body.data).toHaveProperty('missing');
  });
});

/** What a route validating with `schema` (as every other route does, shared/http/resource-app.ts) answers for `input`. */
const zodAnswer = (schema: z.ZodType, target: string, input: unknown) => {
  const result = schema.safeParse(input);
  return result.success ? 200 : refused(...toValidationIssues(target, result.error));
};
const answerOrStatus = async (pending: ReturnType<typeof read>) => {
  const answer = await answerOf(pending);
  return answer.status === 200 ? 200 : answer;
};

describe('the runtime read answers as its zod schemas would (shared/schemas.ts)', () => {
  it('for any X-Job-Id a client can send', async () => {
    // What a header can carry: no NUL, CR or LF, nothing beyond Latin-1, no space at either end.
    const unit = fc.constantFrom('j', '-', '!', '~', ' ', '\t', '\u007f', 'ö');
    const jobId = fc.oneof(
      fc.string({ unit, minLength: 1, maxLength: 12 }),
      fc.tuple(fc.integer({ min: 198, max: 202 }), unit).map(([length, odd]) => `${'j'.repeat(length)}${odd}j`),
    );
    await fc.assert(
      fc.asyncProperty(
        jobId.filter((id) => id.trim() === id),
        async (id) => {
          const expected = zodAnswer(RuntimeHeaders, 'header', { 'x-job-id': id });
          expect({ id, answer: await answerOrStatus(read(`${envId}/runtime`, { 'x-job-id': id })) }).toEqual({
            id,
            answer: expected,
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('for any allowMissing query, given once or more', async () => {
    const given = fc.constantFrom('true', 'false', 'TRUE', '', '1', 'yes', 'tr ue');
    await fc.assert(
      fc.asyncProperty(fc.array(given, { maxLength: 3 }), async (values) => {
        const query = values.map((v) => `allowMissing=${encodeURIComponent(v)}`).join('&');
        // The app is handed a parameter given once as a text, more often as a list.
        const input = values.length === 0 ? {} : { allowMissing: values.length === 1 ? values[0] : values };
        expect({ query, answer: await answerOrStatus(read(`${envId}/runtime?${query}`)) }).toEqual({
          query,
          answer: zodAnswer(RuntimeQuery, 'query', input),
        });
      }),
      { numRuns: 40 },
    );
  });
});
