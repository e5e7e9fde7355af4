import { type Cache, invalidArgument } from "@limiquantix/domain";
import { requireKey, requirePositiveInt } from "./errors";

/** ReadThroughOptions name a family of cached values and how long they stay fresh. */
export interface ReadThroughOptions {
  /** Key namespace of the family, e.g. `vm` (keys become `vm:<id>`). */
  readonly namespace: string;
  /** Lifetime of a cached value, in ms (see the *_TTL_MS constants). */
  readonly ttlMs: number;
}

/** ReadThrough reads a family of values through a cache and invalidates them when they change. */
export interface ReadThrough<T> {
  /** get returns the cached value of id or, on a miss, loads it, caches it and returns it. */
  get(id: string, load: () => Promise<T>): Promise<T>;
  /** invalidate drops the cached value of id, so the next get loads it again. */
  invalidate(id: string): Promise<void>;
  /** invalidateAll drops every cached value of the family and returns how many were dropped. */
  invalidateAll(): Promise<number>;
}

/**
 * createReadThrough builds a read-through view of a cache for one family of values. Concurrent
 * misses of one id share a single load, and a load that was in flight when its id was
 * invalidated is returned to its caller but not cached, so invalidation never loses to a
 * slower, older read in this process.
 */
export function createReadThrough<T>(cache: Cache, options: ReadThroughOptions): ReadThrough<T> {
  const namespace = requireKey("namespace", options.namespace);
  if (namespace.includes(":")) {
    throw invalidArgument([{ field: "namespace", description: `must not contain ":" (got "${namespace}")` }]);
  }
  const ttlMs = requirePositiveInt("ttlMs", options.ttlMs);
  const inflight = new Map<string, Promise<T>>();
  const generation = new Map<string, number>();
  let epoch = 0;
  let running = 0;
  const keyOf = (id: string) => `${namespace}:${requireKey("id", id)}`;
  const genOf = (id: string) => `${epoch}/${generation.get(id) ?? 0}`;

  const load = async (id: string, loader: () => Promise<T>): Promise<T> => {
    const before = genOf(id);
    running += 1;
    try {
      const value = await loader();
      if (value !== undefined && genOf(id) === before) await cache.set(keyOf(id), value, ttlMs);
      return value;
    } finally {
      running -= 1;
      // With no load running nobody remembers a generation, so forgetting them all is safe.
      if (running === 0) generation.clear();
    }
  };

  return {
    async get(id, loader) {
      const key = keyOf(id);
      const hit = await cache.get<T>(key);
      if (hit !== undefined) return hit;
      const pending = inflight.get(id);
      if (pending) return pending;
      const p = load(id, loader).finally(() => {
        if (inflight.get(id) === p) inflight.delete(id);
      });
      inflight.set(id, p);
      return p;
    },
    async invalidate(id) {
      const key = keyOf(id);
      if (running > 0) generation.set(id, (generation.get(id) ?? 0) + 1);
      inflight.delete(id);
      await cache.delete(key);
    },
    async invalidateAll() {
      epoch += 1;
      generation.clear();
      inflight.clear();
      return cache.deleteByPrefix(`${namespace}:`);
    },
  };
}
