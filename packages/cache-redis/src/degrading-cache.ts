import { type Cache, type DomainError, ErrorCode, isDomainError } from "@limiquantix/domain";

/** DegradingCacheOptions say what to tell when the backing cache is unavailable. */
export interface DegradingCacheOptions {
  /** Called with each Unavailable error that was turned into a miss or a no-op (for logs and metrics). */
  readonly onDegraded?: (error: DomainError, operation: "get" | "set" | "delete" | "deleteByPrefix") => void;
}

function isUnavailable(err: unknown): err is DomainError {
  return isDomainError(err) && err.code === ErrorCode.Unavailable;
}

/**
 * degradeToMiss wraps a cache so that an unreachable backend behaves like an empty cache: get
 * misses, set is skipped, delete and deleteByPrefix report nothing removed. Only Unavailable is
 * absorbed; invalid input and other errors still throw, so bugs are not hidden.
 */
export function degradeToMiss(cache: Cache, options: DegradingCacheOptions = {}): Cache {
  const absorb = <T>(operation: "get" | "set" | "delete" | "deleteByPrefix", fallback: T) => {
    return (err: unknown): T => {
      if (!isUnavailable(err)) throw err;
      options.onDegraded?.(err, operation);
      return fallback;
    };
  };
  return {
    get: <T>(key: string) => cache.get<T>(key).catch(absorb<T | undefined>("get", undefined)),
    set: <T>(key: string, value: T, ttlMs?: number) =>
      cache.set(key, value, ttlMs).catch(absorb("set", undefined)),
    delete: (key: string) => cache.delete(key).catch(absorb("delete", false)),
    deleteByPrefix: (prefix: string) => cache.deleteByPrefix(prefix).catch(absorb("deleteByPrefix", 0)),
  };
}
