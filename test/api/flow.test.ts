import { beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});

describe('the main flow', () => {
  it('creates, links, resolves and unlinks', async () => {
    const { seed, call } = svc;
    const key = seed.user.apiKey;
    const env = seed.environments.personal.id;

    expect((await call('GET', '/api/v1/health')).body).toEqual({ data: { status: 'ok' } });
    const who = await call('GET', '/api/v1/user/whoami', { key });
    expect(who.status).toBe(200);
    expect(who.body.data.slug).toBe('dev');
    expect(who.body.data.scope.teams).toEqual([{ teamId: seed.team.id, slug: 'dev-team', role: 'admin' }]);

    const created = await call('POST', '/api/v1/secrets/', {
      key,
      body: { name: 'OPENAI_KEY', value: 'sk-global-1', description: 'judge' },
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      name: 'OPENAI_KEY',
      description: 'judge',
      isFile: false,
      userId: seed.user.id,
      teamId: null,
    });
    expect(JSON.stringify(created.body)).not.toContain('sk-global-1');
    const secretId = created.body.data.id;

    const link = await call('POST', `/api/v1/environmentshub/${env}/secrets/link/${secretId}`, { key, body: {} });
    expect(link.status).toBe(201);
    expect(link.body.data).toMatchObject({ secretId, secretName: 'OPENAI_KEY', environmentId: env });

    const direct = await call('POST', `/api/v1/environmentshub/${env}/secrets`, {
      key,
      body: { name: 'DIRECT', value: 'direct-value' },
    });
    expect(direct.status).toBe(201);
    const variable = await call('POST', `/api/v1/environmentshub/${env}/variables`, {
      key,
      body: { name: 'MODE', value: 'fast' },
    });
    expect(variable.status).toBe(201);
    expect(variable.body.data.value).toBe('fast');

    const dup = await call('POST', `/api/v1/environmentshub/${env}/variables`, {
      key,
      body: { name: 'OPENAI_KEY', value: 'x' },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('name_taken');
    expect(dup.body.detail).toContain(`unlink global secret OPENAI_KEY (${secretId}) first, then add the variable.`);

    const list = await call('GET', `/api/v1/environmentshub/${env}/secrets`, { key });
    expect(list.status).toBe(200);
    expect(list.body.totalCount).toBe(2);
    expect(list.body.data.map((s: any) => [s.name, s.source])).toEqual([
      ['DIRECT', 'environment'],
      ['OPENAI_KEY', 'global-linked'],
    ]);

    const runtime = await call('GET', `/api/v1/environmentshub/${env}/runtime`, {
      key: seed.serviceKey,
      headers: { 'x-job-id': 'job-1' },
    });
    expect(runtime.status).toBe(200);
    expect(runtime.body.data.env).toEqual({ DIRECT: 'direct-value', MODE: 'fast', OPENAI_KEY: 'sk-global-1' });
    expect(runtime.body.data.sources).toEqual({ DIRECT: 'environment', MODE: 'variable', OPENAI_KEY: 'global-linked' });

    const renamed = await call('PATCH', `/api/v1/secrets/${secretId}`, { key, body: { name: 'JUDGE_KEY' } });
    expect(renamed.status).toBe(200);
    const after = await call('GET', `/api/v1/environmentshub/${env}/runtime`, { key: seed.user.runtimeKey });
    expect(after.status).toBe(200);
    expect(after.body.data.env.JUDGE_KEY).toBe('sk-global-1');
    expect(after.body.data.env.OPENAI_KEY).toBeUndefined();

    const detail = await call('GET', `/api/v1/secrets/${secretId}`, { key });
    expect(detail.body.data.linkedEnvironments).toEqual([{ id: env, owner: 'dev', name: 'my-environment' }]);

    const unlink = await call('DELETE', `/api/v1/environmentshub/${env}/secrets/link/${secretId}`, { key });
    expect(unlink.status).toBe(200);
    const audit = await call('GET', '/api/v1/audit', { key });
    expect(audit.status).toBe(200);
    expect(audit.body.data.map((e: any) => e.action)).toContain('runtime_read');
  });
});
