import { beforeAll, describe, expect, it } from 'vitest';
import { useCliHarness } from './harness.js';

/**
 * What `prime env run` hands its command besides the environment's set: none of prime's own
 * variables (a key there reaches every dependency of the command) unless --keep-prime-env.
 */
const h = useCliHarness();
const ENV = 'dev/my-environment';
/** A child that prints its whole environment as JSON. */
const PRINT_ENV = [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.env))'];

let runtimeKey: string;
let token: string;
beforeAll(async () => {
  runtimeKey = h.svc.seed.user.runtimeKey;
  const envId = h.svc.seed.environments.personal.id;
  const add = await h.svc.call('POST', `/api/v1/environmentshub/${envId}/variables`, {
    key: runtimeKey,
    body: { name: 'LOG_LEVEL', value: 'debug' },
  });
  expect(add.status).toBe(201);
  const minted = await h.svc.call('POST', `/api/v1/environmentshub/${envId}/runtime-tokens`, {
    key: runtimeKey,
    body: { jobId: 'job-1' },
  });
  expect(minted.status).toBe(201);
  token = minted.body.data.token;
});

/** prime's settings as a CI job or a laptop would have them, beside variables of the user's own. */
const SETTINGS = {
  PRIME_TEAM_ID: '',
  PRIME_CONTEXT: '',
  PRIME_TIMEOUT: '20',
  PRIME_API_BASE_URL: 'http://127.0.0.1:1',
  PRIME_USER_VARIABLE: 'kept',
  OTHER: 'kept too',
};

async function childEnv(args: string[], options: { key?: string; env?: Record<string, string> } = {}) {
  const r = await h.run(['env', 'run', ...args, '--', ...PRINT_ENV], {
    key: options.key ?? runtimeKey,
    env: { ...SETTINGS, ...options.env },
  });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, string>;
}

describe('prime env run', () => {
  it("gives the command neither the API key nor prime's settings, by default", async () => {
    const env = await childEnv([ENV]);
    expect(env).toMatchObject({ LOG_LEVEL: 'debug', PRIME_USER_VARIABLE: 'kept', OTHER: 'kept too' });
    expect(JSON.stringify(env)).not.toContain(runtimeKey);
    for (const name of ['PRIME_API_KEY', 'PRIME_BASE_URL', 'PRIME_API_BASE_URL', 'PRIME_TIMEOUT', 'PRIME_TEAM_ID']) {
      expect(env).not.toHaveProperty(name);
    }
  });

  it('keeps the runtime token from the command too, in a job', async () => {
    const envId = h.svc.seed.environments.personal.id;
    const env = await childEnv([envId], { key: '', env: { PRIME_RUNTIME_TOKEN: token } });
    expect(env.LOG_LEVEL).toBe('debug');
    expect(env).not.toHaveProperty('PRIME_RUNTIME_TOKEN');
    expect(JSON.stringify(env)).not.toContain(token);
  });

  it('passes them on with --keep-prime-env, and says so in --help', async () => {
    const env = await childEnv(['--keep-prime-env', ENV]);
    expect(env).toMatchObject({ PRIME_API_KEY: runtimeKey, PRIME_BASE_URL: h.baseUrl, PRIME_TIMEOUT: '20' });
    const help = await h.run(['env', 'run', '--help']);
    expect(help.stdout).toMatch(/--keep-prime-env +pass prime's own variables \(PRIME_API_KEY,/);
    expect(help.stdout).toContain('PRIME_API_KEY, PRIME_RUNTIME_TOKEN, PRIME_BASE_URL');
  });

  it('still sets a PRIME_ name the environment itself holds', async () => {
    const envId = h.svc.seed.environments.personal.id;
    const add = await h.svc.call('POST', `/api/v1/environmentshub/${envId}/variables`, {
      key: runtimeKey,
      body: { name: 'PRIME_TEAM_ID', value: 'from-the-environment' },
    });
    expect(add.status).toBe(201);
    try {
      expect((await childEnv([ENV])).PRIME_TEAM_ID).toBe('from-the-environment');
    } finally {
      const removed = await h.svc.call('DELETE', `/api/v1/environmentshub/${envId}/variables/${add.body.data.id}`, {
        key: runtimeKey,
      });
      expect(removed.status).toBe(200);
    }
  });
});
