/** What a data key is bound to; KMS checks it as encryption context, the local provider as AAD. */
export interface DataKeyContext {
  owner: string;
  purpose: 'secrets-dek';
}

export interface GeneratedDataKey {
  plaintext: Buffer;
  wrapped: Uint8Array;
}

/** Wraps and unwraps per-owner data keys: KMS in AWS, a master key file locally. */
export interface KeyProvider {
  readonly name: 'kms' | 'local';
  generateDataKey(context: DataKeyContext): Promise<GeneratedDataKey>;
  decryptDataKey(wrapped: Uint8Array, context: DataKeyContext): Promise<Buffer>;
  /**
   * Proves the key is there and usable, making no data key (the deep health check,
   * shared/services/health.ts); throws when it is not.
   */
  check(): Promise<void>;
}

/** The wrapping key answered but cannot be used (disabled, pending deletion): named by its state alone. */
export class KeyUnusableError extends Error {
  constructor(state: string) {
    super(`the key is ${state}`);
    this.name = 'KeyUnusable';
  }
}

export const dataKeyContext = (owner: string): DataKeyContext => ({ owner, purpose: 'secrets-dek' });
