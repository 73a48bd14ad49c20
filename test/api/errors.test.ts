import { beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type CallOptions, type CallResult, type TestService } from '../support/service.js';
import { tableItems } from '../support/table.js';

/**
 * The API's errors (shared/errors.ts, shared/http/openapi.ts): each answers `{detail, code}` with its exact status and code, and a
 * refused request writes nothing (the whole table is compared before and after).
 */

const V1 = '/api/v1';
const NAME_MESSAGE = 'must start with an uppercase letter and contain only uppercase letters, digits and underscores';
const SCOPE_SENTENCE = 'Make sure the secret exists in the same scope (personal vs team) as the environment.';
const DIRECT_REMEDY = 'Rename or remove the existing direct secret first, then link the global secret.';
const VARIABLE_REMEDY = 'Rename or remove that environment variable before adding or linking the secret.';
/** Well formed, but no such thing. */
const UNKNOWN_ID = 'abcdefghijklmnopqrstuvwx';

let svc: TestService;
let key: string;
let personalEnv: string;
let teamEnv: string;
let teamA: string;
let teamB: string;
let teamBEnv: string;
let other: { id: string; key: string };
let viewer: { id: string; key: string };

async function call(method: string, path: string, options?: CallOptions): Promise<CallResult> {
  return svc.call(method, path, options);
}

/** Every item of the table (but request counts), in key order, as text: any write shows as a difference. */
async function snapshot(): Promise<string[]> {
  const items = await tableItems(svc.deps.db);
  return items.map((item) => `${item.pk}\u0000${item.sk}\u0000${JSON.stringify(item)}`).sort();
}

/** Runs the refused requests and checks the table holds exactly what it held before. */
async function writesNothing(run: () => Promise<void>): Promise<void> {
  const before = await snapshot();
  await run();
  const after = await snapshot();
  expect(after.length).toBe(before.length);
  expect(after).toEqual(before);
}

function expectError(res: CallResult, status: number, code: string): string {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(res.body).sort()).toEqual(['code', 'detail']);
  expect(res.body.code).toBe(code);
  expect(typeof res.body.detail).toBe('string');
  expect(res.body.detail.length).toBeGreaterThan(0);
  return res.body.detail;
}

/** A FastAPI-style 422 whose issues include one at `body.<field>`; returns that issue's messages. */
function expectValidation(res: CallResult, field: string): string[] {
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  expect(Object.keys(res.body).sort()).toEqual(['code', 'detail']);
  expect(res.body.code).toBe('validation_error');
  expect(Array.isArray(res.body.detail)).toBe(true);
  expect(res.body.detail.length).toBeGreaterThan(0);
  for (const issue of res.body.detail) {
    expect(Object.keys(issue).sort()).toEqual(['loc', 'msg', 'type']);
    expect(issue.loc[0]).toBe('body');
    expect(typeof issue.msg).toBe('string');
    expect(typeof issue.type).toBe('string');
  }
  const mine = res.body.detail.filter((i: any) => i.loc[1] === field);
  expect(mine.length, JSON.stringify(res.body.detail)).toBeGreaterThan(0);
  return mine.map((i: any) => i.msg);
}

const newUser = (slug: string) => svc.newUser(slug);

async function created(res: Promise<CallResult>): Promise<any> {
  const done = await res;
  expect(done.status, JSON.stringify(done.body)).toBe(201);
  return done.body.data;
}

const createSecret = (body: Record<string, unknown>, as = key) =>
  created(call('POST', `${V1}/secrets`, { key: as, body }));
const createEnvironment = (body: Record<string, unknown>, as = key) =>
  created(call('POST', `${V1}/environmentshub`, { key: as, body }));

beforeAll(async () => {
  svc = await startTestService();
  key = svc.seed.user.apiKey;
  personalEnv = svc.seed.environments.personal.id;
  teamEnv = svc.seed.environments.team.id;
  teamA = svc.seed.team.id;
  teamB = (await created(call('POST', `${V1}/teams`, { key, body: { name: 'Team B', slug: 'team-b' } }))).teamId;
  teamBEnv = (await createEnvironment({ name: 'b-env', teamId: teamB })).id;
  other = await newUser('other');
  viewer = await newUser('viewer');
  await created(call('POST', `${V1}/teams/${teamA}/members`, { key, body: { userId: viewer.id, role: 'viewer' } }));
  // Every owner gets its data key now, so a refused write below has nothing to create first.
  await createSecret({ name: 'WARM_PERSONAL', value: 'w' });
  await createSecret({ name: 'WARM_TEAM_A', value: 'w', teamId: teamA });
  await createSecret({ name: 'WARM_TEAM_B', value: 'w', teamId: teamB });
  await createSecret({ name: 'WARM_OTHER', value: 'w' }, other.key);
});

describe('401 unauthorized', () => {
  it('answers a missing, unknown or malformed key with 401', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', `${V1}/user/whoami`],
      ['GET', `${V1}/secrets/`],
      ['POST', `${V1}/secrets/`, { name: 'NO_AUTH', value: 'v' }],
      ['GET', `${V1}/environmentshub`],
      ['DELETE', `${V1}/environmentshub/${personalEnv}`],
      ['GET', `${V1}/environmentshub/${personalEnv}/runtime`],
      ['POST', `${V1}/environmentshub/${personalEnv}/variables`, { name: 'NO_AUTH', value: 'v' }],
      ['GET', `${V1}/audit`],
      ['POST', `${V1}/admin/users`, { email: 'x@example.com', name: 'x', slug: 'no-auth' }],
    ];
    const badHeaders: (Record<string, string> | undefined)[] = [
      undefined,
      { authorization: `Bearer prime_${'A'.repeat(43)}` },
      { authorization: 'Bearer not-a-key' },
      { authorization: `Basic ${Buffer.from('dev:pw').toString('base64')}` },
      { authorization: 'Bearer' },
      { authorization: key },
    ];
    await writesNothing(async () => {
      for (const [method, path, body] of routes) {
        for (const headers of badHeaders) {
          expectError(await call(method, path, { body, headers }), 401, 'unauthorized');
        }
      }
    });
  });

  it('answers a revoked key with 401 at once', async () => {
    const issued = await created(call('POST', `${V1}/user/api-keys`, { key, body: { name: 'short-lived' } }));
    expect((await call('GET', `${V1}/user/whoami`, { key: issued.key })).status).toBe(200);
    expect((await call('GET', `${V1}/secrets`, { key: issued.key })).status).toBe(200);
    const revoked = await call('DELETE', `${V1}/user/api-keys/${issued.id}`, { key });
    expect(revoked.status).toBe(200);
    await writesNothing(async () => {
      expectError(await call('GET', `${V1}/user/whoami`, { key: issued.key }), 401, 'unauthorized');
      expectError(await call('GET', `${V1}/secrets`, { key: issued.key }), 401, 'unauthorized');
      expectError(
        await call('POST', `${V1}/secrets`, { key: issued.key, body: { name: 'AFTER_REVOKE', value: 'v' } }),
        401,
        'unauthorized',
      );
      expectError(await call('DELETE', `${V1}/user/api-keys/${issued.id}`, { key: issued.key }), 401, 'unauthorized');
      // revoking twice finds nothing
      expectError(await call('DELETE', `${V1}/user/api-keys/${issued.id}`, { key }), 404, 'not_found');
    });
  });
});

describe('404 not_found', () => {
  it('answers unknown ids and unknown routes with 404', async () => {
    const env = `${V1}/environmentshub/${personalEnv}`;
    const cases: [string, string, unknown?, string?][] = [
      ['GET', `${V1}/secrets/${UNKNOWN_ID}`],
      ['PATCH', `${V1}/secrets/${UNKNOWN_ID}`, { description: 'x' }],
      ['DELETE', `${V1}/secrets/${UNKNOWN_ID}`],
      ['GET', `${V1}/secrets?teamId=${UNKNOWN_ID}`],
      ['POST', `${V1}/secrets`, { name: 'IN_NO_TEAM', value: 'v', teamId: UNKNOWN_ID }],
      ['GET', `${V1}/environmentshub/${UNKNOWN_ID}/secrets`],
      ['POST', `${V1}/environmentshub/${UNKNOWN_ID}/secrets`, { name: 'X', value: 'v' }],
      ['GET', `${V1}/environmentshub/${UNKNOWN_ID}/variables`],
      ['POST', `${V1}/environmentshub/${UNKNOWN_ID}/variables`, { name: 'X', value: 'v' }],
      ['DELETE', `${V1}/environmentshub/${UNKNOWN_ID}`],
      ['GET', `${V1}/environmentshub?teamId=${UNKNOWN_ID}`],
      ['POST', `${V1}/environmentshub`, { name: 'no-team', teamId: UNKNOWN_ID }],
      ['GET', `${V1}/environmentshub/dev/no-such-env/@latest`],
      ['GET', `${V1}/environmentshub/nobody/my-environment/@latest`],
      ['PATCH', `${env}/secrets/${UNKNOWN_ID}`, { value: 'v' }],
      ['DELETE', `${env}/secrets/${UNKNOWN_ID}`],
      ['PATCH', `${env}/variables/${UNKNOWN_ID}`, { value: 'v' }],
      ['DELETE', `${env}/variables/${UNKNOWN_ID}`],
      ['POST', `${env}/secrets/link/${UNKNOWN_ID}`, {}],
      ['DELETE', `${env}/secrets/link/${UNKNOWN_ID}`],
      ['GET', `${V1}/environmentshub/${UNKNOWN_ID}/runtime`, undefined, svc.seed.serviceKey],
      ['GET', `${V1}/teams/${UNKNOWN_ID}/members`],
      ['POST', `${V1}/teams/${UNKNOWN_ID}/members`, { userId: other.id, role: 'member' }],
      ['POST', `${V1}/teams/${teamA}/members`, { userId: UNKNOWN_ID, role: 'member' }],
      ['PATCH', `${V1}/teams/${teamA}/members/${UNKNOWN_ID}`, { role: 'member' }],
      ['DELETE', `${V1}/teams/${teamA}/members/${UNKNOWN_ID}`],
      ['DELETE', `${V1}/user/api-keys/${UNKNOWN_ID}`],
      ['GET', `${V1}/audit?teamId=${UNKNOWN_ID}`],
      ['GET', `${V1}/no-such-route`],
      ['GET', `${V1}/secrets/${UNKNOWN_ID}/extra/segments`],
      ['PUT', `${V1}/secrets/${UNKNOWN_ID}`, { description: 'x' }],
    ];
    await writesNothing(async () => {
      for (const [method, path, body, as] of cases) {
        expectError(await call(method, path, { key: as ?? key, body }), 404, 'not_found');
      }
    });
  });

  it("answers another user's things with 404, never revealing them", async () => {
    const secret = await createSecret({ name: 'MINE_ONLY', value: 'mine' });
    const teamSecret = await createSecret({ name: 'TEAM_ONLY', value: 'team', teamId: teamA });
    const variable = await created(
      call('POST', `${V1}/environmentshub/${personalEnv}/variables`, { key, body: { name: 'MY_VAR', value: 'v' } }),
    );
    const direct = await created(
      call('POST', `${V1}/environmentshub/${personalEnv}/secrets`, { key, body: { name: 'MY_DIRECT', value: 'd' } }),
    );
    const myKey = await created(call('POST', `${V1}/user/api-keys`, { key, body: { name: 'mine' } }));
    const otherEnv = await createEnvironment({ name: 'other-env' }, other.key);
    const otherSecret = (await call('GET', `${V1}/secrets`, { key: other.key })).body.data[0];
    const env = `${V1}/environmentshub/${personalEnv}`;
    const team = `${V1}/environmentshub/${teamEnv}`;
    const cases: [string, string, unknown?][] = [
      ['GET', `${V1}/secrets/${secret.id}`],
      ['PATCH', `${V1}/secrets/${secret.id}`, { value: 'stolen' }],
      ['DELETE', `${V1}/secrets/${secret.id}`],
      ['GET', `${V1}/secrets/${teamSecret.id}?teamId=${teamA}`],
      ['PATCH', `${V1}/secrets/${teamSecret.id}?teamId=${teamA}`, { description: 'x' }],
      ['DELETE', `${V1}/secrets/${teamSecret.id}?teamId=${teamA}`],
      ['GET', `${V1}/secrets?teamId=${teamA}`],
      ['POST', `${V1}/secrets`, { name: 'INTO_TEAM_A', value: 'v', teamId: teamA }],
      ['GET', `${env}/secrets`],
      ['POST', `${env}/secrets`, { name: 'PLANTED', value: 'v' }],
      ['PATCH', `${env}/secrets/${direct.id}`, { value: 'x' }],
      ['DELETE', `${env}/secrets/${direct.id}`],
      ['GET', `${env}/variables`],
      ['POST', `${env}/variables`, { name: 'PLANTED', value: 'v' }],
      ['PATCH', `${env}/variables/${variable.id}`, { value: 'x' }],
      ['DELETE', `${env}/variables/${variable.id}`],
      ['POST', `${env}/secrets/link/${otherSecret.id}`, {}],
      ['DELETE', `${env}/secrets/link/${secret.id}`],
      ['DELETE', env],
      ['GET', `${team}/secrets`],
      ['GET', `${team}/variables`],
      ['DELETE', team],
      ['GET', `${V1}/environmentshub/dev/my-environment/@latest`],
      ['GET', `${V1}/environmentshub/dev-team/team-environment/@latest`],
      ['GET', `${V1}/environmentshub?teamId=${teamA}`],
      ['POST', `${V1}/environmentshub`, { name: 'in-team-a', teamId: teamA }],
      ['GET', `${V1}/teams/${teamA}/members`],
      ['POST', `${V1}/teams/${teamA}/members`, { userId: other.id, role: 'admin' }],
      ['PATCH', `${V1}/teams/${teamA}/members/${svc.seed.user.id}`, { role: 'viewer' }],
      ['DELETE', `${V1}/teams/${teamA}/members/${svc.seed.user.id}`],
      ['DELETE', `${V1}/user/api-keys/${myKey.id}`],
      ['GET', `${V1}/audit?teamId=${teamA}`],
    ];
    await writesNothing(async () => {
      for (const [method, path, body] of cases) {
        const res = await call(method, path, { key: other.key, body });
        const detail = expectError(res, 404, 'not_found');
        expect(detail).not.toContain('mine');
      }
      // and the other way round: their environment is as invisible to us
      expectError(await call('GET', `${V1}/environmentshub/${otherEnv.id}/secrets`, { key }), 404, 'not_found');
      expectError(await call('GET', `${V1}/environmentshub/other/other-env/@latest`, { key }), 404, 'not_found');
      expectError(await call('GET', `${V1}/secrets/${otherSecret.id}`, { key }), 404, 'not_found');
    });
    // our key still works: it was not revoked by them
    expect((await call('GET', `${V1}/user/whoami`, { key: myKey.key })).status).toBe(200);
  });
});

describe('403 forbidden', () => {
  it('refuses a team viewer every write, and lets them read metadata and variables', async () => {
    const teamSecret = await createSecret({ name: 'VIEWED', value: 'v', teamId: teamA });
    const team = `${V1}/environmentshub/${teamEnv}`;
    const variable = await created(call('POST', `${team}/variables`, { key, body: { name: 'TEAM_VAR', value: 'tv' } }));
    const direct = await created(call('POST', `${team}/secrets`, { key, body: { name: 'TEAM_DIRECT', value: 'td' } }));

    const writes: [string, string, unknown?][] = [
      ['POST', `${V1}/secrets/`, { name: 'BY_VIEWER', value: 'v', teamId: teamA }],
      ['PATCH', `${V1}/secrets/${teamSecret.id}?teamId=${teamA}`, { value: 'changed' }],
      ['DELETE', `${V1}/secrets/${teamSecret.id}?teamId=${teamA}`],
      ['POST', `${V1}/environmentshub`, { name: 'by-viewer', teamId: teamA }],
      ['DELETE', team],
      ['POST', `${team}/secrets`, { name: 'BY_VIEWER', value: 'v' }],
      ['PATCH', `${team}/secrets/${direct.id}`, { value: 'changed' }],
      ['DELETE', `${team}/secrets/${direct.id}`],
      ['POST', `${team}/variables`, { name: 'BY_VIEWER', value: 'v' }],
      ['PATCH', `${team}/variables/${variable.id}`, { value: 'changed' }],
      ['DELETE', `${team}/variables/${variable.id}`],
      ['POST', `${team}/secrets/link/${teamSecret.id}`, {}],
      ['POST', `${V1}/teams/${teamA}/members`, { userId: other.id, role: 'viewer' }],
      ['PATCH', `${V1}/teams/${teamA}/members/${viewer.id}`, { role: 'admin' }],
      ['DELETE', `${V1}/teams/${teamA}/members/${svc.seed.user.id}`],
      ['GET', `${team}/runtime`],
      ['GET', `${V1}/audit?teamId=${teamA}`],
    ];
    await writesNothing(async () => {
      for (const [method, path, body] of writes) {
        expectError(await call(method, path, { key: viewer.key, body }), 403, 'forbidden');
      }
    });

    const secrets = await call('GET', `${V1}/secrets?teamId=${teamA}`, { key: viewer.key });
    expect(secrets.status).toBe(200);
    expect(secrets.body.data.map((s: any) => s.name)).toContain('VIEWED');
    const detail = await call('GET', `${V1}/secrets/${teamSecret.id}?teamId=${teamA}`, { key: viewer.key });
    expect(detail.status).toBe(200);
    const vars = await call('GET', `${team}/variables`, { key: viewer.key });
    expect(vars.status).toBe(200);
    expect(vars.body.data).toContainEqual(expect.objectContaining({ name: 'TEAM_VAR', value: 'tv' }));
    const envSecrets = await call('GET', `${team}/secrets`, { key: viewer.key });
    expect(envSecrets.status).toBe(200);
    expect(JSON.stringify(envSecrets.body)).not.toContain('"td"');
    const members = await call('GET', `${V1}/teams/${teamA}/members`, { key: viewer.key });
    expect(members.status).toBe(200);
  });

  it('refuses admin routes to a user key and user routes to the admin key', async () => {
    await writesNothing(async () => {
      expectError(
        await call('POST', `${V1}/admin/users`, { key, body: { email: 'y@example.com', name: 'y', slug: 'yy' } }),
        403,
        'forbidden',
      );
      expectError(
        await call('POST', `${V1}/admin/service-keys`, { key, body: { service: 'hosted-training', name: 'x' } }),
        403,
        'forbidden',
      );
      expectError(
        await call('POST', `${V1}/secrets`, { key: svc.seed.adminKey, body: { name: 'BY_ADMIN', value: 'v' } }),
        403,
        'forbidden',
      );
      expectError(
        await call('POST', `${V1}/secrets`, { key: svc.seed.serviceKey, body: { name: 'BY_SERVICE', value: 'v' } }),
        403,
        'forbidden',
      );
    });
  });
});

describe('409 conflicts', () => {
  it('name_taken says what holds the name and what to do', async () => {
    const env = await createEnvironment({ name: 'conflicts' });
    const path = `${V1}/environmentshub/${env.id}`;
    const direct = await created(call('POST', `${path}/secrets`, { key, body: { name: 'HELD_DIRECT', value: 'd' } }));
    const variable = await created(call('POST', `${path}/variables`, { key, body: { name: 'HELD_VAR', value: 'v' } }));
    const linked = await createSecret({ name: 'HELD_LINKED', value: 'l' });
    await created(call('POST', `${path}/secrets/link/${linked.id}`, { key, body: {} }));
    const globalDirect = await createSecret({ name: 'HELD_DIRECT', value: 'g' });
    const globalVar = await createSecret({ name: 'HELD_VAR', value: 'g' });
    const unrelated = await createSecret({ name: 'FREE_NAME', value: 'f' });
    const unlinkFirst = `unlink global secret HELD_LINKED (${linked.id}) first`;

    await writesNothing(async () => {
      // a direct secret holds it
      let detail = expectError(
        await call('POST', `${path}/secrets/link/${globalDirect.id}`, { key, body: {} }),
        409,
        'name_taken',
      );
      expect(detail).toContain(DIRECT_REMEDY);
      detail = expectError(
        await call('POST', `${path}/variables`, { key, body: { name: 'HELD_DIRECT', value: 'x' } }),
        409,
        'name_taken',
      );
      expect(detail).toContain(
        'Choose another name, or rename or remove the existing direct secret first, then add the variable.',
      );
      detail = expectError(
        await call('POST', `${path}/secrets`, { key, body: { name: 'HELD_DIRECT', value: 'x' } }),
        409,
        'name_taken',
      );
      expect(detail).toContain('Update that direct secret instead, or choose another name.');

      // a variable holds it
      detail = expectError(
        await call('POST', `${path}/secrets`, { key, body: { name: 'HELD_VAR', value: 'x' } }),
        409,
        'name_taken',
      );
      expect(detail).toContain(
        'Choose another name, or rename or remove that environment variable first, then add the direct secret.',
      );
      detail = expectError(
        await call('POST', `${path}/secrets/link/${globalVar.id}`, { key, body: {} }),
        409,
        'name_taken',
      );
      expect(detail).toContain(VARIABLE_REMEDY);
      detail = expectError(
        await call('PATCH', `${path}/secrets/${direct.id}`, { key, body: { name: 'HELD_VAR' } }),
        409,
        'name_taken',
      );
      expect(detail).toContain('Choose another name, or rename or remove that environment variable first.');

      // a linked secret holds it
      detail = expectError(
        await call('POST', `${path}/variables`, { key, body: { name: 'HELD_LINKED', value: 'x' } }),
        409,
        'name_taken',
      );
      expect(detail).toContain(`Choose another name, or ${unlinkFirst}, then add the variable.`);
      detail = expectError(
        await call('POST', `${path}/secrets`, { key, body: { name: 'HELD_LINKED', value: 'x' } }),
        409,
        'name_taken',
      );
      expect(detail).toContain(`Choose another name, or ${unlinkFirst}, then add the direct secret.`);
      detail = expectError(
        await call('PATCH', `${path}/variables/${variable.id}`, { key, body: { name: 'HELD_LINKED' } }),
        409,
        'name_taken',
      );
      expect(detail).toContain(`Choose another name, or ${unlinkFirst}.`);

      // a rename of a linked global secret onto a name taken in a linked environment names it
      detail = expectError(
        await call('PATCH', `${V1}/secrets/${linked.id}`, { key, body: { name: 'HELD_VAR' } }),
        409,
        'name_taken',
      );
      expect(detail).toContain('dev/conflicts');
      // a global name is unique per owner
      expectError(
        await call('POST', `${V1}/secrets/`, { key, body: { name: 'FREE_NAME', value: 'again' } }),
        409,
        'name_taken',
      );
      expectError(
        await call('PATCH', `${V1}/secrets/${unrelated.id}`, { key, body: { name: 'HELD_LINKED' } }),
        409,
        'name_taken',
      );
      // an environment name is unique per owner
      expectError(await call('POST', `${V1}/environmentshub`, { key, body: { name: 'conflicts' } }), 409, 'name_taken');
      // slugs of users and teams share one namespace
      expectError(await call('POST', `${V1}/teams`, { key, body: { name: 'Taken', slug: 'dev' } }), 409, 'slug_taken');
      expectError(
        await call('POST', `${V1}/admin/users`, {
          key: svc.seed.adminKey,
          body: { email: 'dt@example.com', name: 'dt', slug: 'dev-team' },
        }),
        409,
        'slug_taken',
      );
    });
    // the same global name in another scope is fine
    await createSecret({ name: 'FREE_NAME', value: 'team', teamId: teamA });
  });

  it('scope_mismatch for a secret of another scope', async () => {
    const personal = await createSecret({ name: 'PERSONAL_ONE', value: 'p' });
    const teamASecret = await createSecret({ name: 'TEAM_A_ONE', value: 'a', teamId: teamA });
    const otherSecret = await createSecret({ name: 'OTHERS_ONE', value: 'o' }, other.key);
    await writesNothing(async () => {
      const cases: [string, string][] = [
        [teamEnv, personal.id], // personal secret → team environment
        [teamBEnv, teamASecret.id], // team A's secret → team B's environment
        [personalEnv, teamASecret.id], // team secret → personal environment
        [personalEnv, otherSecret.id], // another user's secret
      ];
      for (const [env, secretId] of cases) {
        const detail = expectError(
          await call('POST', `${V1}/environmentshub/${env}/secrets/link/${secretId}`, { key, body: {} }),
          409,
          'scope_mismatch',
        );
        expect(detail).toContain(SCOPE_SENTENCE);
      }
    });
  });

  it('already_linked when linking twice', async () => {
    const secret = await createSecret({ name: 'TWICE', value: 't' });
    const path = `${V1}/environmentshub/${personalEnv}/secrets/link/${secret.id}`;
    await created(call('POST', path, { key, body: {} }));
    await writesNothing(async () => {
      const detail = expectError(await call('POST', path, { key, body: {} }), 409, 'already_linked');
      expect(detail).toContain(secret.id);
    });
  });

  it('is_linked for a linked secret on the direct-secret routes', async () => {
    const secret = await createSecret({ name: 'LINKED_HERE', value: 'l' });
    await created(call('POST', `${V1}/environmentshub/${personalEnv}/secrets/link/${secret.id}`, { key, body: {} }));
    const path = `${V1}/environmentshub/${personalEnv}/secrets/${secret.id}`;
    await writesNothing(async () => {
      let detail = expectError(await call('DELETE', path, { key }), 409, 'is_linked');
      expect(detail).toContain(`linked global secret LINKED_HERE (${secret.id})`);
      expect(detail.toLowerCase()).toContain('unlink');
      detail = expectError(await call('PATCH', path, { key, body: { value: 'overwrite' } }), 409, 'is_linked');
      expect(detail).toContain(secret.id);
      expectError(await call('PATCH', path, { key, body: { name: 'RENAMED_HERE' } }), 409, 'is_linked');
    });
    const list = await call('GET', `${V1}/environmentshub/${personalEnv}/secrets`, { key });
    expect(list.body.data).toContainEqual(expect.objectContaining({ id: secret.id, source: 'global-linked' }));
  });
});

describe('422 validation_error', () => {
  let envPath: string;
  let secretId: string;
  let fileSecretId: string;
  let directId: string;
  let variableId: string;

  beforeAll(async () => {
    const env = await createEnvironment({ name: 'validation' });
    envPath = `${V1}/environmentshub/${env.id}`;
    secretId = (await createSecret({ name: 'VALID_GLOBAL', value: 'v' })).id;
    fileSecretId = (await createSecret({ name: 'VALID_FILE', value: 'aGVsbG8=', isFile: true })).id;
    directId = (await created(call('POST', `${envPath}/secrets`, { key, body: { name: 'VALID_DIRECT', value: 'v' } })))
      .id;
    variableId = (await created(call('POST', `${envPath}/variables`, { key, body: { name: 'VALID_VAR', value: 'v' } })))
      .id;
  });

  /** Every create route of a name and a value, with `body` merged in. */
  const creates = (body: Record<string, unknown>): [string, string, Record<string, unknown>][] => [
    ['POST', `${V1}/secrets/`, { name: 'OK_NAME', value: 'v', ...body }],
    ['POST', `${envPath}/secrets`, { name: 'OK_NAME', value: 'v', ...body }],
    ['POST', `${envPath}/variables`, { name: 'OK_NAME', value: 'v', ...body }],
  ];
  const updates = (body: Record<string, unknown>): [string, string, Record<string, unknown>][] => [
    ['PATCH', `${V1}/secrets/${secretId}`, body],
    ['PATCH', `${envPath}/secrets/${directId}`, body],
    ['PATCH', `${envPath}/variables/${variableId}`, body],
  ];

  it('names must match the rule, with its exact message', async () => {
    await writesNothing(async () => {
      for (const name of ['', 'lower', '1ABC', '_ABC', 'A-B', 'A B', 'AbC', 'ÄB', 'A.B', 'A\u0000']) {
        for (const [method, path, body] of [...creates({ name }), ...updates({ name })]) {
          const msgs = expectValidation(await call(method, path, { key, body }), 'name');
          expect(msgs).toEqual(msgs.map(() => NAME_MESSAGE));
        }
      }
      for (const name of ['A'.repeat(256), 42, null]) {
        for (const [method, path, body] of [...creates({ name }), ...updates({ name })]) {
          expectValidation(await call(method, path, { key, body }), 'name');
        }
      }
      for (const [method, path, body] of creates({ name: undefined })) {
        expect(expectValidation(await call(method, path, { key, body }), 'name')).toEqual(['Field required']);
      }
    });
    const longest = 'A'.repeat(255);
    const ok = await call('POST', `${envPath}/variables`, { key, body: { name: longest, value: 'v' } });
    expect(ok.status).toBe(201);
    expect(ok.body.data.name).toBe(longest);
  });

  it('values: not empty, at most 65,536 bytes of UTF-8, no NUL', async () => {
    const bad = [
      '',
      'a'.repeat(65_537),
      'é'.repeat(32_769), // 65,538 bytes in 32,769 characters
      '€'.repeat(21_846), // 65,538 bytes
      'before\u0000after',
      '\u0000',
    ];
    await writesNothing(async () => {
      for (const value of bad) {
        for (const [method, path, body] of [...creates({ value }), ...updates({ value })]) {
          expectValidation(await call(method, path, { key, body }), 'value');
        }
      }
      for (const [method, path, body] of creates({ value: undefined })) {
        expectValidation(await call(method, path, { key, body }), 'value');
      }
    });

    // exactly 65,536 bytes is accepted, and comes back whole at runtime
    const ascii = 'a'.repeat(65_536);
    const multibyte = `${'€'.repeat(21_845)}x`; // 65,535 + 1 bytes
    const env = await createEnvironment({ name: 'limits' });
    const path = `${V1}/environmentshub/${env.id}`;
    await created(call('POST', `${path}/variables`, { key, body: { name: 'MAX_VAR', value: ascii } }));
    await created(call('POST', `${path}/secrets`, { key, body: { name: 'MAX_DIRECT', value: multibyte } }));
    const global = await createSecret({ name: 'MAX_GLOBAL', value: ascii });
    await created(call('POST', `${path}/secrets/link/${global.id}`, { key, body: {} }));
    expect((await call('PATCH', `${V1}/secrets/${global.id}`, { key, body: { value: multibyte } })).status).toBe(200);
    const runtime = await call('GET', `${path}/runtime`, { key: svc.seed.serviceKey });
    expect(runtime.status).toBe(200);
    expect(runtime.body.data.env.MAX_VAR).toBe(ascii);
    expect(runtime.body.data.env.MAX_DIRECT).toBe(multibyte);
    expect(runtime.body.data.env.MAX_GLOBAL).toBe(multibyte);
  });

  it('isFile values: base64 of at most 65,536 characters', async () => {
    await writesNothing(async () => {
      for (const value of ['not base64!', 'aGVsbG8', 'A'.repeat(65_540), '']) {
        for (const path of [`${V1}/secrets`, `${envPath}/secrets`]) {
          const body = { name: 'FILE_BAD', value, isFile: true };
          expectValidation(await call('POST', path, { key, body }), 'value');
        }
      }
      expectValidation(
        await call('PATCH', `${V1}/secrets/${fileSecretId}`, { key, body: { value: 'not base64!' } }),
        'value',
      );
    });
    const max = await call('POST', `${V1}/secrets`, {
      key,
      body: { name: 'FILE_MAX', value: 'A'.repeat(65_536), isFile: true },
    });
    expect(max.status).toBe(201);
  });

  it('descriptions: at most 500 characters', async () => {
    await writesNothing(async () => {
      const description = 'd'.repeat(501);
      for (const [method, path, body] of [...creates({ description }), ...updates({ description })]) {
        expectValidation(await call(method, path, { key, body }), 'description');
      }
    });
    const ok = await call('POST', `${envPath}/variables`, {
      key,
      body: { name: 'LONG_DESCRIPTION', value: 'v', description: 'd'.repeat(500) },
    });
    expect(ok.status).toBe(201);
  });

  it('environment names: the pattern, and no reserved name', async () => {
    const bad = [
      'Upper',
      '-dash',
      '.dot',
      '_under',
      '',
      'a b',
      'a/b',
      'a#b',
      'x'.repeat(101),
      'secrets',
      'variables',
      'runtime',
      'link',
    ];
    await writesNothing(async () => {
      for (const name of bad) {
        expectValidation(await call('POST', `${V1}/environmentshub`, { key, body: { name } }), 'name');
        expectValidation(await call('POST', `${V1}/environmentshub/`, { key, body: { name, teamId: teamA } }), 'name');
      }
      expectValidation(await call('POST', `${V1}/environmentshub`, { key, body: {} }), 'name');
    });
    expect((await call('POST', `${V1}/environmentshub`, { key, body: { name: 'x'.repeat(100) } })).status).toBe(201);
    expect((await call('POST', `${V1}/environmentshub`, { key, body: { name: 'secrets-2' } })).status).toBe(201);
  });

  it('slugs of teams and users', async () => {
    const bad = ['Upper', '-dash', 'a_b', 'a.b', '', 'x'.repeat(40), 'a b'];
    await writesNothing(async () => {
      for (const slug of bad) {
        expectValidation(await call('POST', `${V1}/teams`, { key, body: { name: 'Team', slug } }), 'slug');
        expectValidation(
          await call('POST', `${V1}/admin/users`, {
            key: svc.seed.adminKey,
            body: { email: 'slug@example.com', name: 'Slug', slug },
          }),
          'slug',
        );
      }
    });
    expect((await call('POST', `${V1}/teams`, { key, body: { name: 'Long', slug: 'x'.repeat(39) } })).status).toBe(201);
  });

  it('other bodies: roles, scopes, services, empty updates', async () => {
    await writesNothing(async () => {
      expectValidation(
        await call('POST', `${V1}/teams/${teamA}/members`, { key, body: { userId: other.id, role: 'owner' } }),
        'role',
      );
      expectValidation(
        await call('PATCH', `${V1}/teams/${teamA}/members/${viewer.id}`, { key, body: { role: 'root' } }),
        'role',
      );
      expectValidation(
        await call('POST', `${V1}/user/api-keys`, { key, body: { name: 'k', scopes: ['everything'] } }),
        'scopes',
      );
      expectValidation(
        await call('POST', `${V1}/admin/service-keys`, {
          key: svc.seed.adminKey,
          body: { service: 'mining', name: 'x' },
        }),
        'service',
      );
      for (const [method, path] of updates({})) {
        const res = await call(method, path, { key, body: {} });
        expect(res.status).toBe(422);
        expect(res.body.code).toBe('validation_error');
        expect(res.body.detail[0].loc[0]).toBe('body');
      }
    });
  });
});

describe('400, 413 and odd ids', () => {
  it('malformed JSON is 400 bad_request', async () => {
    const bodies = ['{"name": "X",', '{name: "X"}', 'not json', '{"name":"A","value":"v"}}'];
    const routes: [string, string][] = [
      ['POST', `${V1}/secrets/`],
      ['PATCH', `${V1}/secrets/${UNKNOWN_ID}`],
      ['POST', `${V1}/environmentshub`],
      ['POST', `${V1}/environmentshub/${personalEnv}/secrets`],
      ['POST', `${V1}/environmentshub/${personalEnv}/variables`],
      ['POST', `${V1}/teams`],
      ['POST', `${V1}/user/api-keys`],
    ];
    await writesNothing(async () => {
      for (const [method, path] of routes) {
        for (const rawBody of bodies) {
          expectError(await call(method, path, { key, rawBody }), 400, 'bad_request');
        }
      }
    });
  });

  it('a body over 256 KiB is 413 payload_too_large', async () => {
    const huge = JSON.stringify({ name: 'HUGE', value: 'x'.repeat(256 * 1024) });
    await writesNothing(async () => {
      for (const [method, path] of [
        ['POST', `${V1}/secrets/`],
        ['POST', `${V1}/environmentshub/${personalEnv}/variables`],
        ['PATCH', `${V1}/secrets/${UNKNOWN_ID}`],
      ] as const) {
        expect(expectError(await call(method, path, { key, rawBody: huge }), 413, 'payload_too_large')).toBe(
          'Request body is larger than 256 KiB.',
        );
        expectError(
          await call(method, path, { key, rawBody: huge, headers: { 'content-length': String(huge.length) } }),
          413,
          'payload_too_large',
        );
      }
    });
  });

  it('ids holding #, / or .. or too long answer 404 in the contract format, never a 500', async () => {
    const env = `${V1}/environmentshub/${personalEnv}`;
    const odd = [
      '%23',
      'abc%23def',
      `U%23${svc.seed.user.id}`,
      'SECRET%23x',
      'a%2Fb',
      '%2F',
      '..%2F..%2Fhealth',
      'a..b',
      '..%2F',
      'x'.repeat(65),
      'ABCDEFGHIJKLMNOPQRSTUVWX',
    ];
    const cases: [string, (id: string) => string, unknown?][] = [
      ['GET', (id) => `${V1}/secrets/${id}`],
      ['PATCH', (id) => `${V1}/secrets/${id}`, { description: 'x' }],
      ['DELETE', (id) => `${V1}/secrets/${id}`],
      ['GET', (id) => `${V1}/secrets?teamId=${id}`],
      ['GET', (id) => `${V1}/environmentshub/${id}/secrets`],
      ['POST', (id) => `${V1}/environmentshub/${id}/variables`, { name: 'ODD', value: 'v' }],
      ['DELETE', (id) => `${V1}/environmentshub/${id}`],
      ['GET', (id) => `${V1}/environmentshub/${id}/my-environment/@latest`],
      ['GET', (id) => `${V1}/environmentshub/dev/${id}/@latest`],
      ['PATCH', (id) => `${env}/secrets/${id}`, { value: 'x' }],
      ['DELETE', (id) => `${env}/variables/${id}`],
      ['POST', (id) => `${env}/secrets/link/${id}`, {}],
      ['DELETE', (id) => `${env}/secrets/link/${id}`],
      ['GET', (id) => `${V1}/teams/${id}/members`],
      ['DELETE', (id) => `${V1}/teams/${svc.seed.team.id}/members/${id}`],
      ['DELETE', (id) => `${V1}/user/api-keys/${id}`],
    ];
    await writesNothing(async () => {
      for (const [method, path, body] of cases) {
        for (const id of odd) {
          const res = await call(method, path(id), { key, body });
          const where = `${method} ${path(id)} → ${res.status} ${JSON.stringify(res.body)}`;
          // an id the service could not have made (odd characters, too long) names nothing
          expect(res.status, where).toBe(404);
          expectError(res, 404, 'not_found');
        }
        // a raw '#' starts the fragment: what reaches the service is the id before it
        expectError(await call(method, path('abc#def'), { key, body }), 404, 'not_found');
      }
      // a whole `..` segment (also as %2E%2E) is resolved by the URL parser before any routing:
      // `/secrets/..` is `/api/v1/`, which is no route
      for (const dots of ['..', '%2E%2E', '.%2e']) {
        for (const method of ['GET', 'PATCH', 'DELETE']) {
          const body = method === 'PATCH' ? { description: 'x' } : undefined;
          const res = await call(method, `${V1}/secrets/${dots}`, { key, body });
          expectError(res, 404, 'not_found');
        }
      }
      // the audit log's environment filter matches nothing with such an id
      for (const id of odd) {
        const filtered = await call('GET', `${V1}/audit?environmentId=${id}`, { key });
        expect(filtered.status).toBe(200);
        expect(filtered.body).toEqual({ data: [], cursor: null });
      }
      expectError(await call('GET', `${V1}/audit?cursor=..%2F..`, { key }), 400, 'bad_request');
      expectError(await call('GET', `${V1}/audit?cursor=%23`, { key }), 400, 'bad_request');
    });
  });
});
