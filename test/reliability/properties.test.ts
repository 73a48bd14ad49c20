import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteSpec } from '../../functions/routes.js';
import type { ErrorCode } from '../../shared/errors.js';
import {
  CreateEnvironmentSecretBody,
  CreateGlobalSecretBody,
  CreateVariableBody,
  Description,
  EntryName,
  FileValue,
  NAME_MESSAGE,
  UpdateVariableBody,
  Value,
} from '../../shared/schemas.js';
import { LIMITS } from '../../shared/rules.js';
import { startTestService, type CallOptions, type CallResult, type TestService } from '../support/service.js';
import { tableItems } from '../support/table.js';

/**
 * Property-based tests (fast-check) of the rules on names, values and descriptions, first
 * against the zod schemas and then through the routes, and random requests against every
 * route of the route table: never a 500, always the contract's error shape.
 */

const V1 = '/api/v1';
const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');
const show = (x: unknown, length: number) => String(JSON.stringify(x) ?? x).slice(0, length);
const codePoints = (s: string) => [...s].length;

// ---- the contract's rules, written out independently of the service (the oracles) ----

const nameOk = (name: string) => /^[A-Z][A-Z0-9_]*$/.test(name) && name.length >= 1 && name.length <= 255;
const valueOk = (value: string) =>
  utf8(value) >= 1 && utf8(value) <= 65_536 && !value.includes('\u0000') && value.isWellFormed();
/** "optional, at most 500 characters": characters are code points; text is well-formed, no NUL. */
const descriptionOk = (d: string | null | undefined) =>
  d === undefined || d === null || (codePoints(d) <= 500 && !d.includes('\u0000') && d.isWellFormed());
const fileValueOk = (v: string) =>
  v.length >= 1 && v.length <= 65_536 && /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(v);

// ---- arbitraries ----

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
const NAME_TAIL = [...UPPER, ...'0123456789_'.split('')];
/** Characters that look like, or smuggle something into, a name: look-alikes, separators, controls. */
const HOSTILE_CHARS = [
  '\u039A', // Greek capital Kappa, looks like K
  '\u0410', // Cyrillic А
  '\u0430', // Cyrillic а
  '\u0415', // Cyrillic Е
  '\uFF21', // fullwidth Ａ
  '\uFF10', // fullwidth ０
  '\u200D', // zero-width joiner
  '\u200B', // zero-width space
  '\u202E', // right-to-left override
  '\u0130', // Turkish İ
  '\u01C5', // titlecase ǅ
  'ß',
  'a',
  'z',
  '-',
  '.',
  ' ',
  '#',
  '/',
  '%',
  '%2F',
  '..',
  '$',
  '\u0000',
  '\n',
  '\t',
  '😀',
  '\uD800', // lone high surrogate
  '\uDC00', // lone low surrogate
];

const validName = fc
  .tuple(fc.constantFrom(...UPPER), fc.string({ unit: fc.constantFrom(...NAME_TAIL), maxLength: 40 }))
  .map(([head, tail]) => head + tail);
/** A valid name with something hostile inserted somewhere. */
const spoiledName = fc.tuple(validName, fc.constantFrom(...HOSTILE_CHARS), fc.nat()).map(([name, bad, at]) => {
  const i = at % (name.length + 1);
  return name.slice(0, i) + bad + name.slice(i);
});
/** Names at the length boundary: 254, 255, 256 characters. */
const boundaryName = fc
  .tuple(validName, fc.constantFrom(254, 255, 256))
  .map(([name, length]) => (name + 'X'.repeat(length)).slice(0, length));
const nameArb = fc.oneof(
  { arbitrary: validName, weight: 3 },
  { arbitrary: spoiledName, weight: 3 },
  { arbitrary: boundaryName, weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 1 },
  { arbitrary: fc.constantFrom('', 'OPENAI_KEY', 'OPENAI_\u039AEY', '_A', '1A', 'A-B', 'a'), weight: 1 },
);

/** Text of any code point (surrogate pairs included), graphemes, and right-to-left text. */
const anyText = (maxLength: number) =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({
      unit: fc.constantFrom('\u05D0', '\u05E9', '\u0627', '\u0644', '\u200F', '\u200E', '\u202B', '\u061C', ' ', '1'),
      maxLength,
    }),
  );
/** `prefix` repeated, then padded with ASCII, to exactly `bytes` bytes of UTF-8. */
function toExactBytes(prefix: string, bytes: number): string {
  const unit = prefix.isWellFormed() && utf8(prefix) > 0 ? prefix : 'a';
  const body = unit.repeat(Math.floor(bytes / utf8(unit)));
  return body + 'a'.repeat(bytes - utf8(body));
}
const sizedValue = fc
  .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), fc.constantFrom(65_535, 65_536, 65_537))
  .map(([prefix, bytes]) => toExactBytes(prefix, bytes));
/** Text with one bad thing in it: a NUL or a lone surrogate. */
const spoiledText = fc
  .tuple(anyText(30), fc.constantFrom('\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF'), anyText(30))
  .map(([a, bad, b]) => a + bad + b);
const valueArb = fc.oneof(
  { arbitrary: anyText(60), weight: 4 },
  { arbitrary: sizedValue, weight: 2 },
  { arbitrary: spoiledText, weight: 2 },
  { arbitrary: fc.constant(''), weight: 1 },
);
const descriptionArb = fc.oneof(
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: anyText(40), weight: 3 },
  { arbitrary: spoiledText, weight: 2 },
  {
    // at the limit, counted in characters (code points), with characters of 1 to 4 bytes
    arbitrary: fc
      .tuple(fc.constantFrom('d', 'é', '€', '😀', '\u05D0'), fc.constantFrom(499, 500, 501))
      .map(([c, n]) => c.repeat(n)),
    weight: 2,
  },
);

// ---- the schemas ----

describe('the schemas hold the contract rules', () => {
  it('EntryName accepts exactly `^[A-Z][A-Z0-9_]*$` of 1–255 characters, with the contract message', () => {
    fc.assert(
      fc.property(nameArb, (name) => {
        const result = EntryName.safeParse(name);
        expect(result.success).toBe(nameOk(name));
        if (!result.success) {
          const messages = result.error.issues.map((i) => i.message);
          const expected = [
            ...(/^[A-Z][A-Z0-9_]*$/.test(name) ? [] : [NAME_MESSAGE]),
            ...(name.length > 255 ? ['must be at most 255 characters'] : []),
          ];
          expect(new Set(messages)).toEqual(new Set(expected));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('Value accepts 1 to 65,536 bytes of well-formed UTF-8 without NUL', () => {
    fc.assert(
      fc.property(valueArb, (value) => {
        expect(Value.safeParse(value).success).toBe(valueOk(value));
      }),
      { numRuns: 1000 },
    );
    // the boundary itself, in characters of every width
    for (const c of ['a', 'é', '€', '😀']) {
      expect(Value.safeParse(toExactBytes(c, 65_536)).success).toBe(true);
      expect(Value.safeParse(toExactBytes(c, 65_537)).success).toBe(false);
    }
  });

  it('Description accepts null or at most 500 characters of well-formed text without NUL', () => {
    fc.assert(
      fc.property(descriptionArb, (description) => {
        expect(Description.safeParse(description).success).toBe(descriptionOk(description));
      }),
      { numRuns: 1000 },
    );
  });

  it('FileValue accepts standard base64 of at most 65,536 characters', () => {
    const base64 = fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b).toString('base64'));
    const nearBase64 = fc
      .tuple(base64, fc.constantFrom('=', '-', '_', ' ', '\n', '!', 'é', ''), fc.nat())
      .map(([s, c, at]) => s.slice(0, at % (s.length + 1)) + c + s.slice(at % (s.length + 1)));
    const long = fc.constantFrom(65_536, 65_540).map((n) => 'A'.repeat(n));
    fc.assert(
      fc.property(fc.oneof(base64, nearBase64, long, fc.string()), (v) => {
        expect(FileValue.safeParse(v).success).toBe(fileValueOk(v));
      }),
      { numRuns: 1000 },
    );
  });

  it('a create body is accepted exactly when every field is, and every refused field is named', () => {
    const bodies = [CreateVariableBody, CreateEnvironmentSecretBody, CreateGlobalSecretBody];
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2), nameArb, valueArb, descriptionArb, (which, name, value, description) => {
        const result = bodies[which]!.safeParse({ name, value, description });
        const bad = [
          ...(nameOk(name) ? [] : ['name']),
          ...(valueOk(value) ? [] : ['value']),
          ...(descriptionOk(description) ? [] : ['description']),
        ];
        expect(result.success).toBe(bad.length === 0);
        if (!result.success) expect(new Set(result.error.issues.map((i) => i.path[0]))).toEqual(new Set(bad));
      }),
      { numRuns: 1000 },
    );
  });
});

// ---- through the routes ----

let svc: TestService;
let key: string;
let envId: string;

/** How many items the table holds (but request counts): a refused request leaves it as it was. */
async function itemCount(): Promise<number> {
  return (await tableItems(svc.deps.db)).length;
}

/** A FastAPI-style 422 naming exactly `fields` of the body. */
function expectValidation(res: CallResult, fields: string[]): void {
  expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(422);
  expect(Object.keys(res.body).sort()).toEqual(['code', 'detail']);
  expect(res.body.code).toBe('validation_error');
  expect(Array.isArray(res.body.detail)).toBe(true);
  for (const issue of res.body.detail) {
    expect(Object.keys(issue).sort()).toEqual(['loc', 'msg', 'type']);
    expect(issue.loc[0]).toBe('body');
    expect(typeof issue.msg).toBe('string');
    expect(typeof issue.type).toBe('string');
  }
  expect(new Set(res.body.detail.map((i: { loc: string[] }) => i.loc[1]))).toEqual(new Set(fields));
}

/**
 * What the contract says of a body: over 256 KiB as sent (a value of control characters is
 * six bytes of JSON each) it is 413 before anything else; else 422 naming the bad fields; else accepted.
 */
function verdict(sent: unknown, bad: string[]): 'too_large' | 'invalid' | 'ok' {
  if (utf8(JSON.stringify(sent)) > LIMITS.bodyBytes) return 'too_large';
  return bad.length > 0 ? 'invalid' : 'ok';
}

/** A refused request: 413 or 422 as `verdict` says, and the table holds as many items as before. */
async function expectRefused(res: CallResult, why: 'too_large' | 'invalid', bad: string[], before: number) {
  if (why === 'too_large') expect(res.body).toEqual({ detail: expect.any(String), code: 'payload_too_large' });
  else expectValidation(res, bad);
  expect(await itemCount()).toBe(before);
}

const badFields = (fields: { name?: string | undefined; value?: string | undefined; description?: unknown }) => [
  ...(fields.name === undefined || nameOk(fields.name) ? [] : ['name']),
  ...(fields.value === undefined || valueOk(fields.value) ? [] : ['value']),
  ...(descriptionOk(fields.description as string | null | undefined) ? [] : ['description']),
];

const runtimeEnv = () => svc.runtimeEnv(envId);

async function ok(res: Promise<CallResult>, status = 200): Promise<any> {
  const done = await res;
  expect(done.status, JSON.stringify(done.body).slice(0, 500)).toBe(status);
  return done.body.data;
}

let runs = 0;
/** A valid name no earlier run used. */
const unique = () => `P${++runs}_${Date.now().toString(36).toUpperCase()}`;

describe('names, values and descriptions through the routes', () => {
  beforeAll(async () => {
    svc = await startTestService();
    key = svc.seed.user.apiKey;
    envId = (await ok(svc.call('POST', `${V1}/environmentshub`, { key, body: { name: 'properties' } }), 201)).id;
  });

  it('variables: accepted ones read back exactly, refused ones are 422 naming the field and write nothing', async () => {
    const path = `${V1}/environmentshub/${envId}/variables`;
    await fc.assert(
      fc.asyncProperty(nameArb, valueArb, descriptionArb, async (name, value, description) => {
        const sent = { name, value, description };
        const bad = badFields(sent);
        const before = await itemCount();
        const res = await svc.call('POST', path, { key, body: sent });
        const why = verdict(sent, bad);
        if (why !== 'ok') return expectRefused(res, why, bad, before);
        expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(201);
        expect(res.body.data).toMatchObject({ name, value, description });
        const listed = (await ok(svc.call('GET', path, { key }))).find(
          (v: { id: string }) => v.id === res.body.data.id,
        );
        expect(listed).toMatchObject({ name, value, description });
        expect((await runtimeEnv())[name]).toBe(value);
        await ok(svc.call('DELETE', `${path}/${res.body.data.id}`, { key }));
      }),
      { numRuns: 40 },
    );
  });

  it('direct secrets: accepted values come back exactly at runtime, refused ones change nothing', async () => {
    const path = `${V1}/environmentshub/${envId}/secrets`;
    const name = unique();
    const secret = await ok(svc.call('POST', path, { key, body: { name, value: 'initial' } }), 201);
    let current = 'initial';
    await fc.assert(
      fc.asyncProperty(valueArb, descriptionArb, async (value, description) => {
        // a new secret with this value and description
        const createdName = unique();
        const sent = { name: createdName, value, description };
        const bad = badFields(sent);
        let before = await itemCount();
        const create = await svc.call('POST', path, { key, body: sent });
        const createVerdict = verdict(sent, bad);
        if (createVerdict === 'ok') {
          expect(create.status, JSON.stringify(create.body).slice(0, 500)).toBe(201);
          expect(create.body.data).toMatchObject({ name: createdName, source: 'environment', description });
          expect(create.body.data).not.toHaveProperty('value');
        } else {
          await expectRefused(create, createVerdict, bad, before);
        }
        // the same value as an update of the existing secret
        before = await itemCount();
        const update = await svc.call('PATCH', `${path}/${secret.id}`, { key, body: { value } });
        const updateVerdict = verdict({ value }, badFields({ value }));
        if (updateVerdict === 'ok') {
          expect(update.status).toBe(200);
          current = value;
        } else {
          await expectRefused(update, updateVerdict, ['value'], before);
        }
        const env = await runtimeEnv();
        expect(env[name]).toBe(current);
        if (create.status === 201) {
          expect(env[createdName]).toBe(value);
          await ok(svc.call('DELETE', `${path}/${create.body.data.id}`, { key }));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('global secrets: a linked secret resolves to exactly the accepted value; descriptions round-trip', async () => {
    const global = await ok(svc.call('POST', `${V1}/secrets`, { key, body: { name: unique(), value: 'g' } }), 201);
    await ok(svc.call('POST', `${V1}/environmentshub/${envId}/secrets/link/${global.id}`, { key, body: {} }), 201);
    let current = 'g';
    let currentDescription: string | null = null;
    await fc.assert(
      fc.asyncProperty(valueArb, descriptionArb, async (value, description) => {
        const sent = { value, description };
        const bad = badFields(sent);
        const before = await itemCount();
        const res = await svc.call('PATCH', `${V1}/secrets/${global.id}`, { key, body: sent });
        const why = verdict(sent, bad);
        if (why === 'ok') {
          expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
          current = value;
          currentDescription = description;
        } else {
          // the body schema checks the description; the value is checked against the secret's kind after it
          await expectRefused(res, why, bad.includes('description') ? ['description'] : bad, before);
        }
        expect((await runtimeEnv())[global.name]).toBe(current);
        const read = await ok(svc.call('GET', `${V1}/secrets/${global.id}`, { key }));
        expect(read.description).toBe(currentDescription);
        expect(read).not.toHaveProperty('value');
      }),
      { numRuns: 30 },
    );
  });

  it('file secrets: accepted base64 comes back as the same base64 at runtime', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2048 }), async (bytes) => {
        const value = Buffer.from(bytes).toString('base64');
        const name = unique();
        const res = await svc.call('POST', `${V1}/environmentshub/${envId}/secrets`, {
          key,
          body: { name, value, isFile: true },
        });
        expect(res.status).toBe(201);
        const runtime = await svc.call('GET', `${V1}/environmentshub/${envId}/runtime`, { key: svc.seed.serviceKey });
        expect(runtime.body.data.env[name]).toBe(value);
        expect(runtime.body.data.files).toContain(name);
        expect(Buffer.from(runtime.body.data.env[name], 'base64')).toEqual(Buffer.from(bytes));
        await ok(svc.call('DELETE', `${V1}/environmentshub/${envId}/secrets/${res.body.data.id}`, { key }));
      }),
      { numRuns: 15 },
    );
  });

  it('lone surrogates are refused in descriptions and display names, as in values (UTF-8 cannot hold them)', async () => {
    const before = await itemCount();
    for (const bad of ['\uD800', 'a\uDC00b', 'x\uDBFF']) {
      expectValidation(
        await svc.call('POST', `${V1}/environmentshub/${envId}/variables`, {
          key,
          body: { name: unique(), value: 'v', description: bad },
        }),
        ['description'],
      );
      expectValidation(
        await svc.call('POST', `${V1}/secrets`, { key, body: { name: unique(), value: 'v', description: bad } }),
        ['description'],
      );
      expectValidation(await svc.call('POST', `${V1}/teams`, { key, body: { name: bad, slug: 'surrogates' } }), [
        'name',
      ]);
      expectValidation(await svc.call('POST', `${V1}/user/api-keys`, { key, body: { name: `key ${bad}` } }), ['name']);
    }
    expect(await itemCount()).toBe(before);
    // a surrogate pair is one character, and welcome
    const emoji = await svc.call('POST', `${V1}/environmentshub/${envId}/variables`, {
      key,
      body: { name: unique(), value: '😀', description: '😀'.repeat(500) },
    });
    expect(emoji.status).toBe(201);
    expect(emoji.body.data.description).toBe('😀'.repeat(500));
  });

  it('variable updates: a refused rename or value leaves the variable as it was', async () => {
    const path = `${V1}/environmentshub/${envId}/variables`;
    const variable = await ok(svc.call('POST', path, { key, body: { name: unique(), value: 'v0' } }), 201);
    let current = { name: variable.name as string, value: 'v0', description: null as string | null };
    await fc.assert(
      fc.asyncProperty(
        fc.option(nameArb, { nil: undefined }),
        fc.option(valueArb, { nil: undefined }),
        fc.option(descriptionArb, { nil: undefined }),
        async (name, value, description) => {
          const sent = { name, value, description };
          const empty = name === undefined && value === undefined && description === undefined;
          const bad = badFields(sent);
          const why = verdict(sent, bad);
          const before = await itemCount();
          const res = await svc.call('PATCH', `${path}/${variable.id}`, { key, body: sent });
          expect(UpdateVariableBody.safeParse(sent).success).toBe(!empty && bad.length === 0);
          if (empty) {
            expect(res.status).toBe(422);
            expect(await itemCount()).toBe(before);
          } else if (why !== 'ok') {
            await expectRefused(res, why, bad, before);
          } else {
            expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
            current = {
              name: name ?? current.name,
              value: value ?? current.value,
              description: description === undefined ? current.description : description,
            };
          }
          const listed = (await ok(svc.call('GET', path, { key }))).find((v: { id: string }) => v.id === variable.id);
          expect(listed).toMatchObject(current);
        },
      ),
      { numRuns: 30 },
    );
  });
});

// ---- random requests against every route ----

const ERROR_CODES: Record<number, ErrorCode[]> = {
  400: ['bad_request'],
  401: ['unauthorized'],
  403: ['forbidden'],
  404: ['not_found'],
  405: ['method_not_allowed'],
  409: [
    'conflict',
    'name_taken',
    'slug_taken',
    'scope_mismatch',
    'already_linked',
    'is_linked',
    'last_admin',
    'limit_exceeded',
    'limit_reached',
  ],
  413: ['payload_too_large'],
  422: ['validation_error'],
  429: ['rate_limited'],
};

/** The contract's shapes: `{data}` (lists add totalCount) for a success, `{detail, code}` for an error. */
function expectContractShape(res: CallResult, where: string): void {
  expect(res.status, where).toBeLessThan(500);
  if (res.status < 300) {
    expect(res.body, where).toHaveProperty('data');
    return;
  }
  expect(Object.keys(ERROR_CODES).map(Number), where).toContain(res.status);
  expect(typeof res.body, where).toBe('object');
  expect(Object.keys(res.body).sort(), where).toEqual(['code', 'detail']);
  expect(ERROR_CODES[res.status], where).toContain(res.body.code);
  if (res.status === 422) {
    expect(Array.isArray(res.body.detail), where).toBe(true);
    for (const issue of res.body.detail) {
      expect(Object.keys(issue).sort(), where).toEqual(['loc', 'msg', 'type']);
      expect(Array.isArray(issue.loc), where).toBe(true);
      expect(typeof issue.msg, where).toBe('string');
    }
  } else {
    expect(typeof res.body.detail, where).toBe('string');
    expect(res.body.detail.length, where).toBeGreaterThan(0);
  }
}

describe('random requests against every route', () => {
  let fuzz: TestService;
  let realIds: string[];
  let runtimeToken: string;
  /** The OpenAPI document the service serves. */
  let openApi: {
    paths: Record<string, Record<string, { responses: Record<string, { description: string }> } | undefined>>;
  };

  // Random requests with the admin key and the seeded user's id may disable that user, as the
  // admin may: undone after each test, so that the next ones still reach past authentication.
  afterEach(async () => {
    const enabled = await fuzz.call('POST', `${V1}/admin/users/${fuzz.seed.user.id}/enable`, {
      key: fuzz.seed.adminKey,
    });
    expect(enabled.status).toBe(200);
  });

  beforeAll(async () => {
    fuzz = await startTestService();
    openApi = (await fuzz.call('GET', '/openapi.json')).body;
    const s = fuzz.seed;
    realIds = [s.user.id, s.team.id, s.environments.personal.id, s.environments.team.id, s.user.slug, s.team.slug];
    // things to find, so random requests with real ids reach past the look-ups
    const secret = await fuzz.call('POST', `${V1}/secrets`, { key: s.user.apiKey, body: { name: 'FUZZ', value: 'f' } });
    const variable = await fuzz.call('POST', `${V1}/environmentshub/${s.environments.personal.id}/variables`, {
      key: s.user.apiKey,
      body: { name: 'FUZZ_VAR', value: 'v' },
    });
    const token = await fuzz.call('POST', `${V1}/environmentshub/${s.environments.personal.id}/runtime-tokens`, {
      key: s.serviceKey,
      body: { jobId: 'fuzz-job' },
    });
    realIds.push(secret.body.data.id, variable.body.data.id, token.body.data.id);
    runtimeToken = token.body.data.token;
  });

  /** Path segments: real ids and slugs, their look-alikes, separators, encodings, long and random strings. */
  const segment = () =>
    fc.oneof(
      { arbitrary: fc.constantFrom(...realIds), weight: 3 },
      {
        arbitrary: fc.constantFrom(...realIds).map((id) => id.replace(/a/g, '\u0430').replace(/e/g, '\u0435')),
        weight: 1,
      },
      { arbitrary: fc.constantFrom(...realIds).map((id) => id.toUpperCase()), weight: 1 },
      { arbitrary: fc.constantFrom(...realIds).map((id) => `${id}\u200D`), weight: 1 },
      {
        arbitrary: fc.constantFrom(
          '#',
          '%23',
          '%2F',
          '%2f',
          '..',
          '%2E%2E',
          '.',
          'a#b',
          'a/b',
          'a%2Fb',
          '..%2F..%2Fhealth',
          '%00',
          '%FF',
          '%ED%A0%80',
          '%',
          '%zz',
          '@latest',
          'link',
          'runtime',
          'ｄｅｖ',
          'd\u0435v',
          'OPENAI_\u039AEY',
          'U%23x',
          'ENV%23META',
        ),
        weight: 3,
      },
      { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map(encodeURIComponent), weight: 1 },
      { arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 20 }), weight: 2 },
      { arbitrary: fc.integer({ min: 100, max: 4000 }).map((n) => 'x'.repeat(n)), weight: 1 },
    );

  const FIELDS = [
    'name',
    'value',
    'description',
    'isFile',
    'teamId',
    'userId',
    'role',
    'scopes',
    'email',
    'slug',
    'service',
    'jobId',
    'ttlSeconds',
  ];
  const body = () =>
    fc.oneof(
      fc.constant<Pick<CallOptions, 'body' | 'rawBody'>>({}),
      fc.jsonValue({ maxDepth: 3 }).map((b) => ({ body: b })),
      fc
        .dictionary(fc.constantFrom(...FIELDS), fc.oneof(fc.jsonValue({ maxDepth: 2 }), segment(), nameArb, valueArb), {
          maxKeys: 5,
        })
        .map((b) => ({ body: b })),
      fc.string({ maxLength: 40 }).map((raw) => ({ rawBody: raw })),
    );
  const query = () =>
    fc.option(
      fc
        .dictionary(
          fc.constantFrom('teamId', 'limit', 'offset', 'cursor', 'environmentId', 'x'),
          fc.oneof(segment(), fc.integer({ min: -5, max: 1000 }).map(String)),
          { minKeys: 1, maxKeys: 3 },
        )
        .map((q) => `?${new URLSearchParams(q).toString()}`),
      { nil: '' },
    );

  for (const route of ROUTES) {
    it(`${route.method} ${route.path}`, async () => {
      const s = fuzz.seed;
      const keys = [
        undefined,
        s.user.apiKey,
        s.user.runtimeKey,
        s.serviceKey,
        s.adminKey,
        runtimeToken,
        'prime_not-a-key',
      ];
      const params = route.path.match(/\{\w+\}/g) ?? [];
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { arbitrary: fc.constant<string>(route.method), weight: 4 },
            { arbitrary: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS'), weight: 1 },
          ),
          fc.array(segment(), { minLength: params.length, maxLength: params.length }),
          query(),
          body(),
          fc.constantFrom(...keys),
          fc.constantFrom<Record<string, string>>(
            {},
            { 'content-type': 'text/plain' },
            { 'x-job-id': 'job 1' },
            { 'x-job-id': 'x'.repeat(300) },
            { 'content-type': 'application/json; charset=utf-8' },
          ),
          fc.boolean(),
          async (method, values, q, payload, key, headers, slash) => {
            let i = 0;
            const path = fillPath(route, () => values[i++]!) + (slash ? '/' : '') + q;
            fc.pre(URL.canParse(path, 'http://localhost'));
            const send = method === 'GET' ? {} : payload;
            const res = await fuzz.call(method, path, { key, ...send, headers });
            const where = `${method} ${path} ${show(send, 200)} → ${res.status} ${show(res.body, 300)}`;
            // The API answers in the contract's JSON; other routes of the table (pages) only never fail.
            if (route.path.startsWith(`${V1}/`)) expectContractShape(res, where);
            else expect(res.status, where).toBeLessThan(500);
            // An error of the route's own method is one its OpenAPI operation names, status and code.
            // (Another method may reach a route of another resource, or none; so may a segment that
            // ends the path, `#` or `?`, or makes another one, `/`, `.` or `..`, which URL parsing
            // also reads in `%2E%2E`.)
            const dots = (v: string) => v.replace(/%2e/gi, '.');
            const reachesRoute = values.every((v) => !/[#?/]/.test(v) && dots(v) !== '.' && dots(v) !== '..');
            if (method === route.method && reachesRoute && res.status >= 400 && route.path.startsWith(`${V1}/`)) {
              const response = openApi.paths[route.path]?.[method.toLowerCase()]?.responses[String(res.status)];
              expect(response?.description, `${where}: not in the OpenAPI document`).toContain(`\`${res.body.code}\``);
            }
          },
        ),
        { numRuns: 30 },
      );
    });
  }

  it('a body without a JSON Content-Type is 400 bad_request, not a status outside the contract', async () => {
    const s = fuzz.seed;
    for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }]) {
      const res = await fuzz.call('POST', `${V1}/environmentshub/${s.environments.team.id}/variables`, {
        key: s.user.apiKey,
        body: { name: 'PLAIN', value: 'v' },
        headers,
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ detail: expect.stringContaining('application/json'), code: 'bad_request' });
    }
  });

  it('a valid request of each route still answers 2xx after the random ones', async () => {
    const s = fuzz.seed;
    for (const [method, path, options] of [
      ['GET', `${V1}/health`, {}],
      ['GET', `${V1}/user/whoami`, { key: s.user.apiKey }],
      ['GET', `${V1}/secrets`, { key: s.user.apiKey }],
      ['GET', `${V1}/environmentshub`, { key: s.user.apiKey }],
      ['GET', `${V1}/audit`, { key: s.user.apiKey }],
    ] as [string, string, CallOptions][]) {
      const res = await fuzz.call(method, path, options);
      expect(res.status, `${method} ${path}`).toBe(200);
    }
  });
});

/** The route's path with each `{param}` replaced by the next value. */
function fillPath(route: RouteSpec, next: () => string): string {
  return route.path.replace(/\{\w+\}/g, () => next());
}

// The limits the properties above rely on are the contract's.
describe('the limits are the contract’s', () => {
  it('names 255, values 65,536 bytes, descriptions 500, files 65,536 characters', () => {
    expect(LIMITS).toMatchObject({
      nameLength: 255,
      valueBytes: 65_536,
      descriptionLength: 500,
      fileValueChars: 65_536,
    });
  });
});
