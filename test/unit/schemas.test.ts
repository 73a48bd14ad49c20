import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/errors.js';
import {
  AuditQuery,
  CreateApiKeyBody,
  CreateEnvironmentBody,
  CreateGlobalSecretBody,
  CreateRuntimeTokenBody,
  CreateTeamBody,
  CreateUserBody,
  CreateVariableBody,
  Description,
  EntryName,
  EnvironmentName,
  FileValue,
  ListQuery,
  NAME_MESSAGE,
  RuntimeHeaders,
  requireValueForKind,
  Slug,
  UpdateSecretBody,
  UpdateVariableBody,
  Value,
} from '../../shared/schemas.js';
import { LIMITS } from '../../shared/rules.js';

/** The rules on names, values, limits and bodies (shared/schemas.ts), at and just past each edge. */

type Schema = { safeParse: (v: unknown) => { success: boolean; error?: { issues: { message: string }[] } } };

const ok = (schema: Schema, value: unknown) =>
  expect(schema.safeParse(value).success, JSON.stringify(value)).toBe(true);
const refused = (schema: Schema, value: unknown, message?: string) => {
  const result = schema.safeParse(value);
  expect(result.success, JSON.stringify(value)?.slice(0, 80)).toBe(false);
  if (message !== undefined) expect(result.error?.issues.map((i) => i.message)).toContain(message);
};

describe('limits', () => {
  it('are the contract numbers', () => {
    expect(LIMITS).toEqual({
      nameLength: 255,
      valueBytes: 65_536,
      fileValueChars: 65_536,
      descriptionLength: 500,
      entriesPerEnvironment: 500,
      requirementsPerEnvironment: 500,
      expiringSoonDays: 7,
      globalSecretsPerOwner: 1_000,
      apiKeysPerUser: 50,
      runtimePayloadBytes: 5 * 1024 * 1024,
      bodyBytes: 256 * 1024,
      versionsKept: 20,
      listDefault: 100,
      listMax: 500,
      runtimeTokenTtlDefaultSeconds: 3_600,
      runtimeTokenTtlMaxSeconds: 86_400,
    });
  });
});

describe('EntryName', () => {
  it('takes uppercase letters, digits and underscores, starting with a letter, up to 255', () => {
    for (const name of ['A', 'Z9', 'MY_API_KEY', 'A__B', `A${'_'.repeat(254)}`]) ok(EntryName, name);
  });

  it('refuses everything else with the contract message', () => {
    for (const name of ['a', 'my_key', 'Ab', '1A', '_A', 'A-B', 'A B', 'A.B', 'ÄPFEL', 'A\u0000', 'A#B', 'A/B']) {
      refused(EntryName, name, NAME_MESSAGE);
    }
    refused(EntryName, '', NAME_MESSAGE);
  });

  it('refuses 256 characters', () => {
    refused(EntryName, 'A'.repeat(256), 'must be at most 255 characters');
  });
});

describe('Value', () => {
  it('takes 1 to 65,536 bytes of UTF-8', () => {
    ok(Value, 'x');
    ok(Value, 'x'.repeat(65_536));
    ok(Value, 'é'.repeat(32_768)); // two bytes each: exactly the limit
    ok(Value, 'line\nwith\ttabs and 🔑');
  });

  it('counts bytes, not characters', () => {
    refused(Value, 'x'.repeat(65_537), 'must be at most 65536 bytes of UTF-8');
    refused(Value, 'é'.repeat(32_769), 'must be at most 65536 bytes of UTF-8');
    refused(Value, '🔑'.repeat(16_385), 'must be at most 65536 bytes of UTF-8'); // four bytes, two UTF-16 units
  });

  it('refuses an empty value, a NUL character and a lone surrogate', () => {
    refused(Value, '', 'must not be empty');
    refused(Value, 'a\u0000b', 'must not contain a NUL character');
    refused(Value, 'a\ud800b', 'must be valid Unicode (no lone surrogates)');
  });
});

describe('FileValue', () => {
  it('takes standard base64 with or without padding, up to 65,536 characters', () => {
    for (const v of ['QQ==', 'QUI=', 'QUJD', Buffer.from('file\ncontent').toString('base64'), 'A'.repeat(65_536)]) {
      ok(FileValue, v);
    }
  });

  it('refuses what is not base64, and one character too many', () => {
    for (const v of ['QQ', 'QUJ', 'QQ=', 'Q===', 'QU-_', 'QU J', 'plain text']) refused(FileValue, v, 'must be base64');
    refused(FileValue, '', 'must not be empty');
    refused(FileValue, 'A'.repeat(65_540), 'must be at most 65536 characters of base64');
  });
});

describe('Description', () => {
  it('takes null, empty and up to 500 characters', () => {
    for (const v of [null, '', 'd'.repeat(500)]) ok(Description, v);
  });

  it('refuses 501 characters, NUL and lone surrogates', () => {
    refused(Description, 'd'.repeat(501), 'must be at most 500 characters');
    refused(Description, 'a\u0000', 'must not contain a NUL character');
    refused(Description, '\udc00', 'must be valid Unicode (no lone surrogates)');
  });
});

describe('Slug and EnvironmentName', () => {
  it('slugs are 1–39 lowercase letters, digits or hyphens, not starting with a hyphen', () => {
    for (const v of ['a', '0', 'ada', 'team-42', `a${'-'.repeat(38)}`]) ok(Slug, v);
    for (const v of ['', '-a', 'Ada', 'a_b', 'a.b', `a${'b'.repeat(39)}`]) refused(Slug, v);
  });

  it('environment names are 1–100 of [a-z0-9._-], starting with a letter or digit', () => {
    for (const v of ['a', 'my-env', 'v1.2_beta', `e${'x'.repeat(99)}`]) ok(EnvironmentName, v);
    for (const v of ['', '.env', '-a', '_a', 'My-Env', 'a/b', 'a b', `e${'x'.repeat(100)}`])
      refused(EnvironmentName, v);
  });

  it('refuses the reserved environment names', () => {
    for (const v of ['secrets', 'variables', 'runtime', 'link']) refused(EnvironmentName, v, 'is a reserved name');
    ok(EnvironmentName, 'secrets2');
  });
});

describe('request bodies', () => {
  it('checks a secret value by its kind: text, or base64 for a file', () => {
    ok(CreateGlobalSecretBody, { name: 'K', value: 'text' });
    ok(CreateGlobalSecretBody, { name: 'K', value: 'QUJD', isFile: true });
    const notBase64 = CreateGlobalSecretBody.safeParse({ name: 'K', value: 'not base64!', isFile: true });
    expect(notBase64.success).toBe(false);
    expect(notBase64.error?.issues.map((i) => [i.path, i.message])).toEqual([[['value'], 'must be base64']]);
    refused(CreateGlobalSecretBody, { name: 'K', value: '' }, 'must not be empty');
  });

  it('ignores unknown fields', () => {
    const parsed = CreateGlobalSecretBody.parse({ name: 'K', value: 'v', extra: 'dropped', teamId: null });
    expect(parsed).toEqual({ name: 'K', value: 'v', teamId: null });
  });

  it('refuses an update that changes nothing', () => {
    refused(UpdateSecretBody, {}, 'give at least one of name, value, description, expiresAt');
    refused(UpdateVariableBody, {}, 'give at least one of name, value, description');
    ok(UpdateSecretBody, { description: null });
    ok(UpdateSecretBody, { expiresAt: null });
    ok(UpdateVariableBody, { value: 'v' });
  });

  it('holds variables to the value rule', () => {
    ok(CreateVariableBody, { name: 'LOG_LEVEL', value: 'debug' });
    refused(CreateVariableBody, { name: 'LOG_LEVEL', value: 'a\u0000' }, 'must not contain a NUL character');
    refused(CreateVariableBody, { name: 'log_level', value: 'debug' }, NAME_MESSAGE);
  });

  it('trims display names and refuses blank ones', () => {
    expect(CreateTeamBody.parse({ name: '  Research  ', slug: 'research' }).name).toBe('Research');
    refused(CreateTeamBody, { name: '   ', slug: 'research' }, 'must not be empty');
    refused(CreateTeamBody, { name: 'n'.repeat(101), slug: 'research' }, 'must be at most 100 characters');
  });

  it('takes one or both key scopes, nothing else', () => {
    ok(CreateApiKeyBody, { name: 'ci' });
    ok(CreateApiKeyBody, { name: 'ci', scopes: ['runtime'] });
    ok(CreateApiKeyBody, { name: 'ci', scopes: ['manage', 'runtime'] });
    for (const scopes of [[], ['admin'], ['manage', 'runtime', 'manage']])
      refused(CreateApiKeyBody, { name: 'ci', scopes });
  });

  it('gives a runtime token an hour unless asked, 1 s to a day, and a job id by the X-Job-Id rule', () => {
    expect(CreateRuntimeTokenBody.parse({ jobId: 'job-42' })).toEqual({ jobId: 'job-42', ttlSeconds: 3_600 });
    for (const ttlSeconds of [1, 86_400]) ok(CreateRuntimeTokenBody, { jobId: 'job-42', ttlSeconds });
    for (const ttlSeconds of [0, 86_401, 1.5, '60', null])
      refused(CreateRuntimeTokenBody, { jobId: 'job-42', ttlSeconds });
    ok(CreateRuntimeTokenBody, { jobId: '!'.repeat(200) });
    refused(CreateRuntimeTokenBody, { jobId: 'j'.repeat(201) }, 'must be at most 200 characters');
    for (const jobId of ['job 42', 'jöb', '', undefined]) refused(CreateRuntimeTokenBody, { jobId });
  });

  it('checks users and environments', () => {
    ok(CreateUserBody, { email: 'ada@example.com', name: 'Ada', slug: 'ada' });
    refused(CreateUserBody, { email: 'not-an-email', name: 'Ada', slug: 'ada' });
    ok(CreateEnvironmentBody, { name: 'my-env', teamId: null });
    refused(CreateEnvironmentBody, { name: 'runtime' }, 'is a reserved name');
  });
});

describe('requireValueForKind', () => {
  it("throws the contract's 422 at body.value, and passes a valid value", () => {
    expect(() => requireValueForKind('text', false)).not.toThrow();
    expect(() => requireValueForKind('QUJD', true)).not.toThrow();
    let caught: unknown;
    try {
      requireValueForKind('not base64!', true);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ApiError);
    const err = caught as ApiError;
    expect(err.status).toBe(422);
    expect(err.body()).toEqual({
      code: 'validation_error',
      detail: [{ loc: ['body', 'value'], msg: 'must be base64', type: 'value_error' }],
    });
  });
});

describe('query strings and headers', () => {
  it('pages with offset 0 and limit 100 by default, limit 1 to 500', () => {
    expect(ListQuery.parse({})).toEqual({ offset: 0, limit: 100 });
    expect(ListQuery.parse({ offset: '20', limit: '500' })).toEqual({ offset: 20, limit: 500 });
    for (const q of [{ limit: '501' }, { limit: '0' }, { offset: '-1' }, { limit: '1.5' }, { limit: 'ten' }]) {
      refused(ListQuery, q);
    }
  });

  it('caps the audit cursor and limit', () => {
    expect(AuditQuery.parse({})).toEqual({ limit: 100 });
    ok(AuditQuery, { cursor: 'c'.repeat(512) });
    refused(AuditQuery, { cursor: 'c'.repeat(513) });
    refused(AuditQuery, { limit: '501' });
  });

  it('takes an X-Job-Id of 1–200 printable ASCII characters without spaces', () => {
    ok(RuntimeHeaders, {});
    ok(RuntimeHeaders, { 'x-job-id': 'job-42' });
    ok(RuntimeHeaders, { 'x-job-id': '!'.repeat(200) });
    refused(RuntimeHeaders, { 'x-job-id': 'j'.repeat(201) }, 'must be at most 200 characters');
    for (const id of ['job 42', 'job\t42', 'jöb', '']) refused(RuntimeHeaders, { 'x-job-id': id });
  });
});
