import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
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
      const input = args.input as {
        KeyId?: string;
        EncryptionContext?: Record<string, string>;
        CiphertextBlob?: Uint8Array;
      };
      const command = context.commandName ?? 'unknown';
      calls.push(command);
      await acquire();
      try {
        if (options.latencyMs > 0) await sleep(options.latencyMs);
      } finally {
        release();
      }
      if (input.KeyId !== BENCH_KMS_KEY_ID) throw kmsError('NotFoundException', 'unknown key');
      const aad = contextAad(input.KeyId, input.EncryptionContext);
      if (command === 'GenerateDataKeyCommand') {
        const plaintext = randomBytes(32);
        const nonce = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', masterKey, nonce).setAAD(aad);
        const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
        const blob = Buffer.concat([nonce, cipher.getAuthTag(), ct]);
        return {
          output: { KeyId: BENCH_KMS_KEY_ID, Plaintext: plaintext, CiphertextBlob: blob, $metadata: {} },
          response: {},
        };
      }
      if (command === 'DecryptCommand') {
        const blob = Buffer.from(input.CiphertextBlob ?? []);
        try {
          const decipher = createDecipheriv('aes-256-gcm', masterKey, blob.subarray(0, 12)).setAAD(aad);
          decipher.setAuthTag(blob.subarray(12, 28));
          const plaintext = Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]);
          return { output: { KeyId: BENCH_KMS_KEY_ID, Plaintext: plaintext, $metadata: {} }, response: {} };
        } catch {
          throw kmsError('InvalidCiphertextException', 'The ciphertext or its encryption context is not valid.');
        }
      }
      throw kmsError('UnsupportedOperationException', `unexpected KMS call ${command}`);
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
