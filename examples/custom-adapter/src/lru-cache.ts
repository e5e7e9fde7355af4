import { Cache, type Clock, type PortBinder, invalidArgument, systemClock } from "@limiquantix/domain";

interface Entry {
  readonly json: string;
  readonly expiresAt: number | undefined;
}

/** LruCacheOptions configure an LruCache: its bound, and the clock its TTLs run on. */
export interface LruCacheOptions {
  /** The most entries the cache holds; setting one more evicts the least recently used. */
  readonly maxEntries: number;
  /** Where time comes from (default: the system clock); tests pass a manual one. */
  readonly clock?: Clock;
}

/**
 * LruCache implements the domain Cache port on a Map bounded to `maxEntries`. A Map iterates in
 * insertion order, so moving an entry to the end on every read and write keeps the least
 * recently used one first, and eviction is O(1). Values are stored as JSON strings, as the port
 * requires: every read is a fresh copy, and what JSON cannot carry is refused.
 */
export class LruCache implements Cache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly clock: Clock;
  private evictedCount = 0;

  constructor(options: LruCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1)
      throw invalidArgument([
        { field: "maxEntries", description: `must be a positive integer (got ${options.maxEntries})` },
      ]);
    this.maxEntries = options.maxEntries;
    this.clock = options.clock ?? systemClock;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.live(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return JSON.parse(entry.json) as T;
  }

  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    checkKey(key);
    if (ttlMs !== undefined && (!Number.isInteger(ttlMs) || ttlMs < 1))
      throw invalidArgument([
        { field: "ttlMs", description: `must be a positive integer of milliseconds (got ${ttlMs})` },
      ]);
    const json = toJson(value);
    this.entries.delete(key);
    this.entries.set(key, { json, expiresAt: ttlMs === undefined ? undefined : this.now() + ttlMs });
    this.evictOverflow();
  }

  async delete(key: string): Promise<boolean> {
    const had = this.live(key) !== undefined;
    this.entries.delete(key);
    return had;
  }

  async deleteByPrefix(prefix: string): Promise<number> {
    const now = this.now();
    let removed = 0;
    for (const [key, entry] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      if (!isExpired(entry, now)) removed++;
      this.entries.delete(key);
    }
    return removed;
  }

  /** size is how many entries the cache holds, expired ones not yet dropped included. */
  get size(): number {
    return this.entries.size;
  }

  /** evictions counts the entries dropped to keep within `maxEntries`. */
  get evictions(): number {
    return this.evictedCount;
  }

  private live(key: string): Entry | undefined {
    checkKey(key);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (isExpired(entry, this.now())) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private evictOverflow(): void {
    if (this.entries.size <= this.maxEntries) return;
    // Expired entries go first: dropping them costs nothing anyone could still read.
    const now = this.now();
    for (const [key, entry] of this.entries) if (isExpired(entry, now)) this.entries.delete(key);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
      this.evictedCount++;
    }
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

/** bindLruCache binds an LruCache to the Cache port, the way every adapter package offers a `bind…` function. */
export function bindLruCache(binder: PortBinder, cache: LruCache): void {
  binder.bind(Cache, cache);
}

function isExpired(entry: Entry, now: number): boolean {
  return entry.expiresAt !== undefined && entry.expiresAt <= now;
}

function checkKey(key: string): void {
  if (typeof key !== "string" || key === "")
    throw invalidArgument([{ field: "key", description: "must be a non-empty string" }]);
}

function toJson(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw invalidArgument([{ field: "value", description: `must be JSON-serialisable (${why})` }]);
  }
  if (json === undefined)
    throw invalidArgument([
      { field: "value", description: `must be JSON-serialisable (got ${typeof value})` },
    ]);
  return json;
}
