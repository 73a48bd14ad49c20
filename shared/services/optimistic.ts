import { conflict } from '../errors.js';

/** A conditional write found that what it read has changed (or gone) meanwhile. */
export class StaleRead extends Error {}

const MAX_ATTEMPTS = 5;

/**
 * Optimistic concurrency: read, then write on the condition that nothing changed; on
 * StaleRead read again. A record still changing after a few rounds is a 409 `conflict`.
 */
export async function optimistically<T>(what: string, readThenWrite: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readThenWrite();
    } catch (err) {
      if (!(err instanceof StaleRead)) throw err;
      if (attempt >= MAX_ATTEMPTS) throw conflict('conflict', `The ${what} is changing concurrently; try again.`);
    }
  }
}
