import { serviceIdentifier } from "./service-identifier";

/**
 * Cache keeps JSON-serialisable values for a while. Values go through a JSON round trip in
 * every adapter (so `undefined` fields vanish and dates become strings), and a value past its
 * TTL is never returned.
 */
export interface Cache {
  /** get returns the value under key, or undefined when absent or expired. */
  get<T>(key: string): Promise<T | undefined>;
  /** set stores a value; without ttlMs it lives until deleted. ttlMs must be a positive integer. */
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>;
  /** delete removes a key and says whether it was there. */
  delete(key: string): Promise<boolean>;
  /** deleteByPrefix removes every key that starts with prefix and returns how many it removed. */
  deleteByPrefix(prefix: string): Promise<number>;
}
/** Cache is the service identifier of the Cache port. */
export const Cache = serviceIdentifier<Cache>("Cache");

/** readThrough returns the cached value under key or, on a miss, loads, caches and returns it. */
export async function readThrough<T>(
  cache: Cache,
  key: string,
  ttlMs: number,
  load: () => Promise<T>,
): Promise<T> {
  const hit = await cache.get<T>(key);
  if (hit !== undefined) return hit;
  const value = await load();
  if (value !== undefined) await cache.set(key, value, ttlMs);
  return value;
}
