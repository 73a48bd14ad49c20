import { mkdtempSync } from 'node:fs';
import { expect } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig, type ServiceConfig } from '../../shared/config.js';
import { createDeps, type Deps } from '../../shared/deps.js';
import type { KeyProvider } from '../../shared/crypto/key-provider.js';
import { createLocalApp } from '../../infra/local/server.js';
import { seedDevelopmentData, type DevCredentials } from '../../infra/local/seed.js';
import { createTestTable } from './table.js';
import type { Logger } from '../../shared/logger.js';

export interface TestService {
  deps: Deps;
  app: ReturnType<typeof createLocalApp>;
  seed: DevCredentials;
  tableName: string;
  dataDir: string;
  /** Calls the local app as a client would; JSON in and out. */
  call: (method: string, path: string, options?: CallOptions) => Promise<CallResult>;
  /**
   * A new user made with the admin key (POST /admin/users): `accountKey` is the key issued with
   * them (every scope), `key` a `manage` key the admin issued too, like the seed's `user.apiKey`.
   */
  newUser: (slug: string, name?: string) => Promise<{ id: string; key: string; accountKey: string }>;
  /** A new user added to the seeded team with `role`, and their key. */
  teamMember: (slug: string, role: 'viewer' | 'member' | 'admin') => Promise<{ id: string; key: string }>;
  /**
   * Calls as the seeded user (or `options.key`) and insists on the status, showing the answer
   * on a mismatch; returns the answer's body.
   */
  must: (status: number, method: string, path: string, body?: unknown, options?: CallOptions) => Promise<any>;
  /** The resolved `env` of an environment's runtime read, with the service key. */
  runtimeEnv: (envId: string) => Promise<Record<string, string>>;
}

export interface CallOptions {
  key?: string | undefined;
  body?: unknown;
  /** A raw body, sent as is (malformed JSON, oversized bodies). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  body: any;
  headers: Headers;
}

export const UNLIMITED = {
  RATE_LIMIT_USER_RPS: '1000000',
  RATE_LIMIT_USER_BURST: '1000000',
  RATE_LIMIT_SERVICE_RPS: '1000000',
  RATE_LIMIT_SERVICE_BURST: '1000000',
};

/**
 * A service's Deps (one Lambda container's) for a test: its metric lines, counted for every
 * request as in Lambda, are dropped unless the test takes them (`writeMetrics`), so that no
 * container a test makes writes them into the test run's output.
 */
export const testDeps = (config: ServiceConfig, overrides: Parameters<typeof createDeps>[1] = {}): Deps =>
  createDeps(config, { writeMetrics: () => undefined, ...overrides });

/** A service over a fresh table in the shared DynamoDB Local, seeded like `npm start`. */
export async function startTestService(
  options: {
    keyProvider?: KeyProvider;
    logger?: Logger;
    env?: Record<string, string>;
    stream?: boolean;
    /** Where the metric lines go; counted for every request and dropped by default. */
    writeMetrics?: (line: string) => void;
  } = {},
): Promise<TestService> {
  const { endpoint, tableName } = await createTestTable({ stream: options.stream });
  const dataDir = mkdtempSync(join(tmpdir(), 'prime-secrets-test-'));
  const config = readConfig({
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    DATA_DIR: dataDir,
    // Tests fire bursts on purpose; the rate limit has tests of its own that set it low.
    ...UNLIMITED,
    ...options.env,
  });
  const deps = testDeps(config, {
    keyProvider: options.keyProvider,
    logger: options.logger,
    ...(options.writeMetrics ? { writeMetrics: options.writeMetrics } : {}),
  });
  const app = createLocalApp(deps);
  const seed = await seedDevelopmentData(deps, 'http://localhost');
  const call = caller(app);
  const newUser = async (slug: string, name = slug) => {
    const res = await call('POST', '/api/v1/admin/users', {
      key: seed.adminKey,
      body: { email: `${slug}@example.com`, name, slug },
    });
    expect(res.status, `create user ${slug}: ${JSON.stringify(res.body)}`).toBe(201);
    const id = res.body.data.user.id as string;
    const manage = await call('POST', `/api/v1/admin/users/${id}/api-keys`, {
      key: seed.adminKey,
      body: { name: 'manage', scopes: ['manage'] },
    });
    expect(manage.status, `manage key of ${slug}: ${JSON.stringify(manage.body)}`).toBe(201);
    return { id, key: manage.body.data.key as string, accountKey: res.body.data.apiKey as string };
  };
  const runtimeEnv = async (envId: string) => {
    const res = await call('GET', `/api/v1/environmentshub/${envId}/runtime`, { key: seed.serviceKey });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data.env as Record<string, string>;
  };
  const must = async (status: number, method: string, path: string, body?: unknown, options: CallOptions = {}) => {
    const res = await call(method, path, { key: seed.user.apiKey, body, ...options });
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
    return res.body;
  };
  const teamMember = async (slug: string, role: 'viewer' | 'member' | 'admin') => {
    const user = await newUser(slug);
    await must(201, 'POST', `/api/v1/teams/${seed.team.id}/members`, { userId: user.id, role });
    return user;
  };
  return { deps, app, seed, tableName, dataDir, call, newUser, teamMember, must, runtimeEnv };
}

/** Calls an app as a client would: JSON in and out, the body parsed when it is JSON. */
export function caller(app: { request: (path: string, init: RequestInit) => Response | Promise<Response> }) {
  return async (method: string, path: string, opts: CallOptions = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
    if (opts.key !== undefined) headers.authorization = `Bearer ${opts.key}`;
    const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    const res = await app.request(path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text for the assertion to show
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
}
