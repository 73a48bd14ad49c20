import { randomBytes } from 'node:crypto';
import { notFound } from './errors.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** An opaque, unguessable id: 120 random bits in lowercase base32 (24 characters). */
export function newId(): string {
  const bytes = randomBytes(15);
  let out = '';
  for (let i = 0; i < bytes.length; i += 5) {
    // 5 bytes → 8 base32 characters
    let chunk = 0n;
    for (let j = 0; j < 5; j++) chunk = (chunk << 8n) | BigInt(bytes[i + j]!);
    for (let k = 7; k >= 0; k--) out += ALPHABET[Number((chunk >> BigInt(k * 5)) & 31n)];
  }
  return out;
}

/** Ids this service made; anything else (`#`, `/`, `..`, look-alikes) cannot name a record. */
const ID_PATTERN = /^[a-z2-7]{24}$/;

export function isId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/** ISO-8601 UTC with milliseconds, as the contract writes timestamps. */
export function now(): string {
  return new Date().toISOString();
}

/** An id from a path or body: one this service could not have made finds nothing. */
export function requireId(value: string, what: string): string {
  if (!isId(value)) throw notFound(what);
  return value;
}
