import { beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';

/**
 * What the runtime read and check answer to a request they refuse: the contract's status, code
 * and detail, in the order the parts are checked (the key, then the query, the path, the
 * headers). functions/runtime/app.ts checks them without zod, by the rules shared/schemas.ts
 * builds its schemas from; test/unit/runtime-request-rules.test.ts holds the two together.
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

const refused = (...issues: { loc: string[]; msg: string; type: string }[]) => ({
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
