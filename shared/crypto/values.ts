import type { OwnerKey } from '../owner-key.js';
import type { DataKey, DataKeys } from './data-keys.js';
import { open, seal } from './envelope.js';

/** Where a sealed value belongs; bound into its AAD so a copy elsewhere fails to open. */
export type ValuePlace = { kind: 'global'; secretId: string } | { kind: 'environment'; envId: string; entryId: string };

export interface SealedValue {
  ct: Uint8Array;
  dekVersion: number;
}

function aad(owner: OwnerKey, place: ValuePlace, dekVersion: number): string {
  const where = place.kind === 'global' ? `global|${place.secretId}` : `environment|${place.envId}|${place.entryId}`;
  return `prime-secrets/v1|${owner}|${where}|dek${dekVersion}`;
}

export async function sealValue(
  dataKeys: DataKeys,
  owner: OwnerKey,
  place: ValuePlace,
  plaintext: string,
): Promise<SealedValue> {
  const { version, key } = await dataKeys.current(owner);
  return { ct: seal(key, Buffer.from(plaintext, 'utf8'), aad(owner, place, version)), dekVersion: version };
}

/** Opens with a key the caller already holds (the runtime read unwraps its keys up front). */
export function openWithKey(key: Buffer, owner: OwnerKey, place: ValuePlace, sealed: SealedValue): string {
  return open(key, sealed.ct, aad(owner, place, sealed.dekVersion)).toString('utf8');
}

/** Opens a value with its data key version, from the cache or unwrapped (a rollback or restore re-seals it). */
export async function openValue(
  dataKeys: DataKeys,
  owner: OwnerKey,
  place: ValuePlace,
  sealed: SealedValue,
): Promise<string> {
  return openWithKey(await dataKeys.version(owner, sealed.dekVersion), owner, place, sealed);
}

/**
 * The value opened with `from` (the key of the version it is sealed under) and sealed again,
 * in the same place, under `to`: the re-seal after a rotation (shared/services/reseal.ts). The
 * plaintext never leaves this function, and is zeroed before it returns.
 */
export function resealValue(
  from: Buffer,
  to: DataKey,
  owner: OwnerKey,
  place: ValuePlace,
  sealed: SealedValue,
): SealedValue {
  const plaintext = open(from, sealed.ct, aad(owner, place, sealed.dekVersion));
  try {
    return { ct: seal(to.key, plaintext, aad(owner, place, to.version)), dekVersion: to.version };
  } finally {
    plaintext.fill(0);
  }
}
