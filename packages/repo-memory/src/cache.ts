import { type Cache, type Clock, invalidArgument, systemClock } from "@limiquantix/domain";

interface Entry {
  readonly json: string;
  readonly expiresAt?: number;
}

/** checkTtl refuses a TTL that is not a positive integer number of milliseconds. */
export function checkTtl(ttlMs: number | undefined): void {
  if (ttlMs === undefined) return;
  if (!Number.isInteger(ttlMs) || ttlMs < 1)
    throw invalidArgument([
      { field: "ttlMs", description: `must be a positive integer of milliseconds (got ${ttlMs})` },
    ]);
}

/** toJson serialises a cache value, refusing what JSON cannot carry. */
export function toJson(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw invalidArgument([
      {
        field: "value",
        description: `must be JSON-serialisable (${error instanceof Error ? error.message : String(error)})`,
      },
    ]);
  }
  if (json === undefined)
    throw invalidArgument([
      { field: "value", description: `must be JSON-serialisable (got ${typeof value})` },
    ]);
  return json;
}

/**
 * MemoryCache keeps values as JSON strings, so it behaves as a shared cache does: every read is
 * a fresh copy, `undefined` fields vanish and dates come back as strings. TTLs run on the
 * injected clock; expired entries are dropped when touched and by a sweep on writes.
 */
export class MemoryCache implements Cache {
  private readonly entries = new Map<string, Entry>();
  private writes = 0;

  constructor(private readonly clock: Clock = systemClock) {}

  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.live(key);
    return entry === undefined ? undefined : (JSON.parse(entry.json) as T);
  }

  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    checkKey(key);
    checkTtl(ttlMs);
    const json = toJson(value);
    this.entries.set(key, ttlMs === undefined ? { json } : { json, expiresAt: this.now() + ttlMs });
    if (++this.writes % 1024 === 0) this.sweep();
  }

  async delete(key: string): Promise<boolean> {
    const had = this.live(key) !== undefined;
    this.entries.delete(key);
    return had;
  }

  async deleteByPrefix(prefix: string): Promise<number> {
    if (typeof prefix !== "string")
      throw invalidArgument([{ field: "prefix", description: "must be a string" }]);
    const now = this.now();
    let removed = 0;
    for (const [key, entry] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      if (entry.expiresAt === undefined || entry.expiresAt > now) removed++;
      this.entries.delete(key);
    }
    return removed;
  }

  /** size is how many live entries the cache holds. */
  get size(): number {
    this.sweep();
    return this.entries.size;
  }

  private live(key: string): Entry | undefined {
    checkKey(key);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries)
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.entries.delete(key);
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

function checkKey(key: string): void {
  if (typeof key !== "string" || key === "")
    throw invalidArgument([{ field: "key", description: "must be a non-empty string" }]);
}
