import { ErrorCode } from "@limiquantix/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adaptersOnTestRedis, sleep, uniquePrefix } from "../test/support";
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
  it("counts down the remaining budget, then denies with a retry-after within the window", async () => {
    const limiter = new SlidingWindowRateLimiter(a.redis, {
      limit: 3,
      windowMs: 10_000,
      keyPrefix: uniquePrefix(),
    });
    expect((await limiter.consume("ip")).remaining).toBe(2);
    expect((await limiter.consume("ip")).remaining).toBe(1);
    expect((await limiter.consume("ip")).remaining).toBe(0);
    const denied = await limiter.consume("ip");
    expect(denied.allowed).toBe(false);
    expect(denied.remaining).toBe(0);
    expect(denied.retryAfterMs).toBeGreaterThan(0);
    expect(denied.retryAfterMs).toBeLessThanOrEqual(10_000);
  });

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

  it("frees budget as old requests slide out of the window", async () => {
    const limiter = new SlidingWindowRateLimiter(a.redis, {
      limit: 2,
      windowMs: 300,
      keyPrefix: uniquePrefix(),
    });
    await limiter.consume("k");
    await limiter.consume("k");
    const denied = await limiter.consume("k");
    expect(denied.allowed).toBe(false);
    await sleep(denied.retryAfterMs + 100);
    expect((await limiter.consume("k")).allowed).toBe(true);
  });

  it("takes a multi-unit cost only when all of it fits", async () => {
    const limiter = new SlidingWindowRateLimiter(a.redis, {
      limit: 5,
      windowMs: 10_000,
      keyPrefix: uniquePrefix(),
    });
    expect((await limiter.consume("k", 4)).remaining).toBe(1);
    const denied = await limiter.consume("k", 2);
    expect(denied).toMatchObject({ allowed: false, remaining: 1 });
    expect((await limiter.consume("k", 1)).remaining).toBe(0);
  });

  it("enforce fails with ResourceExhausted carrying retryAfterMs", async () => {
    const limiter = new SlidingWindowRateLimiter(a.redis, {
      limit: 1,
      windowMs: 5000,
      keyPrefix: uniquePrefix(),
    });
    await limiter.enforce("k");
    const err = await limiter.enforce("k").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.ResourceExhausted });
    expect((err as { details: { retryAfterMs: number } }).details.retryAfterMs).toBeGreaterThan(0);
  });

  it("reset restores the full budget", async () => {
    const limiter = new SlidingWindowRateLimiter(a.redis, {
      limit: 1,
      windowMs: 60_000,
      keyPrefix: uniquePrefix(),
    });
    await limiter.consume("k");
    await limiter.reset("k");
    expect((await limiter.consume("k")).allowed).toBe(true);
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
