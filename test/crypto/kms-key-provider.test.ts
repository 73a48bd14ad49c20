import { randomBytes } from 'node:crypto';
import { IncorrectKeyException, InvalidCiphertextException, KMSClient, KMSServiceException } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { SealBrokenError } from '../../shared/crypto/envelope.js';
import { dataKeyContext, KeyUnusableError } from '../../shared/crypto/key-provider.js';
import { KmsKeyProvider } from '../../shared/crypto/kms-key-provider.js';
import { isDependencyUnavailable } from '../../shared/dependency-failure.js';

const KEY_ID = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

interface Sent {
  command: string;
  input: Record<string, any>;
}

/**
 * A real KMSClient whose requests never leave the process: a middleware at the start of the
 * stack records each command and answers it (or throws) before serialization, signing or
 * the network.
 */
function stubbedKms(answer: (sent: Sent) => Record<string, unknown>): { client: KMSClient; sent: Sent[] } {
  const client = new KMSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const sent: Sent[] = [];
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const call = { command: context.commandName as string, input: args.input as Record<string, any> };
      sent.push(call);
      return { output: { $metadata: {}, ...answer(call) }, response: {} } as any;
    },
    { step: 'initialize', name: 'kmsStub', priority: 'high' },
  );
  return { client, sent };
}

const throttling = () =>
  new KMSServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Rate exceeded',
  });

describe('KmsKeyProvider', () => {
  const context = dataKeyContext('T#team-1');

  it('asks GenerateDataKey for an AES_256 key under the service key, bound to owner and purpose', async () => {
    const plaintext = randomBytes(32);
    const blob = randomBytes(184);
    const { client, sent } = stubbedKms(() => ({
      Plaintext: new Uint8Array(plaintext),
      CiphertextBlob: blob,
      KeyId: KEY_ID,
    }));
    const provider = new KmsKeyProvider(KEY_ID, client);
    expect(provider.name).toBe('kms');

    const generated = await provider.generateDataKey(context);
    expect(sent).toEqual([
      {
        command: 'GenerateDataKeyCommand',
        input: { KeyId: KEY_ID, KeySpec: 'AES_256', EncryptionContext: { owner: 'T#team-1', purpose: 'secrets-dek' } },
      },
    ]);
    expect(Buffer.isBuffer(generated.plaintext)).toBe(true);
    expect(generated.plaintext.equals(plaintext)).toBe(true);
    expect(Buffer.from(generated.wrapped).equals(blob)).toBe(true);
  });

  it('fails clearly when KMS returns no key material', async () => {
    const { client } = stubbedKms(() => ({ CiphertextBlob: randomBytes(16) }));
    await expect(new KmsKeyProvider(KEY_ID, client).generateDataKey(context)).rejects.toThrow(
      'KMS returned no data key',
    );
  });

  it('sends Decrypt the wrapped key with the same key id and encryption context', async () => {
    const plaintext = randomBytes(32);
    const wrapped = randomBytes(184);
    const { client, sent } = stubbedKms(() => ({ Plaintext: new Uint8Array(plaintext), KeyId: KEY_ID }));
    const out = await new KmsKeyProvider(KEY_ID, client).decryptDataKey(wrapped, context);
    expect(out.equals(plaintext)).toBe(true);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.command).toBe('DecryptCommand');
    expect(sent[0]!.input.KeyId).toBe(KEY_ID);
    expect(sent[0]!.input.EncryptionContext).toEqual({ owner: 'T#team-1', purpose: 'secrets-dek' });
    expect(Buffer.from(sent[0]!.input.CiphertextBlob).equals(wrapped)).toBe(true);
  });

  it('passes each owner its own context', async () => {
    const { client, sent } = stubbedKms(() => ({ Plaintext: randomBytes(32), CiphertextBlob: randomBytes(64) }));
    const provider = new KmsKeyProvider(KEY_ID, client);
    await provider.generateDataKey(dataKeyContext('U#a'));
    await provider.decryptDataKey(randomBytes(64), dataKeyContext('U#b'));
    expect(sent.map((s) => s.input.EncryptionContext.owner)).toEqual(['U#a', 'U#b']);
  });

  it('turns InvalidCiphertextException and IncorrectKeyException into SealBrokenError', async () => {
    for (const make of [
      () => new InvalidCiphertextException({ message: 'context mismatch', $metadata: { httpStatusCode: 400 } }),
      () => new IncorrectKeyException({ message: 'wrong key', $metadata: { httpStatusCode: 400 } }),
    ]) {
      const { client } = stubbedKms(() => {
        throw make();
      });
      const err = await new KmsKeyProvider(KEY_ID, client)
        .decryptDataKey(randomBytes(64), context)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SealBrokenError);
      expect((err as Error).message).toBe('data key failed to open');
      expect(isDependencyUnavailable(err)).toBe(false);
    }
  });

  it('lets a throttling error through on Decrypt, as a dependency being unavailable', async () => {
    const thrown = throttling();
    const { client } = stubbedKms(() => {
      throw thrown;
    });
    const err = await new KmsKeyProvider(KEY_ID, client)
      .decryptDataKey(randomBytes(64), context)
      .catch((e: unknown) => e);
    expect(err).toBe(thrown);
    expect(err).not.toBeInstanceOf(SealBrokenError);
    expect((err as Error).name).toBe('ThrottlingException');
    expect(isDependencyUnavailable(err)).toBe(true);
  });

  it('lets a throttling error through on GenerateDataKey too', async () => {
    const thrown = throttling();
    const { client } = stubbedKms(() => {
      throw thrown;
    });
    const err = await new KmsKeyProvider(KEY_ID, client).generateDataKey(context).catch((e: unknown) => e);
    expect(err).toBe(thrown);
    expect(isDependencyUnavailable(err)).toBe(true);
  });

  it('does not call an unrelated KMS failure a broken seal or an outage', async () => {
    const denied = new KMSServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'not allowed',
    });
    const { client } = stubbedKms(() => {
      throw denied;
    });
    const err = await new KmsKeyProvider(KEY_ID, client)
      .decryptDataKey(randomBytes(64), context)
      .catch((e: unknown) => e);
    expect(err).toBe(denied);
    expect(isDependencyUnavailable(err)).toBe(false);
  });

  it('checks the key with DescribeKey alone: no data key made, nothing unwrapped', async () => {
    let state = 'Enabled';
    const { client, sent } = stubbedKms(() => ({ KeyMetadata: { KeyId: KEY_ID, KeyState: state } }));
    const provider = new KmsKeyProvider(KEY_ID, client);
    await expect(provider.check()).resolves.toBeUndefined();
    expect(sent).toEqual([{ command: 'DescribeKeyCommand', input: { KeyId: KEY_ID } }]);
    state = 'PendingDeletion';
    const err = await provider.check().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyUnusableError);
    expect((err as Error).message).toBe('the key is PendingDeletion');
  });
});
