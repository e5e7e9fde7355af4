import { type Cache, type DomainError, ErrorCode, invalidArgument, unavailable } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { degradeToMiss } from "./degrading-cache";

function failingCache(error: Error): Cache {
  const fail = () => Promise.reject(error);
  return { get: fail, set: fail, delete: fail, deleteByPrefix: fail };
}

describe("degradeToMiss", () => {
  it("turns Unavailable into a miss, a skipped set and nothing removed, and reports each", async () => {
    const seen: string[] = [];
    const cache = degradeToMiss(failingCache(unavailable("Redis is unreachable")), {
      onDegraded: (err: DomainError, op) => seen.push(`${op}:${err.code}`),
    });
    expect(await cache.get("k")).toBeUndefined();
    await expect(cache.set("k", 1, 1000)).resolves.toBeUndefined();
    expect(await cache.delete("k")).toBe(false);
    expect(await cache.deleteByPrefix("k")).toBe(0);
    expect(seen).toEqual([
      `get:${ErrorCode.Unavailable}`,
      `set:${ErrorCode.Unavailable}`,
      `delete:${ErrorCode.Unavailable}`,
      `deleteByPrefix:${ErrorCode.Unavailable}`,
    ]);
  });

  it("still throws errors other than Unavailable, so bad input is not hidden", async () => {
    const cache = degradeToMiss(
      failingCache(invalidArgument([{ field: "ttlMs", description: "must be positive" }])),
    );
    await expect(cache.set("k", 1, -1)).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    await expect(cache.get("k")).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
  });

  it("passes values through when the cache works", async () => {
    const store = new Map<string, unknown>();
    const inner: Cache = {
      get: async <T>(k: string) => store.get(k) as T | undefined,
      set: async (k, v) => void store.set(k, v),
      delete: async (k) => store.delete(k),
      deleteByPrefix: async () => 0,
    };
    const cache = degradeToMiss(inner);
    await cache.set("k", { a: 1 });
    expect(await cache.get("k")).toEqual({ a: 1 });
    expect(await cache.delete("k")).toBe(true);
  });
});
