import { describe, expect, it } from "vitest";
import { ErrorCode } from "../errors";
import { checkRateLimitBudget, checkRateLimitCost, rateLimitExhausted } from "./rate-limiter-support";

describe("rate limiter support", () => {
  it("rateLimitExhausted is ResourceExhausted with the retry delay in its details", () => {
    const error = rateLimitExhausted(
      "login:10.0.0.1",
      { limit: 5, windowMs: 60_000 },
      { allowed: false, limit: 5, remaining: 0, retryAfterMs: 1234 },
    );
    expect(error.code).toBe(ErrorCode.ResourceExhausted);
    expect(error.details).toEqual({ retryAfterMs: 1234, limit: 5, remaining: 0 });
    expect(error.message).toBe('rate limit of 5 per 60000 ms reached for "login:10.0.0.1"; retry in 1234 ms');
  });

  it("checkRateLimitCost accepts 1 to the limit and refuses the rest, saying why", () => {
    expect(checkRateLimitCost(3, 3)).toBe(3);
    expect(() => checkRateLimitCost(4, 3)).toThrow("cost must not exceed the limit of 3 (got 4)");
    expect(() => checkRateLimitCost(0, 3)).toThrow(/cost must be greater than 0/);
  });

  it("checkRateLimitBudget names each bad field and ignores extra ones", () => {
    expect(() => checkRateLimitBudget({ limit: 0, windowMs: 0.5 })).toThrow(
      "invalid rate limit budget: limit must be greater than 0 (got 0); windowMs must be an integer (got 0.5)",
    );
    const withPrefix = { limit: 1, windowMs: 1, keyPrefix: "x" };
    expect(checkRateLimitBudget(withPrefix)).toEqual({ limit: 1, windowMs: 1 });
  });
});
