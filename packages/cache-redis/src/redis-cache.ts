import { type Cache, invalidArgument } from "@limiquantix/domain";
import type { Redis } from "ioredis";
import { classifyRedisError, requireKey, requirePositiveInt } from "./errors";
import { toJson } from "./json";

/** RedisCacheOptions place the cache's keys under a prefix of their own. */
export interface RedisCacheOptions {
  /** Prepended to every key, so several caches (or applications) share one Redis (default `lqx:cache:`). */
  readonly keyPrefix?: string;
  /** How many keys one SCAN step asks for when deleting by prefix (default 500). */
  readonly scanCount?: number;
}

/** DEFAULT_CACHE_PREFIX is the key prefix of the cache when none is given. */
export const DEFAULT_CACHE_PREFIX = "lqx:cache:";

// SCAN MATCH takes a glob; a key prefix must match literally.
function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, "\\$&");
}

/**
 * RedisCache implements the Cache port on Redis: values are stored as JSON strings, TTLs as
 * millisecond expiries (PX), and deleteByPrefix walks the keyspace with SCAN, never KEYS, so a
 * large cache never blocks the server.
 */
export class RedisCache implements Cache {
  private readonly prefix: string;
  private readonly scanCount: number;

  constructor(
    private readonly redis: Redis,
    options: RedisCacheOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? DEFAULT_CACHE_PREFIX;
    this.scanCount = requirePositiveInt("scanCount", options.scanCount ?? 500);
  }

  async get<T>(key: string): Promise<T | undefined> {
    const k = this.prefix + requireKey("key", key);
    let raw: string | null;
    try {
      raw = await this.redis.get(k);
    } catch (err) {
      throw classifyRedisError(err, `cache get of "${key}"`);
    }
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch {
      // Something else wrote a non-JSON value under our prefix: treat it as a miss and drop it.
      await this.redis.del(k).catch(() => undefined);
      return undefined;
    }
  }

  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    const k = this.prefix + requireKey("key", key);
    if (ttlMs !== undefined) requirePositiveInt("ttlMs", ttlMs);
    const json = toJson("value", value);
    try {
      if (ttlMs === undefined) await this.redis.set(k, json);
      else await this.redis.set(k, json, "PX", ttlMs);
    } catch (err) {
      throw classifyRedisError(err, `cache set of "${key}"`);
    }
  }

  async delete(key: string): Promise<boolean> {
    const k = this.prefix + requireKey("key", key);
    try {
      return (await this.redis.del(k)) > 0;
    } catch (err) {
      throw classifyRedisError(err, `cache delete of "${key}"`);
    }
  }

  async deleteByPrefix(prefix: string): Promise<number> {
    if (typeof prefix !== "string") {
      throw invalidArgument([{ field: "prefix", description: "must be a string" }]);
    }
    const match = `${escapeGlob(this.prefix + prefix)}*`;
    let cursor = "0";
    let removed = 0;
    try {
      do {
        const [next, keys] = await this.redis.scan(cursor, "MATCH", match, "COUNT", this.scanCount);
        cursor = next;
        if (keys.length > 0) removed += await this.redis.unlink(...keys);
      } while (cursor !== "0");
    } catch (err) {
      throw classifyRedisError(err, `cache deleteByPrefix of "${prefix}"`);
    }
    return removed;
  }
}
