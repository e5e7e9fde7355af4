import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adaptersOnTestRedis, uniquePrefix } from "../test/support";
import type { RedisAdapters } from "./adapters";
import { SlidingWindowRateLimiter } from "./rate-limiter";

let a: RedisAdapters;
let b: RedisAdapters;
beforeAll(async () => {
  a = await adaptersOnTestRedis();
  b = await adaptersOnTestRedis();
});
afterAll(async () => {
  await a.close();
  await b.close();
});

describe("SlidingWindowRateLimiter", () => {
  it("never lets concurrent callers on two connections overspend the budget", async () => {
    const prefix = uniquePrefix();
    const onA = new SlidingWindowRateLimiter(a.redis, { limit: 25, windowMs: 60_000, keyPrefix: prefix });
    const onB = new SlidingWindowRateLimiter(b.redis, { limit: 25, windowMs: 60_000, keyPrefix: prefix });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? onA : onB).consume("tenant")),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(25);
    const remainders = results.filter((r) => r.allowed).map((r) => r.remaining);
    expect(new Set(remainders).size).toBe(25);
  });

  it("rejects a cost above the limit and a bad configuration", async () => {
    const limiter = new SlidingWindowRateLimiter(a.redis, { limit: 2, windowMs: 1000 });
    await expect(limiter.consume("k", 3)).rejects.toThrow(/cost must not exceed the limit of 2/);
    expect(() => new SlidingWindowRateLimiter(a.redis, { limit: 0, windowMs: 1000 })).toThrow(
      /limit must be/,
    );
  });

  it("reloads its script after the server forgot it", async () => {
    const limiter = new SlidingWindowRateLimiter(a.redis, {
      limit: 5,
      windowMs: 1000,
      keyPrefix: uniquePrefix(),
    });
    await limiter.consume("k");
    await a.redis.script("FLUSH");
    expect((await limiter.consume("k")).allowed).toBe(true);
  });
});
