/**
 * In-memory caches, per process (per Lambda container): verified API keys
 * (shared/auth/api-key-cache.ts), plaintext data keys (shared/crypto/data-keys.ts),
 * per-key token buckets (shared/http/rate-limit.ts) and the refusals of the keys counted in the
 * table (shared/http/table-rate-limit.ts).
 */
export interface CacheOptions {
  /** The most entries kept; past it the least recently used go first. */
  maxEntries: number;
  /** How long an entry is kept after it is set; 0 or less keeps nothing. Forever when left out. */
  ttlMs?: number;
  /** The clock, in epoch milliseconds. Read on every use, so a faked `Date` is followed. */
  now?: () => number;
}

/** A bound on what the entries weigh together (bytes, say), beside their count. */
export interface WeightBound<V> {
  /** The most the live entries may weigh together; past it the least recently used go first. */
  maxWeight: number;
  /** The most one value may weigh to be kept at all; `maxWeight` unless given. */
  maxEntryWeight?: number;
  weigh: (value: V) => number;
}

/** A map bounded by count (least recently used out first), optionally by weight, and by age. */
export class LruCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number; weight: number }>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly bound: WeightBound<V> | undefined;
  private weight = 0;

  constructor({
    maxEntries,
    ttlMs = Infinity,
    now = () => Date.now(),
    ...bound
  }: CacheOptions & Partial<WeightBound<V>>) {
    this.maxEntries = maxEntries;
    this.ttlMs = ttlMs;
    this.now = now;
    this.bound =
      bound.maxWeight !== undefined && bound.weigh
        ? {
            maxWeight: bound.maxWeight,
            maxEntryWeight: Math.min(bound.maxEntryWeight ?? bound.maxWeight, bound.maxWeight),
            weigh: bound.weigh,
          }
        : undefined;
  }

  /** The live value of `key`, which becomes the most recently used. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry); // Map order is use order: the oldest is first
    return entry.value;
  }

  /** Whether `key` holds a live value, without counting as a use. */
  has(key: string): boolean {
    const entry = this.entries.get(key);
    return entry !== undefined && entry.expiresAt > this.now();
  }

  /** Keeps `value` under `key`, unless it alone weighs more than one value may (what `key` held goes either way). */
  set(key: string, value: V): void {
    this.delete(key);
    const weight = this.bound?.weigh(value) ?? 0;
    if (this.ttlMs <= 0 || (this.bound && weight > this.bound.maxEntryWeight!)) return;
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs, weight });
    this.weight += weight;
    while (this.entries.size > this.maxEntries || (this.bound && this.weight > this.bound.maxWeight)) {
      this.delete(this.entries.keys().next().value!);
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.weight -= entry.weight;
  }

  clear(): void {
    this.entries.clear();
    this.weight = 0;
  }
}

/**
 * A cache of values fetched asynchronously, single flight: every caller asking for a key
 * while it is being fetched waits for that same fetch (a burst of job starts with one key is
 * one read, not one per request). A fetch is kept once it resolves, its age counted from then;
 * one that fails, or finds nothing (undefined), is not kept, so the next caller asks again.
 * A fetch dropped by `delete`, `clear` or a newer `set` while in flight keeps nothing either.
 */
export class SingleFlightCache<T> {
  private readonly settled: LruCache<Promise<T>>;
  private readonly inFlight = new Map<string, Promise<T>>();
  private readonly onLookup: ((hit: boolean) => void) | undefined;

  /** `onLookup` hears of every `get`: a hit (cached or in flight) or a miss (a new fetch); the metrics count them. */
  constructor(options: CacheOptions & { onLookup?: (hit: boolean) => void }) {
    this.settled = new LruCache(options);
    this.onLookup = options.onLookup;
  }

  /** The cached value, the fetch already in flight, or a new fetch by `load`. */
  get(key: string, load: () => Promise<T>): Promise<T> {
    const known = this.settled.get(key) ?? this.inFlight.get(key);
    this.onLookup?.(known !== undefined);
    if (known) return known;
    const loading = load();
    this.set(key, loading);
    return loading;
  }

  /** Whether `key` is cached or being fetched. */
  has(key: string): boolean {
    return this.inFlight.has(key) || this.settled.has(key);
  }

  /** Makes `value` (a fetch, or a value known already) what `key` holds from now on. */
  set(key: string, value: Promise<T>): void {
    this.settled.delete(key);
    this.inFlight.set(key, value);
    value.then(
      (result) => {
        if (this.inFlight.get(key) !== value) return;
        this.inFlight.delete(key);
        if (result !== undefined) this.settled.set(key, value);
      },
      () => {
        if (this.inFlight.get(key) === value) this.inFlight.delete(key);
      },
    );
  }

  delete(key: string): void {
    this.inFlight.delete(key);
    this.settled.delete(key);
  }

  clear(): void {
    this.inFlight.clear();
    this.settled.clear();
  }
}
