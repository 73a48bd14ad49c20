import { randomBytes } from 'node:crypto';
import { open, seal } from '../../shared/crypto/envelope.js';
import { summarize, type Summary } from '../lib/stats.js';

/**
 * Item 5: the envelope alone (shared/crypto/envelope.ts): sealing and opening 1,000 values
 * of 1 KiB under one data key, AES-256-GCM with an AAD like the service's. Each operation is
 * timed on its own; rounds of 1,000 alternate sealing and opening.
 */

export interface CryptoFigures {
  values: number;
  valueBytes: number;
  rounds: number;
  /** µs per operation, over every timed operation. */
  sealUs: Summary;
  openUs: Summary;
  /** µs per operation of a whole round of 1,000 (median over rounds). */
  sealRoundUsPerOp: number;
  openRoundUsPerOp: number;
}

export function measureCrypto(options: { values?: number; valueBytes?: number; rounds?: number } = {}): CryptoFigures {
  const values = options.values ?? 1000;
  const valueBytes = options.valueBytes ?? 1024;
  const rounds = options.rounds ?? 20;
  const key = randomBytes(32);
  const plaintexts = Array.from({ length: values }, () => randomBytes(valueBytes));
  const aads = plaintexts.map((_, i) => `prime-secrets/v1|U#benchowner|environment|benchenv|entry${i}|dek1`);
  const sealUs: number[] = [];
  const openUs: number[] = [];
  const sealRounds: number[] = [];
  const openRounds: number[] = [];
  let sealed: Uint8Array[] = [];

  for (let r = 0; r < rounds + 2; r++) {
    const warm = r < 2;
    const roundSeal = performance.now();
    sealed = plaintexts.map((p, i) => {
      const t = performance.now();
      const s = seal(key, p, aads[i]!);
      if (!warm) sealUs.push((performance.now() - t) * 1000);
      return s;
    });
    if (!warm) sealRounds.push(((performance.now() - roundSeal) * 1000) / values);
    const roundOpen = performance.now();
    for (let i = 0; i < values; i++) {
      const t = performance.now();
      const opened = open(key, sealed[i]!, aads[i]!);
      if (!warm) openUs.push((performance.now() - t) * 1000);
      if (opened.length !== valueBytes) throw new Error('opened value has the wrong length');
    }
    if (!warm) openRounds.push(((performance.now() - roundOpen) * 1000) / values);
  }
  return {
    values,
    valueBytes,
    rounds,
    sealUs: summarize(sealUs),
    openUs: summarize(openUs),
    sealRoundUsPerOp: summarize(sealRounds).median,
    openRoundUsPerOp: summarize(openRounds).median,
  };
}
