import { ErrorCode } from "@limiquantix/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adaptersOnTestRedis, sleep } from "../test/support";
import type { RedisAdapters } from "./adapters";
import { RedisCache } from "./redis-cache";

let adapters: RedisAdapters;
let cache: RedisCache;

beforeAll(async () => {
  adapters = await adaptersOnTestRedis();
  cache = adapters.strictCache;
});
afterAll(() => adapters.close());

describe("RedisCache", () => {
  it("round-trips JSON values and misses on an absent key", async () => {
    await cache.set("vm/1", { name: "web", tags: ["a"], when: new Date(0) });
    expect(await cache.get("vm/1")).toEqual({ name: "web", tags: ["a"], when: "1970-01-01T00:00:00.000Z" });
    expect(await cache.get("vm/absent")).toBeUndefined();
  });

  it("stores keys under its prefix", async () => {
    await cache.set("k", 1);
    const keys = await adapters.redis.keys("*:cache:k");
    expect(keys.some((k) => k.endsWith(":cache:k"))).toBe(true);
  });

  it("expires a value after its TTL", async () => {
    await cache.set("short", "x", 150);
    expect(await cache.get("short")).toBe("x");
    await sleep(400);
    expect(await cache.get("short")).toBeUndefined();
  });

  it("deletes a key and says whether it was there", async () => {
    await cache.set("d", 1);
    expect(await cache.delete("d")).toBe(true);
    expect(await cache.delete("d")).toBe(false);
  });

  it("deletes by prefix across many SCAN pages, treating glob characters literally", async () => {
    const small = new RedisCache(adapters.redis, { keyPrefix: `${Date.now()}:scan:`, scanCount: 10 });
    await Promise.all(Array.from({ length: 120 }, (_, i) => small.set(`node:${i}`, i)));
    await small.set("node*x", "literal");
    await small.set("vm:1", 1);
    expect(await small.deleteByPrefix("node*")).toBe(1);
    expect(await small.deleteByPrefix("node:")).toBe(120);
    expect(await small.get("vm:1")).toBe(1);
  });

  it("treats a foreign non-JSON value under its prefix as a miss", async () => {
    const [key] = await adapters.redis.keys("*:cache:k");
    await adapters.redis.set(key!, "{not json");
    expect(await cache.get("k")).toBeUndefined();
  });

  it("rejects invalid input with InvalidArgument naming the field", async () => {
    await expect(cache.set("", 1)).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    await expect(cache.set("k", 1, 0)).rejects.toThrow(/ttlMs must be a positive integer/);
    await expect(cache.set("k", undefined)).rejects.toThrow(/value must be JSON-serialisable/);
  });
});
