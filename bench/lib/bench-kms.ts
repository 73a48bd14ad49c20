import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient } from '@aws-sdk/client-kms';

/**
 * A KMS client whose calls are answered in process (the approach of
 * test/api/runtime-calls.test.ts): GenerateDataKey and Decrypt wrap and unwrap for real with
 * AES-256-GCM under one bench master key, bound to the encryption context, after a simulated
 * network latency. Calls beyond `maxInFlight` wait for a slot, as the SDK's HTTP handler
 * waits for one of its sockets (50 by default).
 */

export const BENCH_KMS_KEY_ID = 'arn:aws:kms:us-east-1:123456789012:key/00000000-bench-0000-0000-000000000000';

export interface BenchKms {
  client: KMSClient;
  /** Every call answered since the last reset, by command name. */
  calls: string[];
  reset(): void;
  latencyMs: number;
}

const contextAad = (keyId: string, context: Record<string, string> | undefined) =>
  Buffer.from(JSON.stringify([keyId, Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))]));

const kmsError = (name: string, message: string) =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: {} });

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** The bench's KMS key: one per run, shared by every client (as the one KMS key of a stack). */
const masterKey = randomBytes(32);

type KmsCommand = 'GenerateDataKey' | 'Decrypt';

interface KmsInput {
  KeyId?: string;
  EncryptionContext?: Record<string, string>;
  CiphertextBlob?: Uint8Array;
}

/** What KMS answers: a data key wrapped, or unwrapped, under the bench's master key. */
function answer(command: KmsCommand, input: KmsInput): { KeyId: string; Plaintext: Buffer; CiphertextBlob?: Buffer } {
  if (input.KeyId !== BENCH_KMS_KEY_ID) throw kmsError('NotFoundException', 'unknown key');
  const aad = contextAad(input.KeyId, input.EncryptionContext);
  if (command === 'GenerateDataKey') {
    const plaintext = randomBytes(32);
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', masterKey, nonce).setAAD(aad);
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      KeyId: BENCH_KMS_KEY_ID,
      Plaintext: plaintext,
      CiphertextBlob: Buffer.concat([nonce, cipher.getAuthTag(), ct]),
    };
  }
  const blob = Buffer.from(input.CiphertextBlob ?? []);
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, blob.subarray(0, 12)).setAAD(aad);
    decipher.setAuthTag(blob.subarray(12, 28));
    return {
      KeyId: BENCH_KMS_KEY_ID,
      Plaintext: Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]),
    };
  } catch {
    throw kmsError('InvalidCiphertextException', 'The ciphertext or its encryption context is not valid.');
  }
}

const COMMANDS: Record<string, KmsCommand> = { GenerateDataKeyCommand: 'GenerateDataKey', DecryptCommand: 'Decrypt' };

export function createBenchKms(options: { latencyMs: number; maxInFlight?: number }): BenchKms {
  const maxInFlight = options.maxInFlight ?? 50;
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const acquire = async () => {
    while (inFlight >= maxInFlight) await new Promise<void>((done) => waiting.push(done));
    inFlight++;
  };
  const release = () => {
    inFlight--;
    waiting.shift()?.();
  };

  const calls: string[] = [];
  const client = new KMSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      calls.push(command);
      await acquire();
      try {
        if (options.latencyMs > 0) await sleep(options.latencyMs);
      } finally {
        release();
      }
      const known = COMMANDS[command];
      if (!known) throw kmsError('UnsupportedOperationException', `unexpected KMS call ${command}`);
      return { output: { ...answer(known, args.input as KmsInput), $metadata: {} }, response: {} };
    },
    { step: 'initialize', name: 'benchKms' },
  );
  return {
    client,
    calls,
    reset: () => {
      calls.length = 0;
    },
    latencyMs: options.latencyMs,
  };
}

/**
 * The same KMS over HTTP, for processes of their own (the built bundles, bench/lib/containers.ts):
 * the JSON protocol KMS speaks, on 127.0.0.1, after the same simulated latency. A client finds
 * it through `AWS_ENDPOINT_URL_KMS`.
 */
export async function startKmsServer(options: { latencyMs: number }): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (options.latencyMs > 0) await sleep(options.latencyMs);
      const command = String(req.headers['x-amz-target'] ?? '').replace(/^TrentService\./, '');
      try {
        if (command !== 'GenerateDataKey' && command !== 'Decrypt') {
          throw kmsError('UnsupportedOperationException', `unexpected KMS call ${command}`);
        }
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<KmsInput, 'CiphertextBlob'> & {
          CiphertextBlob?: string;
        };
        const blob = input.CiphertextBlob === undefined ? undefined : Buffer.from(input.CiphertextBlob, 'base64');
        const out = answer(command, { ...input, CiphertextBlob: blob });
        reply(200, {
          KeyId: out.KeyId,
          Plaintext: out.Plaintext.toString('base64'),
          ...(out.CiphertextBlob ? { CiphertextBlob: out.CiphertextBlob.toString('base64') } : {}),
        });
      } catch (err) {
        const { name, message } = err as Error;
        reply(400, { __type: name, message });
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((done) => server.close(() => done()));
    },
  };
}
