import { Agent, request, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerType } from '@hono/node-server';
import { createLocalApp, serveLocal } from '../../infra/local/server.js';
import { LIMITS } from '../../shared/rules.js';
import { startTestService, type TestService } from '../support/service.js';

interface Answer {
  status?: number;
  body?: string;
  retryAfter?: string;
  requestId?: string;
  connection?: string;
  /** The request failed in the transport: the connection closed or was refused. */
  error?: string;
}

/** One request over real HTTP; the transport's failures are answers too, for the test to show. */
function send(
  port: number,
  options: {
    method?: string;
    path: string;
    headers?: OutgoingHttpHeaders;
    body?: Buffer;
    agent?: Agent;
    localAddress?: string;
  },
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.body ? { ...options.headers, 'content-length': options.body.length } : options.headers,
        agent: options.agent ?? false,
        localAddress: options.localAddress,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            body: Buffer.concat(chunks).toString('utf8'),
            retryAfter: res.headers['retry-after'],
            requestId: res.headers['x-request-id'] as string | undefined,
            connection: res.headers.connection,
          }),
        );
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end(options.body);
  });
}

let svc: TestService;
let server: ServerType;
let port: number;

beforeAll(async () => {
  svc = await startTestService();
  server = serveLocal(svc.deps, {
    hostname: '127.0.0.1',
    port: 0,
    // Three failed authentications per address, then one more each 100 s: no refill during the test.
    failedAuthentications: { ratePerSecond: 0.01, burst: 3 },
  });
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('the local server', () => {
  it('after a 413, a keep-alive client’s next requests are served, none cut off', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const oversized = await send(port, {
        method: 'POST',
        path: '/api/v1/secrets/',
        headers: { authorization: `Bearer ${svc.seed.user.apiKey}`, 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ name: 'BIG', value: 'a'.repeat(LIMITS.bodyBytes) })),
        agent,
      });
      expect(oversized.status, oversized.error).toBe(413);
      expect(JSON.parse(oversized.body!)).toEqual({ detail: expect.any(String), code: 'payload_too_large' });
      // Its body was not read: the connection closes after the answer, and the client knows it.
      expect(oversized.connection).toBe('close');

      const next: Answer[] = [];
      for (let i = 0; i < 5; i++) next.push(await send(port, { path: '/api/v1/health', agent }));
      expect(next.map((answer) => answer.error ?? answer.status)).toEqual([200, 200, 200, 200, 200]);
      // A request read in full keeps its connection.
      expect(next.map((answer) => answer.connection)).toEqual(Array(5).fill('keep-alive'));
    } finally {
      agent.destroy();
    }
  });

  it('limits failed authentications per source address: then 429 rate_limited, keyed callers elsewhere untouched', async (ctx) => {
    const whoami = '/api/v1/user/whoami';
    const wrongKey = { authorization: 'Bearer prime_not-a-key-of-this-service' };
    const from = (localAddress: string, headers?: OutgoingHttpHeaders) =>
      send(port, { path: whoami, headers, localAddress });
    // A second loopback address as another source; Linux routes all of 127/8 to loopback.
    const probe = await from('127.0.0.2');
    if (probe.error === 'EADDRNOTAVAIL') return ctx.skip('127.0.0.2 is not a loopback address of this machine');
    expect(probe.status).toBe(401); // no key at all: the first failure of 127.0.0.2

    const failing = [probe];
    for (let i = 0; i < 3; i++) failing.push(await from('127.0.0.2', wrongKey));
    expect(failing.map((answer) => answer.status)).toEqual([401, 401, 401, 429]);
    const limited = failing[3]!;
    expect(JSON.parse(limited.body!)).toEqual({
      code: 'rate_limited',
      detail: 'Too many requests without a valid API key from this address. Retry later.',
    });
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    // The 401 it replaces had its id (and its log and metric lines carry it): the 429 keeps it.
    expect(limited.requestId).toMatch(/^[a-z2-7]{24}$/);

    // Until a token is back, the address is refused before its key is looked at, a good one too.
    const refused = await from('127.0.0.2', { authorization: `Bearer ${svc.seed.user.apiKey}` });
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.requestId).toMatch(/^[a-z2-7]{24}$/);

    // Another address has its own bucket: its wrong key is a 401, its good keys are served.
    expect((await from('127.0.0.1', wrongKey)).status).toBe(401);
    expect((await from('127.0.0.1', { authorization: `Bearer ${svc.seed.user.apiKey}` })).status).toBe(200);
    const runtime = await send(port, {
      path: `/api/v1/environmentshub/${svc.seed.environments.personal.id}/runtime`,
      headers: { authorization: `Bearer ${svc.seed.serviceKey}` },
      localAddress: '127.0.0.1',
    });
    expect(runtime.status).toBe(200);
  });
});

describe('cross-origin calls', () => {
  const origin = 'https://app.example.com';
  const preflight = (app: ReturnType<typeof createLocalApp>, from: string) =>
    app.request('/api/v1/secrets/', {
      method: 'OPTIONS',
      headers: {
        origin: from,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });

  it('answers preflights and marks answers for the allowed origins only, never with credentials', async () => {
    const app = createLocalApp(svc.deps, [origin]);
    const allowed = await preflight(app, origin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();

    const listed = await app.request('/api/v1/secrets/', {
      headers: { origin, authorization: `Bearer ${svc.seed.user.apiKey}` },
    });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('access-control-allow-origin')).toBe(origin);
    expect(listed.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);

    const elsewhere = await preflight(app, 'https://attacker.example');
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers no preflight when no origin is allowed (the default)', async () => {
    const refused = await preflight(createLocalApp(svc.deps), origin);
    expect(refused.status).toBe(404);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});
