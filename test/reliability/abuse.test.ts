import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { serve } from '@hono/node-server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../shared/config.js';
import { NAME_MESSAGE } from '../../shared/schemas.js';
import { LIMITS } from '../../shared/rules.js';
import { mapLimit } from '../../shared/map-limit.js';
import { createLocalApp } from '../../infra/local/server.js';
import { startTestService, UNLIMITED, type CallResult, type TestService, testDeps } from '../support/service.js';
import { tableItems } from '../support/table.js';

/**
 * Hostile input at the edges: ids and names that look like, or smuggle a separator into,
 * another record's key; oversized headers and bodies, through the app and over real HTTP;
 * and how long a revoked key lives on in another instance's cache.
 */

const V1 = '/api/v1';
/** Requests an attack test keeps in flight: enough to be quick, few enough to answer within the deadline on a busy machine. */
const ATTACKS_IN_FLIGHT = 16;

let svc: TestService;
let key: string;

/** Every item of the table (but request counts), in key order, as text: any write shows as a difference. */
async function snapshot(of: TestService = svc): Promise<string[]> {
  const items = await tableItems(of.deps.db);
  return items.map((item) => `${item.pk}\u0000${item.sk}\u0000${JSON.stringify(item)}`).sort();
}

async function created(res: Promise<CallResult>): Promise<any> {
  const done = await res;
  expect(done.status, JSON.stringify(done.body)).toBe(201);
  return done.body.data;
}

function expectError(res: CallResult, status: number, code: string, where: string): void {
  expect({ where, status: res.status, body: res.body }).toEqual({
    where,
    status,
    body: { detail: status === 422 ? expect.any(Array) : expect.any(String), code },
  });
}

beforeAll(async () => {
  svc = await startTestService();
  key = svc.seed.user.apiKey;
});

// ---- key space ----

describe('ids and names cannot reach another record’s key space', () => {
  const ORIGINAL = 'OPENAI_KEY';
  /** Names that look like OPENAI_KEY, or carry a key separator, a path or an encoding. */
  const LOOK_ALIKE_NAMES = [
    'OPENAI_\u039AEY', // Greek capital Kappa
    'OPENAI_\u041AEY', // Cyrillic capital Ka
    'OPEN\u0410I_KEY', // Cyrillic А
    '\uFF2FPENAI_KEY', // fullwidth Ｏ
    '\uFF2F\uFF30\uFF25\uFF2E\uFF21\uFF29\uFF3F\uFF2B\uFF25\uFF39', // all fullwidth
    'OPENAI_KEY\u200D', // zero-width joiner
    'OPENAI\u200D_KEY',
    '\u200BOPENAI_KEY', // zero-width space
    'OPENAI_KEY\u0301', // combining accent
    'OPENAI_KEY#',
    'OPENAI_KEY#X',
    'ENTRY#OPENAI_KEY',
    'SECRETNAME#OPENAI_KEY',
    'OPENAI/KEY',
    'OPENAI%2FKEY',
    '..',
    '../OPENAI_KEY',
    'OPENAI_KEY ',
    'openai_key',
    'OPENAI_KEY\u0000',
  ];

  /** Ways to write something that is almost `id`. */
  function lookAlikes(id: string): string[] {
    const cyrillic = id.replace(/[aeopcx]/, (c) => ({ a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', x: 'х' })[c]!);
    const fullwidth = [...id].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('');
    return [
      id.toUpperCase(),
      cyrillic === id ? `${id.slice(0, -1)}\u0430` : cyrillic,
      fullwidth,
      `${id}\u200D`,
      `\u200B${id}`,
      `${id}\u0301`,
      `${id.slice(0, -1)}${id.at(-1) === '2' ? '3' : '2'}`,
      `${id}%23`,
      `${id}%23META`,
      `ENV%23${id}`,
      `${id}%2F..`,
      `..%2F${id}`,
      `${id}%2Fsecrets`,
      `${id}.`,
      `${id}%00`,
      `${id} `,
      `${id}${id}`,
    ].map((v) => encodeURI(v).replace(/%25/g, '%'));
  }

  let personalEnv: string;
  let teamEnv: string;
  let teamId: string;
  let direct: { id: string };
  let variable: { id: string };
  let personalGlobal: { id: string };
  let teamGlobal: { id: string };
  let other: { id: string; key: string; envId: string; secretId: string };
  let revocableKeyId: string;
  const VALUES = ['p-direct-value', 't-variable-value', 'p-global-value', 't-global-value', 'o-secret-value'];

  beforeAll(async () => {
    personalEnv = svc.seed.environments.personal.id;
    teamEnv = svc.seed.environments.team.id;
    teamId = svc.seed.team.id;
    const env = (id: string) => `${V1}/environmentshub/${id}`;
    direct = await created(
      svc.call('POST', `${env(personalEnv)}/secrets`, { key, body: { name: ORIGINAL, value: VALUES[0] } }),
    );
    variable = await created(
      svc.call('POST', `${env(teamEnv)}/variables`, { key, body: { name: ORIGINAL, value: VALUES[1] } }),
    );
    personalGlobal = await created(
      svc.call('POST', `${V1}/secrets`, { key, body: { name: ORIGINAL, value: VALUES[2] } }),
    );
    teamGlobal = await created(
      svc.call('POST', `${V1}/secrets`, { key, body: { name: ORIGINAL, value: VALUES[3], teamId } }),
    );
    const user = await created(
      svc.call('POST', `${V1}/admin/users`, {
        key: svc.seed.adminKey,
        body: { email: 'mallory@example.com', name: 'Mallory', slug: 'mallory' },
      }),
    );
    const otherEnv = await created(
      svc.call('POST', `${V1}/environmentshub`, { key: user.apiKey, body: { name: 'my-environment' } }),
    );
    const otherSecret = await created(
      svc.call('POST', `${V1}/environmentshub/${otherEnv.id}/secrets`, {
        key: user.apiKey,
        body: { name: ORIGINAL, value: VALUES[4] },
      }),
    );
    other = { id: user.user.id, key: user.apiKey, envId: otherEnv.id, secretId: otherSecret.id };
    revocableKeyId = (await created(svc.call('POST', `${V1}/user/api-keys`, { key, body: { name: 'spare' } }))).id;
  });

  /** The refusal must not carry any of the real records' values. */
  function expectNoValue(res: CallResult, where: string): void {
    const text = JSON.stringify(res.body);
    for (const value of VALUES) expect(text, where).not.toContain(value);
  }

  it('look-alike names are refused with the name rule on every route that takes a name, and nothing is written', async () => {
    const before = await snapshot();
    const env = (id: string) => `${V1}/environmentshub/${id}`;
    for (const name of LOOK_ALIKE_NAMES) {
      const requests: [string, string, Record<string, unknown>][] = [
        ['POST', `${env(personalEnv)}/secrets`, { name, value: 'x' }],
        ['POST', `${env(teamEnv)}/secrets`, { name, value: 'x' }],
        ['POST', `${env(teamEnv)}/variables`, { name, value: 'x' }],
        ['POST', `${V1}/secrets`, { name, value: 'x' }],
        ['POST', `${V1}/secrets`, { name, value: 'x', teamId }],
        ['PATCH', `${env(personalEnv)}/secrets/${direct.id}`, { name }],
        ['PATCH', `${env(teamEnv)}/variables/${variable.id}`, { name }],
        ['PATCH', `${V1}/secrets/${personalGlobal.id}`, { name }],
        ['PATCH', `${V1}/secrets/${teamGlobal.id}?teamId=${teamId}`, { name }],
      ];
      for (const [method, path, body] of requests) {
        const res = await svc.call(method, path, { key, body });
        const where = `${method} ${path} name=${JSON.stringify(name)}`;
        expectError(res, 422, 'validation_error', where);
        expect(res.body.detail, where).toContainEqual(
          expect.objectContaining({ loc: ['body', 'name'], msg: NAME_MESSAGE }),
        );
        expectNoValue(res, where);
      }
    }
    // environment names, slugs of teams and users: their own rules, the same refusal
    for (const name of [
      'my-environment\u200D',
      'my-environment#',
      'my-environment%2F',
      '..',
      'my-environment/..',
      'мy-environment',
      'ＭＹ',
    ]) {
      expectError(
        await svc.call('POST', `${V1}/environmentshub`, { key, body: { name } }),
        422,
        'validation_error',
        `environment ${name}`,
      );
    }
    for (const slug of ['dеv', 'ｄｅｖ', 'dev\u200D', 'dev#', 'dev/x', 'DEV', 'dev-team\u200D', '..']) {
      expectError(
        await svc.call('POST', `${V1}/teams`, { key, body: { name: 'Look-alike', slug } }),
        422,
        'validation_error',
        `team ${slug}`,
      );
      expectError(
        await svc.call('POST', `${V1}/admin/users`, {
          key: svc.seed.adminKey,
          body: { email: 'x@example.com', name: 'Look-alike', slug },
        }),
        422,
        'validation_error',
        `user ${slug}`,
      );
    }
    expect(await snapshot()).toEqual(before);
  });

  it('look-alike ids are 404 on every route that takes an id, for every caller, and nothing is written', async () => {
    const before = await snapshot();
    const env = (id: string) => `${V1}/environmentshub/${id}`;
    const service = svc.seed.serviceKey;
    const runtimeKey = svc.seed.user.runtimeKey;
    /** [who, method, path, body?] for one look-alike id `v` of each kind of record. */
    type Attack = [who: string, method: string, path: string, body?: unknown];
    const attacks = (kind: 'env' | 'entry' | 'global' | 'team' | 'user' | 'key', v: string): Attack[] => {
      switch (kind) {
        case 'env':
          return [
            [key, 'GET', `${env(v)}/secrets`],
            [key, 'GET', `${env(v)}/variables`],
            [key, 'POST', `${env(v)}/variables`, { name: 'NEW_ONE', value: 'x' }],
            [key, 'POST', `${env(v)}/secrets`, { name: 'NEW_ONE', value: 'x' }],
            [key, 'POST', `${env(v)}/secrets/link/${personalGlobal.id}`, {}],
            [key, 'DELETE', env(v)],
            [service, 'GET', `${env(v)}/runtime`],
            [runtimeKey, 'GET', `${env(v)}/runtime`],
            [other.key, 'GET', `${env(v)}/variables`],
          ];
        case 'entry':
          return [
            [key, 'PATCH', `${env(personalEnv)}/secrets/${v}`, { value: 'overwritten' }],
            [key, 'DELETE', `${env(personalEnv)}/secrets/${v}`],
            [key, 'PATCH', `${env(teamEnv)}/variables/${v}`, { value: 'overwritten' }],
            [key, 'DELETE', `${env(teamEnv)}/variables/${v}`],
            [other.key, 'PATCH', `${env(other.envId)}/secrets/${v}`, { value: 'overwritten' }],
          ];
        case 'global':
          return [
            [key, 'GET', `${V1}/secrets/${v}`],
            [key, 'PATCH', `${V1}/secrets/${v}`, { value: 'overwritten' }],
            [key, 'DELETE', `${V1}/secrets/${v}?teamId=${teamId}`],
            [key, 'POST', `${env(teamEnv)}/secrets/link/${v}`, {}],
            [key, 'DELETE', `${env(teamEnv)}/secrets/link/${v}`],
            [other.key, 'GET', `${V1}/secrets/${v}`],
          ];
        case 'team':
          return [
            [key, 'GET', `${V1}/secrets?teamId=${v}`],
            [key, 'POST', `${V1}/secrets`, { name: 'NEW_ONE', value: 'x', teamId: decodeURI(v) }],
            [key, 'POST', `${V1}/environmentshub`, { name: 'new-one', teamId: decodeURI(v) }],
            [key, 'GET', `${V1}/environmentshub?teamId=${v}`],
            [key, 'GET', `${V1}/teams/${v}/members`],
            [key, 'POST', `${V1}/teams/${v}/members`, { userId: other.id, role: 'admin' }],
            [key, 'GET', `${V1}/audit?teamId=${v}`],
            [other.key, 'GET', `${V1}/teams/${v}/members`],
          ];
        case 'user':
          return [
            [key, 'POST', `${V1}/teams/${teamId}/members`, { userId: decodeURI(v), role: 'admin' }],
            [key, 'PATCH', `${V1}/teams/${teamId}/members/${v}`, { role: 'viewer' }],
            [key, 'DELETE', `${V1}/teams/${teamId}/members/${v}`],
          ];
        case 'key':
          return [[key, 'DELETE', `${V1}/user/api-keys/${v}`]];
      }
    };
    const targets = [
      ['env', personalEnv],
      ['env', teamEnv],
      ['env', other.envId],
      ['entry', direct.id],
      ['entry', variable.id],
      ['entry', other.secretId],
      ['global', personalGlobal.id],
      ['global', teamGlobal.id],
      ['team', teamId],
      ['user', svc.seed.user.id],
      ['key', revocableKeyId],
    ] as const;
    let checked = 0;
    for (const [kind, id] of targets) {
      // the attacks on one record, several at a time (they only read, or are refused), but not
      // hundreds at once: on a loaded machine those would outlast the request deadline (503)
      const requests = lookAlikes(id)
        .flatMap((v) => attacks(kind, v))
        .filter(([, , path]) => URL.canParse(path, 'http://localhost'));
      const responses = await mapLimit(requests, ATTACKS_IN_FLIGHT, ([who, method, path, body]) =>
        svc.call(method, path, { key: who, body }),
      );
      for (const [i, [, method, path, body]] of requests.entries()) {
        const res = responses[i]!;
        const where = `${method} ${path} ${JSON.stringify(body ?? '')}`;
        // in a body, the id is checked after the schema; in a path, before anything else
        expect([404, 422], where).toContain(res.status);
        expectError(res, res.status, res.status === 404 ? 'not_found' : 'validation_error', where);
        // nothing of the real record comes back (an unknown path's 404 echoes the caller's own path)
        if (!String(res.body.detail).startsWith('No route for'))
          expect(JSON.stringify(res.body), where).not.toContain(id);
        expectNoValue(res, where);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
    // an audit filter on a look-alike environment finds nothing, and a forged cursor is refused
    for (const v of lookAlikes(personalEnv)) {
      const res = await svc.call('GET', `${V1}/audit?environmentId=${v}`, { key });
      expect(res.status, v).toBe(200);
      expect(res.body.data, v).toEqual([]);
    }
    for (const forged of [
      `AUDIT#U#${svc.seed.user.id}#0`,
      `ENV#${personalEnv}`,
      `${new Date().toISOString()}#${'A'.repeat(24)}`,
    ]) {
      const cursor = Buffer.from(forged).toString('base64url');
      expectError(await svc.call('GET', `${V1}/audit?cursor=${cursor}`, { key }), 400, 'bad_request', forged);
    }
    // owner slugs and environment names that look like real ones find nothing
    for (const owner of [
      'DEV',
      'dеv',
      'ｄｅｖ',
      'dev%E2%80%8D',
      'dev%23',
      'SLUG%23dev',
      'dev%2F..',
      'mallory%2F..%2Fdev',
    ]) {
      for (const name of ['my-environment', 'my-environment%E2%80%8D', 'my-envіronment', 'MY-ENVIRONMENT']) {
        const path = `${V1}/environmentshub/${encodeURI(owner).replace(/%25/g, '%')}/${encodeURI(name).replace(/%25/g, '%')}/@latest`;
        expectError(await svc.call('GET', path, { key }), 404, 'not_found', path);
      }
    }
    expect(await snapshot()).toEqual(before);
    // and the originals are untouched and still theirs
    const runtime = await svc.call('GET', `${env(personalEnv)}/runtime`, { key: svc.seed.serviceKey });
    expect(runtime.body.data.env).toMatchObject({ [ORIGINAL]: VALUES[0] });
    const otherRuntime = await svc.call('GET', `${env(other.envId)}/runtime`, { key: svc.seed.serviceKey });
    expect(otherRuntime.body.data.env).toEqual({ [ORIGINAL]: VALUES[4] });
  });

  it('every key in the table is one the key builders make: no separator, path or look-alike got in', async () => {
    const ID = '[a-z2-7]{24}';
    const OWNER = `[UT]#${ID}`;
    const NAME = '[A-Z][A-Z0-9_]{0,254}';
    const AT = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
    const SHAPES: [RegExp, RegExp][] = [
      [/^KEY#[0-9a-f]{64}$/, /^KEY$/],
      [new RegExp(`^USER#${ID}$`), new RegExp(`^(PROFILE|APIKEY#${ID})$`)],
      [new RegExp(`^TEAM#${ID}$`), new RegExp(`^(PROFILE|MEMBER#${ID})$`)],
      [/^SLUG#[a-z0-9][a-z0-9-]{0,38}$/, /^SLUG$/],
      [new RegExp(`^SECRETID#${ID}$`), /^SECRETID$/],
      [new RegExp(`^ENV#${ID}$`), new RegExp(`^(#REV|META|ENTRY#${NAME}|VALUE#${ID})$`)],
      [
        new RegExp(`^OWNER#${OWNER}$`),
        new RegExp(
          `^(#REV|ENVNAME#[a-z0-9][a-z0-9._-]{0,99}|SECRET#${ID}|SECRETNAME#${NAME}|SLINK#${ID}#${ID}|TRASH#${ID}|DEK#\\d{6}|COUNTS|RESEAL)$`,
        ),
      ],
      [new RegExp(`^HIST#${ID}$`), /^V#\d{6}$/],
      [new RegExp(`^TRASH#${ID}$`), new RegExp(`^${ID}$`)],
      [new RegExp(`^AUDIT#(${OWNER}|PLATFORM)#\\d+$`), new RegExp(`^${AT}#${ID}$`)],
      [new RegExp(`^AUDITVERSIONS#(${OWNER}|PLATFORM)#[A-Za-z0-9_-]{43}$`), /^SET$/],
      [/^SERVICE#(environment-actions|hosted-evaluations|hosted-training)$/, new RegExp(`^KEY#${ID}$`)],
      [/^ADMIN$/, new RegExp(`^KEY#${ID}$`)],
      [/^SESSION#[0-9a-f]{64}$/, /^SESSION$/],
      [new RegExp(`^RATE#(user|key)#${ID}$`), /^W#\d+$/],
    ];
    const INDEX: [RegExp, RegExp][] = [
      [new RegExp(`^USER#${ID}$`), new RegExp(`^TEAM#${ID}$`)],
      [new RegExp(`^GLINK#${ID}$`), new RegExp(`^ENV#${ID}$`)],
      [new RegExp(`^GSECRET#${ID}$`), /^SECRET$/],
      [new RegExp(`^ENTRYID#${ID}$`), new RegExp(`^${ID}$`)],
      [new RegExp(`^AUDITENV#${OWNER}#${ID}#\\d+$`), new RegExp(`^${AT}#${ID}$`)],
      [/^USERS$/, new RegExp(`^${AT}#${ID}$`)],
    ];
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await svc.deps.db.doc.send(
        new ScanCommand({ TableName: svc.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
      );
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    expect(items.length).toBeGreaterThan(20);
    const odd = items
      .filter((item) => !SHAPES.some(([pk, sk]) => pk.test(String(item.pk)) && sk.test(String(item.sk))))
      .map((item) => `${item.pk} / ${item.sk}`);
    expect(odd).toEqual([]);
    const oddIndex = items
      .filter((item) => item.gsi1pk !== undefined)
      .filter((item) => !INDEX.some(([pk, sk]) => pk.test(String(item.gsi1pk)) && sk.test(String(item.gsi1sk))))
      .map((item) => `${item.gsi1pk} / ${item.gsi1sk}`);
    expect(oddIndex).toEqual([]);
  });
});

// ---- oversized headers and bodies ----

interface RawResponse {
  status?: number;
  body?: string;
  /** The transport refused: the connection was closed or reset. */
  error?: string;
}

/** One HTTP/1.1 request with exactly these headers, and a body sent whole or chunked. */
function rawRequest(
  port: number,
  options: { method?: string; path: string; headers?: OutgoingHttpHeaders; body?: Buffer; chunked?: boolean },
): Promise<RawResponse> {
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => resolve({ status: res.statusCode, error: err.message }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    if (options.body && options.chunked) {
      for (let i = 0; i < options.body.length; i += 16 * 1024) req.write(options.body.subarray(i, i + 16 * 1024));
      req.end();
    } else {
      req.end(options.body);
    }
  });
}

/** Node's HTTP parser refused the request before the app saw it: 431, or the connection closed. */
function expectTransportRefusal(res: RawResponse, where: string): void {
  if (res.status === undefined) expect(['ECONNRESET', 'EPIPE', 'socket hang up'], where).toContain(res.error);
  else expect(res.status, where).toBe(431);
}

/** 413 payload_too_large in the contract's format, or the upload cut short by a closed connection. */
function expectTooLarge(res: RawResponse, where: string): void {
  if (res.status === undefined) {
    expect(['ECONNRESET', 'EPIPE', 'socket hang up'], where).toContain(res.error);
    return;
  }
  expect(res.status, where).toBe(413);
  expect(JSON.parse(res.body!), where).toEqual({ detail: expect.any(String), code: 'payload_too_large' });
}

describe('oversized headers and bodies', () => {
  let server: ReturnType<typeof serve>;
  let port: number;
  const whoami = `${V1}/user/whoami`;

  beforeAll(async () => {
    server = serve({ fetch: svc.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('a huge Authorization header is 401 in the contract format through the app, never a 500', async () => {
    for (const authorization of [
      `Bearer prime_${'x'.repeat(1024 * 1024)}`,
      `Bearer ${'x'.repeat(64 * 1024)}`,
      `Bearer ${' '.repeat(512 * 1024)}prime_x ${' '.repeat(512 * 1024)}y`,
      `Bearer ${key}${' '.repeat(256 * 1024)}x`,
      `${'Bearer '.repeat(50_000)}${key}`,
    ]) {
      const res = await svc.call('GET', whoami, { headers: { authorization } });
      expectError(res, 401, 'unauthorized', `authorization of ${authorization.length} characters`);
    }
  });

  it('many headers, or a huge unrelated one, change nothing through the app; a huge X-Job-Id is a 422', async () => {
    const many = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`x-filler-${i}`, `v${i}`]));
    const res = await svc.call('GET', whoami, { key, headers: many });
    expect(res.status).toBe(200);
    expect(res.body.data.id).toBe(svc.seed.user.id);
    const huge = await svc.call('GET', whoami, { key, headers: { 'x-filler': 'y'.repeat(1024 * 1024) } });
    expect(huge.status).toBe(200);
    const runtime = await svc.call('GET', `${V1}/environmentshub/${svc.seed.environments.personal.id}/runtime`, {
      key: svc.seed.serviceKey,
      headers: { 'x-job-id': 'j'.repeat(100 * 1024) },
    });
    expectError(runtime, 422, 'validation_error', 'huge x-job-id');
    expect(runtime.body.detail[0].loc).toEqual(['header', 'x-job-id']);
  });

  it('over real HTTP: an Authorization header under Node’s limit is a contract 401; over it, the transport refuses', async () => {
    const under = await rawRequest(port, {
      path: whoami,
      headers: { authorization: `Bearer prime_${'x'.repeat(8 * 1024)}` },
    });
    expect(under.status).toBe(401);
    expect(JSON.parse(under.body!)).toEqual({ detail: expect.any(String), code: 'unauthorized' });
    for (const size of [20 * 1024, 64 * 1024, 1024 * 1024]) {
      const over = await rawRequest(port, {
        path: whoami,
        headers: { authorization: `Bearer prime_${'x'.repeat(size)}` },
      });
      expectTransportRefusal(over, `Authorization of ${size} bytes`);
    }
    // the server still serves
    const ok = await rawRequest(port, { path: whoami, headers: { authorization: `Bearer ${key}` } });
    expect(ok.status).toBe(200);
  });

  it('over real HTTP: many small headers are served; more than Node takes are refused by the transport', async () => {
    const headers = (n: number): OutgoingHttpHeaders => ({
      authorization: `Bearer ${key}`,
      ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-h${i}`, '1'])),
    });
    const some = await rawRequest(port, { path: whoami, headers: headers(500) });
    expect(some.status).toBe(200);
    expect(JSON.parse(some.body!).data.id).toBe(svc.seed.user.id);
    for (const n of [3_000, 20_000]) {
      // over Node's 16 KiB of headers: 431 from Node's parser, or the connection closed
      expectTransportRefusal(await rawRequest(port, { path: whoami, headers: headers(n) }), `${n} headers`);
    }
    expect((await rawRequest(port, { path: whoami, headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  });

  it('over real HTTP: a body over 256 KiB is 413 payload_too_large, with or without Content-Length, and writes nothing', async () => {
    const path = `${V1}/environmentshub/${svc.seed.environments.personal.id}/variables`;
    const json = (bytes: number) => {
      const shell = JSON.stringify({ name: 'BIG_BODY', value: '' });
      return Buffer.from(JSON.stringify({ name: 'BIG_BODY', value: 'a'.repeat(bytes - shell.length) }));
    };
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const before = await snapshot();

    // exactly 256 KiB is within the limit: it reaches validation (the value is too long)
    const exact = json(LIMITS.bodyBytes);
    expect(exact.length).toBe(LIMITS.bodyBytes);
    const atLimit = await rawRequest(port, {
      method: 'POST',
      path,
      headers: { ...headers, 'content-length': exact.length },
      body: exact,
    });
    expect(atLimit.status).toBe(422);
    expect(JSON.parse(atLimit.body!)).toMatchObject({ code: 'validation_error' });

    const over = json(LIMITS.bodyBytes + 1);
    for (const chunked of [false, true]) {
      const res = await rawRequest(port, {
        method: 'POST',
        path,
        headers: chunked ? headers : { ...headers, 'content-length': over.length },
        body: over,
        chunked,
      });
      expect(res.status, `chunked: ${chunked}`).toBe(413);
      expect(JSON.parse(res.body!)).toEqual({ detail: expect.any(String), code: 'payload_too_large' });
    }
    // far over: the service answers 413 at once, or the transport cuts the upload short
    const huge = Buffer.alloc(16 * 1024 * 1024, 'a');
    for (const chunked of [false, true]) {
      const res = await rawRequest(port, {
        method: 'POST',
        path,
        headers: chunked ? headers : { ...headers, 'content-length': huge.length },
        body: huge,
        chunked,
      });
      expectTooLarge(res, `16 MiB, chunked: ${chunked}`);
    }
    // a declared length over the limit is refused before the body is read
    const liar = await rawRequest(port, {
      method: 'POST',
      path,
      headers: { ...headers, 'content-length': String(LIMITS.bodyBytes + 1) },
      body: Buffer.from('{}'),
    });
    expectTooLarge(liar, 'declared 256 KiB + 1');
    expect(await snapshot()).toEqual(before);
    expect((await rawRequest(port, { path: whoami, headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  });

  it('over real HTTP: a GET carrying a body, even over 256 KiB, is served as the GET it is and the body ignored', async () => {
    const authorization = `Bearer ${key}`;
    for (const [framing, size] of [
      ['content-length', 1024],
      ['content-length', 4 * 1024 * 1024],
      ['chunked', 4 * 1024 * 1024],
    ] as const) {
      // Node's client frames a GET's body only when told how: a length, or chunked transfer encoding.
      const headers =
        framing === 'chunked'
          ? { authorization, 'transfer-encoding': 'chunked' }
          : { authorization, 'content-length': size };
      const res = await rawRequest(port, {
        path: whoami,
        headers,
        body: Buffer.alloc(size, 'a'),
        chunked: framing === 'chunked',
      });
      expect(res.status, `${size} bytes, ${framing}`).toBe(200);
      expect(JSON.parse(res.body!).data.id).toBe(svc.seed.user.id);
    }
    expect((await rawRequest(port, { path: whoami, headers: { authorization } })).status).toBe(200);
  });

  it('through the app: a streamed body over 256 KiB without Content-Length is 413', async () => {
    const chunk = new TextEncoder().encode('a'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 5) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const before = await snapshot();
    const res = await svc.app.request(`${V1}/environmentshub/${svc.seed.environments.personal.id}/variables`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ detail: expect.any(String), code: 'payload_too_large' });
    expect(await snapshot()).toEqual(before);
  });
});

// ---- a revoked key in another instance's cache ----

describe('a revoked key is refused within the stated cache lifetime', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('readConfig caps API_KEY_CACHE_MS at 30 s, and defaults to it', () => {
    const ms = (value: string | undefined) => readConfig({ API_KEY_CACHE_MS: value }).apiKeyCacheMs;
    expect(ms(undefined)).toBe(30_000);
    expect(ms('')).toBe(30_000);
    expect(ms('300')).toBe(300);
    expect(ms('0')).toBe(0);
    expect(ms('30000')).toBe(30_000);
    expect(ms('30001')).toBe(30_000);
    expect(ms('3600000')).toBe(30_000);
    expect(ms('1e9')).toBe(30_000);
    expect(ms('-1')).toBe(30_000);
    expect(ms('abc')).toBe(30_000);
  });

  /** A second instance (another Lambda container) over the same table and data directory. */
  async function twoInstances(cacheMs: number) {
    const one = await startTestService({ env: { API_KEY_CACHE_MS: String(cacheMs) } });
    const deps = testDeps(
      readConfig({
        TABLE_NAME: one.tableName,
        DYNAMODB_ENDPOINT: one.deps.config.dynamoEndpoint,
        DATA_DIR: one.dataDir,
        API_KEY_CACHE_MS: String(cacheMs),
        ...UNLIMITED,
      }),
    );
    expect(one.deps.config.apiKeyCacheMs).toBe(cacheMs);
    expect(deps.config.apiKeyCacheMs).toBe(cacheMs);
    const two = createLocalApp(deps);
    const whoamiOnTwo = async (k: string) =>
      (await two.request(`${V1}/user/whoami`, { headers: { authorization: `Bearer ${k}` } })).status;
    const issue = async () =>
      (await created(
        one.call('POST', `${V1}/user/api-keys`, { key: one.seed.user.apiKey, body: { name: 'short' } }),
      )) as {
        id: string;
        key: string;
      };
    const revoke = async (id: string) => {
      const res = await one.call('DELETE', `${V1}/user/api-keys/${id}`, { key: one.seed.user.apiKey });
      expect(res.status).toBe(200);
    };
    return { one, whoamiOnTwo, issue, revoke };
  }

  it('with two instances, the other one trusts its cached entry exactly until it expires, then refuses (clock controlled)', async () => {
    const TTL = 5_000;
    const { one, whoamiOnTwo, issue, revoke } = await twoInstances(TTL);
    const issued = await issue();
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    expect(await whoamiOnTwo(issued.key)).toBe(200); // verified and cached on two at `start`
    await revoke(issued.id);
    // the revoking instance refuses at once
    expect((await one.call('GET', `${V1}/user/whoami`, { key: issued.key })).status).toBe(401);
    // the other still accepts while its entry lives ...
    vi.setSystemTime(start + TTL - 1);
    expect(await whoamiOnTwo(issued.key)).toBe(200);
    // ... and refuses from the moment it expires, for good
    vi.setSystemTime(start + TTL);
    expect(await whoamiOnTwo(issued.key)).toBe(401);
    vi.setSystemTime(start + TTL + 60_000);
    expect(await whoamiOnTwo(issued.key)).toBe(401);
  });

  it('with two instances and a 300 ms cache, the other one refuses within the cache lifetime (polled, real time)', async () => {
    const TTL = 300;
    const MARGIN = 2_000;
    const { one, whoamiOnTwo, issue, revoke } = await twoInstances(TTL);
    const issued = await issue();
    const cachedFrom = Date.now();
    expect(await whoamiOnTwo(issued.key)).toBe(200);
    await revoke(issued.id);
    const revokedAt = Date.now();
    expect((await one.call('GET', `${V1}/user/whoami`, { key: issued.key })).status).toBe(401);
    let refusedAt: number | undefined;
    while (Date.now() - revokedAt < 30_000) {
      const status = await whoamiOnTwo(issued.key);
      if (status === 401) {
        refusedAt = Date.now();
        break;
      }
      expect(status).toBe(200);
      // accepted only while the entry cached at `cachedFrom` could still be alive
      expect(Date.now() - cachedFrom).toBeLessThanOrEqual(TTL + MARGIN);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(refusedAt, 'refused at all within 30 s').toBeDefined();
    expect(refusedAt! - revokedAt).toBeLessThanOrEqual(TTL + MARGIN);
    expect(refusedAt! - revokedAt).toBeLessThan(30_000);
    // and it stays refused, in the contract's format
    const res = await one.app.request(`${V1}/user/whoami`, { headers: { authorization: `Bearer ${issued.key}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: expect.any(String), code: 'unauthorized' });
  });

  it('with the cache off (0 ms), another instance refuses a revoked key at once', async () => {
    const { whoamiOnTwo, issue, revoke } = await twoInstances(0);
    const issued = await issue();
    expect(await whoamiOnTwo(issued.key)).toBe(200);
    await revoke(issued.id);
    expect(await whoamiOnTwo(issued.key)).toBe(401);
  });
});
