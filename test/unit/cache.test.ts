import { describe, expect, it } from 'vitest';
import { ApiKeyCache } from '../../shared/auth/api-key-cache.js';
import { LruCache, SingleFlightCache } from '../../shared/cache.js';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

/** A fetch the test settles by hand, counting how often it was started. */
function manualLoad<T>() {
  const control = {
    started: 0,
    resolve: (_value: T) => {},
    reject: (_err: Error) => {},
    load: () => {
      control.started++;
      return new Promise<T>((resolve, reject) => {
        control.resolve = resolve;
        control.reject = reject;
      });
    },
  };
  return control;
}

describe('LruCache', () => {
  it('keeps at most maxEntries, evicting the least recently used', () => {
    const cache = new LruCache<string>({ maxEntries: 3 });
    cache.set('a', 'A');
    cache.set('b', 'B');
    cache.set('c', 'C');
    expect(cache.get('a')).toBe('A'); // a is now the most recently used
    cache.set('d', 'D'); // evicts b
    expect(['a', 'b', 'c', 'd'].map((k) => cache.has(k))).toEqual([true, false, true, true]);
    cache.set('c', 'C2'); // setting counts as a use too
    cache.set('e', 'E'); // evicts a
    expect(['a', 'c', 'd', 'e'].map((k) => cache.get(k))).toEqual([undefined, 'C2', 'D', 'E']);
  });

  it('forgets an entry once its time to live has passed, and has() is not a use', () => {
    const clock = manualClock();
    const cache = new LruCache<string>({ maxEntries: 2, ttlMs: 1_000, now: clock.now });
    cache.set('a', 'A');
    cache.set('b', 'B');
    clock.advance(999);
    expect(cache.has('a')).toBe(true);
    cache.set('c', 'C'); // a is still the least recently used: has() did not touch it
    expect(cache.has('a')).toBe(false);
    expect(cache.get('b')).toBe('B');
    clock.advance(1);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.has('b')).toBe(false);
    expect(cache.get('c')).toBe('C');
  });

  it('with a weight bound, keeps what fits together, the least recently used out first', () => {
    const cache = new LruCache<string>({ maxEntries: 10, maxWeight: 10, weigh: (v) => v.length });
    cache.set('a', 'aaaa');
    cache.set('b', 'bbbb');
    expect(cache.get('a')).toBe('aaaa'); // b is now the least recently used
    cache.set('c', 'cccc'); // 12 > 10: b goes
    expect(['a', 'b', 'c'].map((k) => cache.has(k))).toEqual([true, false, true]);
    cache.set('a', 'aaaaaaaaa'); // a weighs 9 now: with c's 4, c goes
    expect(['a', 'c'].map((k) => cache.get(k))).toEqual(['aaaaaaaaa', undefined]);
    cache.set('d', 'd'); // 9 + 1 fits
    expect(['a', 'd'].map((k) => cache.has(k))).toEqual([true, true]);
  });

  it('keeps no value heavier than the bound alone, and drops what its key held', () => {
    const cache = new LruCache<string>({ maxEntries: 10, maxWeight: 10, weigh: (v) => v.length });
    cache.set('a', 'a');
    cache.set('b', 'b');
    cache.set('a', 'x'.repeat(11));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe('b');
  });

  it('with a bound on one value too, keeps none heavier than it, whatever room is left', () => {
    const cache = new LruCache<string>({ maxEntries: 10, maxWeight: 10, maxEntryWeight: 4, weigh: (v) => v.length });
    cache.set('a', 'aaaa');
    cache.set('b', 'bbbbb');
    expect(['a', 'b'].map((k) => cache.get(k))).toEqual(['aaaa', undefined]);
    cache.set('a', 'aaaaa'); // what `a` held goes too
    expect(cache.get('a')).toBeUndefined();
  });

  it('frees the weight of what it forgets: expired, deleted, cleared', () => {
    const clock = manualClock();
    const cache = new LruCache<string>({
      maxEntries: 10,
      ttlMs: 1_000,
      now: clock.now,
      maxWeight: 10,
      weigh: (v) => v.length,
    });
    cache.set('a', 'aaaaaaaa');
    clock.advance(1_000);
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', 'bbbbb');
    cache.set('c', 'ccccc'); // 10: fits only if a's 8 was freed
    expect(['b', 'c'].map((k) => cache.has(k))).toEqual([true, true]);
    cache.delete('b');
    cache.set('d', 'ddddd');
    expect(['c', 'd'].map((k) => cache.has(k))).toEqual([true, true]);
    cache.clear();
    cache.set('e', 'eeeeeeeeee');
    expect(cache.get('e')).toBe('eeeeeeeeee');
  });

  it('keeps nothing with a time to live of 0 or less', () => {
    for (const ttlMs of [0, -1]) {
      const cache = new LruCache<string>({ maxEntries: 10, ttlMs });
      cache.set('a', 'A');
      expect(cache.get('a')).toBeUndefined();
    }
  });
});

describe('SingleFlightCache', () => {
  it('shares one in-flight fetch between callers, then serves the value without fetching', async () => {
    const cache = new SingleFlightCache<number>({ maxEntries: 10, ttlMs: 60_000 });
    const fetch = manualLoad<number>();
    const waiting = Array.from({ length: 10 }, () => cache.get('k', fetch.load));
    expect(cache.has('k')).toBe(true); // in flight counts as in memory
    fetch.resolve(42);
    expect(await Promise.all(waiting)).toEqual(Array(10).fill(42));
    expect(await cache.get('k', fetch.load)).toBe(42);
    expect(fetch.started).toBe(1);
  });

  it('keeps a value for its time to live counted from when the fetch resolved', async () => {
    const clock = manualClock();
    const cache = new SingleFlightCache<string>({ maxEntries: 10, ttlMs: 1_000, now: clock.now });
    const fetch = manualLoad<string>();
    const first = cache.get('k', fetch.load);
    clock.advance(5_000); // a slow fetch does not eat into the time to live
    fetch.resolve('v1');
    expect(await first).toBe('v1');
    clock.advance(999);
    expect(await cache.get('k', fetch.load)).toBe('v1');
    expect(fetch.started).toBe(1);
    clock.advance(1);
    const second = cache.get('k', fetch.load);
    expect(fetch.started).toBe(2);
    fetch.resolve('v2');
    expect(await second).toBe('v2');
  });

  it('evicts the least recently used value past maxEntries', async () => {
    const cache = new SingleFlightCache<string>({ maxEntries: 3, ttlMs: 60_000 });
    const loads: string[] = [];
    const get = (k: string) =>
      cache.get(k, async () => {
        loads.push(k);
        return `value-${k}`;
      });
    for (const k of ['a', 'b', 'c']) await get(k);
    expect(await get('a')).toBe('value-a'); // a is now the most recently used
    await get('d'); // evicts b
    expect(['a', 'b', 'c', 'd'].map((k) => cache.has(k))).toEqual([true, false, true, true]);
    expect(await get('b')).toBe('value-b'); // fetched again, evicting c
    expect(loads).toEqual(['a', 'b', 'c', 'd', 'b']);
    expect(cache.has('c')).toBe(false);
  });

  it('forgets a failed fetch so the next caller tries again', async () => {
    const cache = new SingleFlightCache<string>({ maxEntries: 10, ttlMs: 60_000 });
    let attempts = 0;
    const load = async () => {
      attempts++;
      if (attempts === 1) throw new Error('KMS hiccup');
      return 'ok';
    };
    const first = cache.get('k', load);
    const joined = cache.get('k', load); // joins the failing flight
    await expect(first).rejects.toThrow('KMS hiccup');
    await expect(joined).rejects.toThrow('KMS hiccup');
    expect(cache.has('k')).toBe(false);
    expect(await cache.get('k', load)).toBe('ok');
    expect(await cache.get('k', load)).toBe('ok');
    expect(attempts).toBe(2);
  });

  it('does not keep a fetch that found nothing', async () => {
    const cache = new SingleFlightCache<string | undefined>({ maxEntries: 10, ttlMs: 60_000 });
    const fetch = manualLoad<string | undefined>();
    const both = [cache.get('k', fetch.load), cache.get('k', fetch.load)];
    fetch.resolve(undefined);
    expect(await Promise.all(both)).toEqual([undefined, undefined]);
    expect(fetch.started).toBe(1);
    expect(cache.has('k')).toBe(false);
    const again = cache.get('k', fetch.load);
    expect(fetch.started).toBe(2);
    fetch.resolve('found');
    expect(await again).toBe('found');
  });

  const drops = {
    delete: (cache: SingleFlightCache<string>) => cache.delete('k'),
    clear: (cache: SingleFlightCache<string>) => cache.clear(),
  };

  it.each(Object.entries(drops))('keeps nothing from a fetch dropped by %s while in flight', async (_, drop) => {
    const cache = new SingleFlightCache<string>({ maxEntries: 10, ttlMs: 60_000 });
    const fetch = manualLoad<string>();
    const dropped = cache.get('k', fetch.load);
    drop(cache);
    expect(cache.has('k')).toBe(false);
    fetch.resolve('stale');
    expect(await dropped).toBe('stale');
    expect(cache.has('k')).toBe(false);
  });

  it.each(Object.entries(drops))(
    'starts a new fetch after %s, which the dropped one cannot overwrite',
    async (_, drop) => {
      const cache = new SingleFlightCache<string>({ maxEntries: 10, ttlMs: 60_000 });
      const stale = manualLoad<string>();
      const dropped = cache.get('k', stale.load);
      drop(cache);
      const fresh = manualLoad<string>();
      const next = cache.get('k', fresh.load);
      expect(fresh.started).toBe(1);
      fresh.resolve('fresh');
      expect(await next).toBe('fresh');
      stale.resolve('stale');
      expect(await dropped).toBe('stale');
      expect(await cache.get('k', stale.load)).toBe('fresh');
      expect(stale.started).toBe(1);
    },
  );

  it('does not let a late failure evict a value set meanwhile', async () => {
    const cache = new SingleFlightCache<string>({ maxEntries: 10, ttlMs: 60_000 });
    const failing = manualLoad<string>();
    const first = cache.get('k', failing.load);
    cache.set('k', Promise.resolve('newer'));
    failing.reject(new Error('late'));
    await expect(first).rejects.toThrow('late');
    expect(cache.has('k')).toBe(true);
    expect(await cache.get('k', async () => 'reloaded')).toBe('newer');
  });

  it('with a time to live of 0 or less keeps nothing, yet still shares a fetch in flight', async () => {
    for (const ttlMs of [0, -1]) {
      const cache = new SingleFlightCache<string>({ maxEntries: 10, ttlMs });
      const fetch = manualLoad<string>();
      const both = [cache.get('k', fetch.load), cache.get('k', fetch.load)];
      expect(fetch.started).toBe(1);
      fetch.resolve('v');
      expect(await Promise.all(both)).toEqual(['v', 'v']);
      expect(cache.has('k')).toBe(false);
      void cache.get('k', fetch.load);
      expect(fetch.started).toBe(2);
    }
  });
});

describe('ApiKeyCache', () => {
  it('keeps at most 10,000 keys, the least recently used going first', async () => {
    const cache = new ApiKeyCache(30_000);
    const principal = (i: number) => ({ type: 'admin' as const, keyId: `key-${i}` });
    for (let i = 0; i <= 10_000; i++) await cache.get(`hash-${i}`, async () => principal(i));
    expect(cache.has('hash-0')).toBe(false);
    expect(cache.has('hash-1')).toBe(true);
    expect(cache.has('hash-10000')).toBe(true);
  });
});
