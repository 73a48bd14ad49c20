import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDevelopmentData, type DevCredentials } from '../../infra/local/seed.js';
import { readConfig } from '../../shared/config.js';
import { createTestTable } from '../support/table.js';
import { testDeps } from '../support/service.js';

/**
 * Per-key limits across processes: three real service processes (`table-server.ts`, each with
 * its own memory, as Lambda containers have) over one table of DynamoDB Local, and one user key
 * sent to all three in turn. Together they must allow what one process allows.
 */

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
/** The user limit in force: 40 requests a window of 40 ÷ 1 = 40 s (shared/http/table-rate-limit.ts). */
const BURST = 40;
const WINDOW_MS = (BURST / 1) * 1000;
const LIMITS = { RATE_LIMIT_USER_RPS: '1', RATE_LIMIT_USER_BURST: String(BURST) };
const REQUESTS = 150;

const children: ChildProcess[] = [];
let baseUrls: string[] = [];
let seed: DevCredentials;
let secondUserKey: string;

/** A service process of its own over the test's table; its base URL once it listens. */
async function startProcess(env: Record<string, string>): Promise<string> {
  const child = spawn(TSX, [join('test', 'local', 'table-server.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = /^\{"port":\d+\}$/m.exec(output)?.[0];
      if (line) resolve(`http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`service process exited (${code}): ${output}`)));
  });
}

/**
 * Sends `count` requests with `key`, one after the other, to `urls` in turn. Every answer is
 * 200 or the contract's 429 with Retry-After; returns how many were let through, and which
 * windows the requests fell in.
 */
async function spend(urls: string[], key: string, count: number): Promise<{ allowed: number; windows: number }> {
  const first = Math.floor(Date.now() / WINDOW_MS);
  let allowed = 0;
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${urls[i % urls.length]}/api/v1/user/whoami`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const body = (await res.json()) as { code?: string };
    if (res.status === 200) allowed++;
    else {
      expect(res.status, JSON.stringify(body)).toBe(429);
      expect(body.code).toBe('rate_limited');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
  }
  return { allowed, windows: Math.floor(Date.now() / WINDOW_MS) - first + 1 };
}

beforeAll(async () => {
  const { endpoint, tableName } = await createTestTable();
  const env = {
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'prime-shared-limits-')),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...LIMITS,
  };
  const deps = testDeps(readConfig(env));
  seed = await seedDevelopmentData(deps, 'http://localhost');
  deps.db.raw.destroy();
  baseUrls = await Promise.all([startProcess(env), startProcess(env), startProcess(env)]);
  // A second user, for what one process alone lets through.
  const created = await fetch(`${baseUrls[0]}/api/v1/admin/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${seed.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'second@example.com', name: 'second', slug: 'second' }),
  });
  expect(created.status).toBe(201);
  secondUserKey = ((await created.json()) as { data: { apiKey: string } }).data.apiKey;
}, 60_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
});

describe('a user key sent to three service processes over one table', () => {
  it('is let through as often as by one process: one window of the limit, not three', async () => {
    const three = await spend(baseUrls, seed.user.apiKey, REQUESTS);
    const one = await spend(baseUrls.slice(0, 1), secondUserKey, REQUESTS);
    const seen = `three processes let ${three.allowed} through, one ${one.allowed}`;
    // At most the limit in each window the requests fell in (two, should they cross an edge);
    // with a bucket per process, each of the three would let 40 and more through.
    for (const run of [three, one]) {
      expect(run.allowed, seen).toBeLessThanOrEqual(BURST * run.windows);
      expect(run.allowed, seen).toBeGreaterThanOrEqual(BURST);
    }
    if (one.windows === 1 && three.windows === 1) expect(three.allowed, seen).toBe(one.allowed);
  });
});
