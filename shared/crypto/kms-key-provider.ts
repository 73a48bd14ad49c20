import { DecryptCommand, DescribeKeyCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { boundedRequestHandler, boundToDeadline } from '../deadline.js';
import { SealBrokenError } from './envelope.js';
import { KeyUnusableError, type DataKeyContext, type GeneratedDataKey, type KeyProvider } from './key-provider.js';

/** Data keys made and unwrapped by AWS KMS under the service key, bound by encryption context. */
export class KmsKeyProvider implements KeyProvider {
  readonly name = 'kms' as const;
  readonly client: KMSClient;

  constructor(
    private readonly keyId: string,
    // Bounded like the DynamoDB client (shared/storage/client.ts): a hung KMS is a 503, not a hang.
    client = new KMSClient({ maxAttempts: 3, requestHandler: boundedRequestHandler() }),
  ) {
    // Neither call writes anything, so the request's deadline may end either at any time.
    this.client = boundToDeadline(client);
  }

  async generateDataKey(context: DataKeyContext): Promise<GeneratedDataKey> {
    const out = await this.client.send(
      new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: { ...context } }),
    );
    if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS returned no data key');
    return { plaintext: Buffer.from(out.Plaintext), wrapped: out.CiphertextBlob };
  }

  /** DescribeKey: KMS answers, the role may reach the key, and the key is enabled; no key material moves. */
  async check(): Promise<void> {
    const out = await this.client.send(new DescribeKeyCommand({ KeyId: this.keyId }));
    const state = out.KeyMetadata?.KeyState ?? 'unknown';
    if (state !== 'Enabled') throw new KeyUnusableError(state);
  }

  async decryptDataKey(wrapped: Uint8Array, context: DataKeyContext): Promise<Buffer> {
    try {
      const out = await this.client.send(
        new DecryptCommand({ KeyId: this.keyId, CiphertextBlob: wrapped, EncryptionContext: { ...context } }),
      );
      if (!out.Plaintext) throw new Error('KMS returned no plaintext');
      return Buffer.from(out.Plaintext);
    } catch (err) {
      // A wrapped key that KMS refuses is as broken as a tampered value: never a 503.
      if (err instanceof Error && (err.name === 'InvalidCiphertextException' || err.name === 'IncorrectKeyException')) {
        throw new SealBrokenError('data key');
      }
      throw err;
    }
  }
}
