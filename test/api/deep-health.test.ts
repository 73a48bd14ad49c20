import { KMSClient, KMSServiceException } from '@aws-sdk/client-kms';
import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedRequestHandler } from '../../shared/deadline.js';
import { KmsKeyProvider } from '../../shared/crypto/kms-key-provider.js';
import { keys } from '../../shared/data/keys.js';
import { startTestService, type CallResult, type TestService } from '../support/service.js';

/**
 * GET /api/v1/health/deep: the admin key's look at DynamoDB and KMS (locally the master key),
 * each timed, each failing on its own and named, never with a credential; 503 when degraded.
 */

const PATH = '/api/v1/health/deep';
const KEY_ID = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
/** What an AWS error message can carry: an account, a role, an access key id. None of it may leave. */
const LEAKY_MESSAGE =
  'User: arn:aws:sts::111122223333:assumed-role/prime-secrets-accounts/AKIAIOSFODNN7EXAMPLE is not authorized';

function expectDegraded(res: CallResult, failed: 'dynamodb' | 'kms', error: string | RegExp): void {
  expect(res.status, JSON.stringify(res.body)).toBe(503);
  expect(res.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  const { status, dependencies } = res.body.data;
  expect(status).toBe('degraded');
  const other = failed === 'dynamodb' ? 'kms' : 'dynamodb';
  // The other one was still asked, side by side, and answered.
  expect(dependencies[other]).toEqual({ ok: true, ms: expect.any(Number) });
  expect(dependencies[failed]).toEqual({ ok: false, ms: expect.any(Number), error: expect.any(String) });
  expect(dependencies[failed].error).toMatch(error);
  const text = JSON.stringify(res.body);
  for (const leak of ['111122223333', 'AKIA', 'assumed-role', 'arn:aws']) expect(text).not.toContain(leak);
}

describe('the deep health check', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });

  it('reaches DynamoDB and the local key provider, timing each', async () => {
    const res = await svc.call('GET', PATH, { key: svc.seed.adminKey });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      data: {
        status: 'ok',
        dependencies: { dynamodb: { ok: true, ms: expect.any(Number) }, kms: { ok: true, ms: expect.any(Number) } },
      },
    });
    for (const { ms } of Object.values(res.body.data.dependencies) as { ms: number }[]) {
      expect(Number.isInteger(ms) && ms >= 0).toBe(true);
    }
  });

  it("is the admin key's alone: 401 without a key, 403 for a user's or a service's", async () => {
    const none = await svc.call('GET', PATH);
    expect(none.status).toBe(401);
    for (const key of [svc.seed.user.apiKey, svc.seed.user.accountKey, svc.seed.serviceKey]) {
      const res = await svc.call('GET', PATH, { key });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ detail: 'This route needs an admin API key.', code: 'forbidden' });
    }
  });

  it('leaves the public health route as it was: no dependency, nothing revealed', async () => {
    const res = await svc.call('GET', '/api/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { status: 'ok' } });
  });

  it('says DynamoDB failed, by the name of its error alone, and still asks KMS', async () => {
    // Only the probe fails: the admin key's own look-up (a GetItem too) goes through.
    const probe = (input: Record<string, any>) => input.Key?.pk === keys.healthProbe.pk;
    svc.deps.db.raw.middlewareStack.add(
      (next) => async (args) => {
        if (probe(args.input as Record<string, any>)) {
          throw new ResourceNotFoundException({ message: LEAKY_MESSAGE, $metadata: { httpStatusCode: 400 } });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failProbe', priority: 'high' },
    );
    try {
      expectDegraded(
        await svc.call('GET', PATH, { key: svc.seed.adminKey }),
        'dynamodb',
        /^ResourceNotFoundException$/,
      );
    } finally {
      svc.deps.db.raw.middlewareStack.remove('failProbe');
    }
    expect((await svc.call('GET', PATH, { key: svc.seed.adminKey })).status).toBe(200);
  });
});

describe('the deep health check over KMS', () => {
  /** A real KMSClient answered in-process: DescribeKey by `mode`, nothing else expected. */
  const mode = { now: 'Enabled' as 'Enabled' | 'Disabled' | 'denied' };
  const sent: string[] = [];
  let svc: TestService;

  beforeAll(async () => {
    const client = new KMSClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    client.middlewareStack.add(
      (_next, context) => async () => {
        sent.push(context.commandName as string);
        if (mode.now === 'denied') {
          throw new KMSServiceException({
            name: 'AccessDeniedException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
            message: LEAKY_MESSAGE,
          });
        }
        return { output: { $metadata: {}, KeyMetadata: { KeyId: KEY_ID, KeyState: mode.now } }, response: {} } as any;
      },
      { step: 'initialize', name: 'kmsStub', priority: 'high' },
    );
    svc = await startTestService({ keyProvider: new KmsKeyProvider(KEY_ID, client) });
  });

  it('asks KMS DescribeKey once, and nothing else', async () => {
    mode.now = 'Enabled';
    sent.length = 0;
    const res = await svc.call('GET', PATH, { key: svc.seed.adminKey });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(sent).toEqual(['DescribeKeyCommand']);
  });

  it('says KMS failed when the key is disabled, naming its state', async () => {
    mode.now = 'Disabled';
    expectDegraded(
      await svc.call('GET', PATH, { key: svc.seed.adminKey }),
      'kms',
      /^KeyUnusable: the key is Disabled$/,
    );
  });

  it('says KMS failed when it refuses, by the error name, never the principal its message names', async () => {
    mode.now = 'denied';
    expectDegraded(await svc.call('GET', PATH, { key: svc.seed.adminKey }), 'kms', /^AccessDeniedException$/);
  });
});

describe('the deep health check over a KMS that never answers', () => {
  /** Where KMS requests go: a server that takes connections and never answers. */
  let blackHole: Server;
  const sockets: Socket[] = [];
  let svc: TestService;

  beforeAll(async () => {
    blackHole = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((done) => blackHole.listen(0, '127.0.0.1', done));
    const { port } = blackHole.address() as { port: number };
    const client = new KMSClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 3,
      requestHandler: boundedRequestHandler(),
    });
    svc = await startTestService({ keyProvider: new KmsKeyProvider(KEY_ID, client) });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((done) => blackHole?.close(done));
  });

  it('gives up on it at its own deadline, and says so', async () => {
    const res = await svc.call('GET', PATH, { key: svc.seed.adminKey });
    // The check's own deadline cut it (DeadlineReached), not the SDK's timeouts (a TimeoutError
    // after 3 attempts of up to 4 s each).
    expectDegraded(res, 'kms', /^no answer within \d+ ms$/);
  });
});
