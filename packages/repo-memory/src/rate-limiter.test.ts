import { runRateLimiterConformance } from "@limiquantix/domain/conformance";
import { describe, expect, it } from "vitest";
import { ManualClock } from "./manual-clock";
import { MemoryRateLimiter } from "./rate-limiter";

runRateLimiterConformance("repo-memory", async () => {
  const clock = new ManualClock();
  return {
    create: async (budget) => new MemoryRateLimiter({ ...budget, clock }),
    advanceTime: async (ms) => clock.advance(ms),
    close: async () => {},
  };
});

describe("MemoryRateLimiter", () => {
  it("states the exact retry delay on its clock", async () => {
    const clock = new ManualClock();
    const limiter = new MemoryRateLimiter({ limit: 2, windowMs: 1000, clock });
    await limiter.consume("k");
    clock.advance(250);
    await limiter.consume("k");
    expect((await limiter.consume("k")).retryAfterMs).toBe(750);
    expect((await limiter.consume("k", 2)).retryAfterMs).toBe(1000);
    clock.advance(750);
    expect(await limiter.consume("k")).toMatchObject({ allowed: true, remaining: 0 });
  });
});
