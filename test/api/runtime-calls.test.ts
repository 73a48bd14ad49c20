import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import { SealBrokenError } from '../../shared/crypto/envelope.js';
import { dataKeyContext } from '../../shared/crypto/key-provider.js';
import { KmsKeyProvider } from '../../shared/crypto/kms-key-provider.js';
import { directSecrets, variables } from '../../shared/services/entry-operations.js';
import { linkGlobalSecret } from '../../shared/services/links.js';
import { createGlobalSecret } from '../../shared/services/global-secrets.js';
import { settledDataKeys, useSkippableClock } from '../support/reseal.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * What one runtime read costs, counted at the SDK boundary: DynamoDB calls with a middleware
 * on the service's own client, KMS calls on a KMS client whose transport is replaced by a
 * stand-in that wraps data keys for real (AES-256-GCM under a test key, bound to the
 * encryption context), so a wrong context fails as it would in KMS.
 */

const KMS_KEY_ID = 'arn:aws:kms:us-east-1:123456789012:key/00000000-test-0000-0000-000000000000';

// ---- the KMS stand-in ----

const kmsCalls: string[] = [];
const kmsMasterKey = randomBytes(32);

/** KMS treats an encryption context as an unordered map; so does the AAD here. */
const contextAad = (keyId: string, context: Record<string, string> | undefined) =>
  Buffer.from(JSON.stringify([keyId, Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))]));

function kmsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: {} });
}

function fakeKmsClient(): KMSClient {
  const client = new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const input = args.input as Record<string, any>;
      kmsCalls.push(context.commandName ?? 'unknown');
      if (input.KeyId !== KMS_KEY_ID) throw kmsError('NotFoundException', 'unknown key');
      const aad = contextAad(input.KeyId, input.EncryptionContext);
      if (context.commandName === 'GenerateDataKeyCommand') {
        expect(input.KeySpec).toBe('AES_256');
        const plaintext = randomBytes(32);
        const nonce = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', kmsMasterKey, nonce).setAAD(aad);
        const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
        const blob = Buffer.concat([nonce, cipher.getAuthTag(), ct]);
        return {
          output: {
            KeyId: KMS_KEY_ID,
            Plaintext: new Uint8Array(plaintext),
            CiphertextBlob: new Uint8Array(blob),
            $metadata: {},
          },
          response: {},
        };
      }
      if (context.commandName === 'DecryptCommand') {
        const blob = Buffer.from(input.CiphertextBlob as Uint8Array);
        try {
          const decipher = createDecipheriv('aes-256-gcm', kmsMasterKey, blob.subarray(0, 12)).setAAD(aad);
          decipher.setAuthTag(blob.subarray(12, 28));
          const plaintext = Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]);
          return { output: { KeyId: KMS_KEY_ID, Plaintext: new Uint8Array(plaintext), $metadata: {} }, response: {} };
        } catch {
          throw kmsError('InvalidCiphertextException', 'The ciphertext or its encryption context is not valid.');
        }
      }
      throw kmsError('UnsupportedOperationException', `unexpected KMS call ${context.commandName}`);
    },
    { step: 'initialize', name: 'fakeKms' },
  );
  return client;
}

// ---- DynamoDB call recording ----

interface CallEvent {
  id: number;
  command: string;
  phase: 'start' | 'end';
  /** For BatchGetItem: how many keys the call asked for. */
  keys?: number;
}

let recording = false;
let events: CallEvent[] = [];
let nextCallId = 0;

function recordDynamoCalls(s: TestService): void {
  s.deps.db.raw.middlewareStack.add(
    (next, context) => async (args) => {
      if (!recording) return next(args);
      const id = ++nextCallId;
      const command = (context.commandName ?? 'unknown').replace(/Command$/, '');
      const input = args.input as { RequestItems?: Record<string, { Keys?: unknown[] }> };
      const keys =
        command === 'BatchGetItem'
          ? Object.values(input.RequestItems ?? {}).reduce((n, r) => n + (r.Keys?.length ?? 0), 0)
          : undefined;
      events.push({ id, command, phase: 'start', ...(keys === undefined ? {} : { keys }) });
      try {
        return await next(args);
      } finally {
        events.push({ id, command, phase: 'end' });
      }
    },
    { step: 'initialize', name: 'recordCalls' },
  );
}

const READS = new Set(['GetItem', 'Query', 'BatchGetItem']);

/** The reads and a user key's request count (shared/http/table-rate-limit.ts), which the read waits for. */
const READS_AND_COUNT = new Set([...READS, 'UpdateItem']);

/**
 * Read calls (or `counted` ones) grouped into sequential rounds: a round is a stretch where
 * one of them is in flight. Each round's calls in order of name.
 */
function readRounds(log: CallEvent[], counted = READS): string[][] {
  const rounds: string[][] = [];
  let inFlight = 0;
  for (const e of log) {
    if (!counted.has(e.command)) continue;
    if (e.phase === 'start') {
      if (inFlight === 0) rounds.push([]);
      rounds.at(-1)!.push(e.command);
      inFlight++;
    } else {
      inFlight--;
    }
  }
  return rounds.map((round) => round.sort());
}

const starts = (log: CallEvent[]) => log.filter((e) => e.phase === 'start');
const position = (log: CallEvent[], id: number, phase: 'start' | 'end') =>
  log.findIndex((e) => e.id === id && e.phase === phase);

/**
 * The calls of `fn`, the environments' partitions read afresh (a container that kept one checks
 * its revision instead of the Query: counted on its own below).
 */
async function measured<T>(
  fn: () => Promise<T>,
  { keptPartitions = false } = {},
): Promise<{ result: T; log: CallEvent[]; kms: string[] }> {
  if (!keptPartitions) svc.deps.partitions.clear();
  events = [];
  kmsCalls.length = 0;
  recording = true;
  try {
    const result = await fn();
    return { result, log: events, kms: [...kmsCalls] };
  } finally {
    recording = false;
  }
}

// ---- the service and its data ----

let svc: TestService;
let provider: KmsKeyProvider;
let dev: Principal;

const counts = { direct: 0, linked: 0, variables: 0 };

async function oneByOne(count: number, make: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < count; i++) await make(i);
}

/**
 * Grows an environment to `direct` direct secrets, `linked` linked global secrets, `variables`
 * variables, through the service functions: one writer per kind, the three in parallel. Every
 * entry write also counts itself on the environment's META item, so more writers would only
 * lose transaction conflicts and back off.
 */
async function growTo(envId: string, have: typeof counts, want: typeof counts, teamId?: string): Promise<void> {
  await Promise.all([
    oneByOne(want.direct - have.direct, (j) => {
      const i = have.direct + j;
      return directSecrets.create(svc.deps, dev, envId, { name: `DIRECT_${i}`, value: `direct-${i}` });
    }),
    oneByOne(want.variables - have.variables, (j) => {
      const i = have.variables + j;
      return variables.create(svc.deps, dev, envId, { name: `VAR_${i}`, value: `var-${i}` });
    }),
    oneByOne(want.linked - have.linked, async (j) => {
      const i = have.linked + j;
      const secret = await createGlobalSecret(svc.deps, dev, { name: `GLOBAL_${i}`, value: `global-${i}`, teamId });
      await linkGlobalSecret(svc.deps, dev, envId, secret.id);
    }),
  ]);
  Object.assign(have, want);
}

function expectResolved(body: any, envId: string, want: typeof counts): void {
  expect(body.data.environmentId).toBe(envId);
  const env = body.data.env as Record<string, string>;
  expect(Object.keys(env)).toHaveLength(want.direct + want.linked + want.variables);
  const sources = Object.values(body.data.sources as Record<string, string>);
  expect(sources.filter((s) => s === 'environment')).toHaveLength(want.direct);
  expect(sources.filter((s) => s === 'global-linked')).toHaveLength(want.linked);
  expect(sources.filter((s) => s === 'variable')).toHaveLength(want.variables);
  for (let i = 0; i < want.direct; i++) expect(env[`DIRECT_${i}`]).toBe(`direct-${i}`);
  for (let i = 0; i < want.linked; i++) expect(env[`GLOBAL_${i}`]).toBe(`global-${i}`);
  for (let i = 0; i < want.variables; i++) expect(env[`VAR_${i}`]).toBe(`var-${i}`);
}

beforeAll(async () => {
  provider = new KmsKeyProvider(KMS_KEY_ID, fakeKmsClient());
  svc = await startTestService({ keyProvider: provider });
  recordDynamoCalls(svc);
  dev = { type: 'user', userId: svc.seed.user.id, keyId: 'test', scopes: ['manage'] };
});

describe('the KMS stand-in', () => {
  it('wraps data keys bound to their encryption context, as KMS does', async () => {
    const context = dataKeyContext('U#someone');
    const generated = await provider.generateDataKey(context);
    expect(generated.plaintext).toHaveLength(32);
    expect(Buffer.from(generated.wrapped).includes(generated.plaintext)).toBe(false);
    expect(await provider.decryptDataKey(generated.wrapped, context)).toEqual(generated.plaintext);
    await expect(provider.decryptDataKey(generated.wrapped, dataKeyContext('U#someone-else'))).rejects.toBeInstanceOf(
      SealBrokenError,
    );
    const tampered = Buffer.from(generated.wrapped);
    tampered[tampered.length - 1]! ^= 1;
    await expect(provider.decryptDataKey(tampered, context)).rejects.toBeInstanceOf(SealBrokenError);
  });
});

describe('the runtime read with a service key', () => {
  const envId = () => svc.seed.environments.personal.id;
  const read = (key = svc.seed.serviceKey) =>
    svc.call('GET', `/api/v1/environmentshub/${envId()}/runtime`, { key, headers: { 'x-job-id': 'job-count' } });

  it('the owner got one data key, made once by KMS although writes raced for it', async () => {
    kmsCalls.length = 0;
    await growTo(envId(), counts, { direct: 4, linked: 3, variables: 3 });
    expect(kmsCalls).toEqual(['GenerateDataKeyCommand']);
  });

  for (const n of [10, 100, 300]) {
    it(`makes one Query and one BatchGetItem round, one KMS call cold and none warm (N = ${n})`, async () => {
      const third = Math.floor(n / 3);
      const want = { direct: n - 2 * third, linked: third, variables: third };
      await growTo(envId(), counts, want);
      expect(want.direct + want.linked + want.variables).toBe(n);

      // Warms the API key cache (counted separately below) and checks the whole set.
      const first = await read();
      expect(first.status).toBe(200);
      expectResolved(first.body, envId(), want);

      for (const temperature of ['cold', 'warm'] as const) {
        if (temperature === 'cold') svc.deps.dataKeys.clear();
        const { result, log, kms } = await measured(() => read());
        expect(result.status).toBe(200);
        expectResolved(result.body, envId(), want);

        expect(kms).toEqual(temperature === 'cold' ? ['DecryptCommand'] : []);

        // Exactly: one Query, BatchGetItem (the linked secrets, plus the data key when cold;
        // 100 keys per call, the calls in parallel), and the audit event's PutItem.
        const keysWanted = want.linked + (temperature === 'cold' ? 1 : 0);
        const calls = starts(log);
        const batches = calls.filter((c) => c.command === 'BatchGetItem');
        expect(calls.map((c) => c.command).sort()).toEqual(
          ['PutItem', 'Query', ...Array<string>(Math.ceil(keysWanted / 100)).fill('BatchGetItem')].sort(),
        );
        expect(batches.reduce((sum, b) => sum + b.keys!, 0)).toBe(keysWanted);

        // Two sequential read rounds: the Query, then the batch.
        expect(readRounds(log)).toEqual([['Query'], batches.map(() => 'BatchGetItem')]);

        // The audit PutItem runs alongside the batch: after the Query, overlapping the batch
        // (it names each linked secret's version by what its link knows).
        const put = calls.find((c) => c.command === 'PutItem')!;
        const query = calls.find((c) => c.command === 'Query')!;
        expect(position(log, put.id, 'start')).toBeGreaterThan(position(log, query.id, 'end'));
        expect(position(log, put.id, 'start')).toBeLessThan(
          Math.max(...batches.map((b) => position(log, b.id, 'end'))),
        );
        expect(position(log, put.id, 'end')).toBeGreaterThan(
          Math.min(...batches.map((b) => position(log, b.id, 'start'))),
        );
      }
    });
  }

  it('concurrent cold reads share one KMS call', async () => {
    await read(); // the key is cached
    svc.deps.dataKeys.clear();
    const { result, kms } = await measured(() => Promise.all(Array.from({ length: 5 }, () => read())));
    for (const r of result) expectResolved(r.body, envId(), counts);
    expect(kms).toEqual(['DecryptCommand']);
  });

  it('looks an API key up once, then trusts the cache', async () => {
    const issued = await svc.call('POST', '/api/v1/admin/service-keys', {
      key: svc.seed.adminKey,
      body: { service: 'hosted-evaluations', name: 'counted' },
    });
    expect(issued.status).toBe(201);
    const key = issued.body.data.key as string;

    const first = await measured(() => read(key));
    expect(first.result.status).toBe(200);
    const firstCalls = starts(first.log).map((c) => c.command);
    expect(firstCalls.filter((c) => c === 'GetItem')).toHaveLength(1);
    // The key look-up comes first, on its own; then the same two rounds as always.
    const batchRound = Array<string>(Math.ceil(counts.linked / 100)).fill('BatchGetItem');
    expect(readRounds(first.log)).toEqual([['GetItem'], ['Query'], batchRound]);
    expect(first.kms).toEqual([]);

    const second = await measured(() => read(key));
    expect(second.result.status).toBe(200);
    expect(starts(second.log).map((c) => c.command)).not.toContain('GetItem');
    expect(readRounds(second.log)).toEqual([['Query'], batchRound]);
  });
});

describe('the runtime read with a user runtime key on a team environment', () => {
  it('fetches the membership in the same batch: still two read rounds, one KMS call cold', async () => {
    const envId = svc.seed.environments.team.id;
    const teamCounts = { direct: 0, linked: 0, variables: 0 };
    const want = { direct: 4, linked: 4, variables: 4 };
    await growTo(envId, teamCounts, want, svc.seed.team.id);
    const read = () => svc.call('GET', `/api/v1/environmentshub/${envId}/runtime`, { key: svc.seed.user.runtimeKey });
    expect((await read()).status).toBe(200); // the API key is cached from here on

    svc.deps.dataKeys.clear();
    const cold = await measured(read);
    expect(cold.result.status).toBe(200);
    expectResolved(cold.result.body, envId, want);
    expect(cold.kms).toEqual(['DecryptCommand']);
    const calls = starts(cold.log);
    // The user's request count (an UpdateItem) besides the read's own calls.
    expect(calls.map((c) => c.command).sort()).toEqual(['BatchGetItem', 'PutItem', 'Query', 'UpdateItem']);
    // The linked secrets, the data key and the caller's membership, in one batch.
    expect(calls.find((c) => c.command === 'BatchGetItem')!.keys).toBe(want.linked + 2);
    // The count runs beside the Query: still two rounds, counted with it.
    expect(readRounds(cold.log, READS_AND_COUNT)).toEqual([['Query', 'UpdateItem'], ['BatchGetItem']]);

    const warm = await measured(read);
    expect(warm.kms).toEqual([]);
    expect(starts(warm.log).find((c) => c.command === 'BatchGetItem')!.keys).toBe(want.linked + 1);
    expect(readRounds(warm.log, READS_AND_COUNT)).toEqual([['Query', 'UpdateItem'], ['BatchGetItem']]);

    // The check with the same key: the same two rounds, the count beside the Query.
    const checked = await measured(() =>
      svc.call('GET', `/api/v1/environmentshub/${envId}/runtime/check`, { key: svc.seed.user.runtimeKey }),
    );
    expect(checked.result.status).toBe(200);
    expect(readRounds(checked.log, READS_AND_COUNT)).toEqual([['Query', 'UpdateItem'], ['BatchGetItem']]);
  });

  it('on a personal environment, writes the audit event beside the batch: two rounds of every call', async () => {
    const envId = svc.seed.environments.personal.id;
    const read = () => svc.call('GET', `/api/v1/environmentshub/${envId}/runtime`, { key: svc.seed.user.runtimeKey });
    expect((await read()).status).toBe(200);
    const warm = await measured(read);
    expect(warm.result.status).toBe(200);
    const batchRound = Array<string>(Math.ceil(counts.linked / 100)).fill('BatchGetItem');
    const every = new Set(starts(warm.log).map((c) => c.command));
    expect(readRounds(warm.log, every)).toEqual([
      ['Query', 'UpdateItem'],
      [...batchRound, 'PutItem'],
    ]);
  });

  it('is refused with 429 once the count is spent, before the batch; then before any call', async () => {
    // A user window of 2 requests in 2 s, the clock held at a window's start.
    const limited = await startTestService({ env: { RATE_LIMIT_USER_RPS: '1', RATE_LIMIT_USER_BURST: '2' } });
    recordDynamoCalls(limited);
    const envId = limited.seed.environments.personal.id;
    const read = () =>
      limited.call('GET', `/api/v1/environmentshub/${envId}/runtime`, { key: limited.seed.user.runtimeKey });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Math.ceil(Date.now() / 2_000) * 2_000 + 2_000);
      expect([(await read()).status, (await read()).status]).toEqual([200, 200]);
      limited.deps.partitions.clear();
      const refused = await measured(read);
      expect(refused.result.status).toBe(429);
      expect(refused.result.body.code).toBe('rate_limited');
      expect(refused.result.headers.get('retry-after')).toBe('2');
      // No batch, no audit event, no value: the refusal came with the first round.
      expect(readRounds(refused.log, READS_AND_COUNT)).toEqual([['Query', 'UpdateItem']]);
      expect(starts(refused.log)).toHaveLength(2);
      // From then on this process refuses the key until the window ends, without a call.
      const again = await measured(read);
      expect(again.result.status).toBe(429);
      expect(again.log).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('requirements and the pre-flight check', () => {
  it('the read with requirements and the check both take one Query and one BatchGetItem; the check no KMS, no write', async () => {
    const envId = svc.seed.environments.team.id;
    const base = `/api/v1/environmentshub/${envId}`;
    for (const name of ['GLOBAL_0', 'DIRECT_0', 'NOT_THERE']) {
      const put = await svc.call('PUT', `${base}/requirements/${name}`, {
        key: svc.seed.user.apiKey,
        body: { optional: name === 'NOT_THERE' },
      });
      expect(put.status).toBe(200);
    }
    const read = () => svc.call('GET', `${base}/runtime`, { key: svc.seed.serviceKey });
    const check = () => svc.call('GET', `${base}/runtime/check`, { key: svc.seed.serviceKey });
    expect((await read()).status).toBe(200); // the service key is cached from here on

    svc.deps.dataKeys.clear();
    const cold = await measured(read);
    expect(cold.result.status).toBe(200);
    expect(cold.kms).toEqual(['DecryptCommand']);
    expect(readRounds(cold.log)).toEqual([['Query'], ['BatchGetItem']]);

    const checked = await measured(check);
    expect(checked.result.body.data).toMatchObject({ ready: true, optionalMissing: ['NOT_THERE'] });
    expect(checked.kms).toEqual([]);
    expect(starts(checked.log).map((c) => c.command)).toEqual(['Query', 'BatchGetItem']);
    expect(readRounds(checked.log)).toEqual([['Query'], ['BatchGetItem']]);
  });
});

describe('the runtime read with a runtime token', () => {
  it('looks the token up once like a key, then the same two read rounds: one KMS call cold, none warm', async () => {
    const envId = svc.seed.environments.personal.id;
    const minted = await svc.call('POST', `/api/v1/environmentshub/${envId}/runtime-tokens`, {
      key: svc.seed.serviceKey,
      body: { jobId: 'job-token-count' },
    });
    expect(minted.status).toBe(201);
    const read = (key = minted.body.data.token as string) =>
      svc.call('GET', `/api/v1/environmentshub/${envId}/runtime`, { key });
    // The linked secrets, and the data key when cold: 100 keys to a BatchGetItem, the calls in parallel.
    const batchRound = (cold: boolean) =>
      Array<string>(Math.ceil((counts.linked + (cold ? 1 : 0)) / 100)).fill('BatchGetItem');

    expect((await read(svc.seed.serviceKey)).status).toBe(200); // the data key is in memory
    const first = await measured(() => read());
    expect(first.result.status).toBe(200);
    expect(readRounds(first.log)).toEqual([['GetItem'], ['Query'], batchRound(false)]);

    for (const temperature of ['cold', 'warm'] as const) {
      if (temperature === 'cold') svc.deps.dataKeys.clear();
      const { result, log, kms } = await measured(() => read());
      expect(result.status).toBe(200);
      expectResolved(result.body, envId, counts);
      expect(kms).toEqual(temperature === 'cold' ? ['DecryptCommand'] : []);
      // Decided before the batch, like a service key: its audit event goes beside it.
      expect(
        starts(log)
          .map((c) => c.command)
          .filter((c) => c !== 'BatchGetItem'),
      ).toEqual(['Query', 'PutItem']);
      expect(readRounds(log)).toEqual([['Query'], batchRound(temperature === 'cold')]);
    }

    // The check with the same token: no KMS, no write, the same two rounds.
    const checked = await measured(() =>
      svc.call('GET', `/api/v1/environmentshub/${envId}/runtime/check`, { key: minted.body.data.token as string }),
    );
    expect(checked.result.status).toBe(200);
    expect(checked.kms).toEqual([]);
    expect(readRounds(checked.log)).toEqual([['Query'], batchRound(false)]);
    expect(starts(checked.log).filter((c) => !READS.has(c.command))).toEqual([]);
  });
});

describe('the runtime read after a rotation of the data key', () => {
  afterAll(() => {
    vi.restoreAllMocks();
  });

  it('is still two read rounds and one KMS call cold, every value re-sealed and link hints moved', async () => {
    const envId = svc.seed.environments.personal.id;
    const key = svc.seed.user.apiKey;
    const read = () => svc.call('GET', `/api/v1/environmentshub/${envId}/runtime`, { key: svc.seed.serviceKey });
    useSkippableClock();
    const before = (await settledDataKeys(svc, key)).current as number;
    const rotated = await svc.call('POST', '/api/v1/data-keys/rotate', { key, body: {} });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(202);
    const after = await settledDataKeys(svc, key);
    expect(after.current).toBe(before + 1);
    expect(after.versions.map((v: any) => v.version)).toEqual([before + 1]);

    // The skipped clock may have aged the service key out of the key cache: only data keys are measured.
    expect((await read()).status).toBe(200);
    svc.deps.dataKeys.clear();
    const cold = await measured(read);
    expect(cold.result.status).toBe(200);
    expectResolved(cold.result.body, envId, counts);
    expect(cold.kms).toEqual(['DecryptCommand']);
    const batches = starts(cold.log).filter((c) => c.command === 'BatchGetItem');
    expect(batches.reduce((sum, b) => sum + b.keys!, 0)).toBe(counts.linked + 1);
    expect(readRounds(cold.log)).toEqual([['Query'], batches.map(() => 'BatchGetItem')]);
  });
});
