import { z } from "zod";
import { type DomainError, invalidArgument, resourceExhausted } from "../errors";
import { parseOrThrow } from "../validation";
import type { RateLimitBudget, RateLimitDecision } from "./rate-limiter";

/** MAX_RATE_LIMIT_KEY_LENGTH is the longest key a rate limiter accepts. */
export const MAX_RATE_LIMIT_KEY_LENGTH = 512;

const Budget = z.strictObject({ limit: z.number().int().positive(), windowMs: z.number().int().positive() });
const Key = z
  .string()
  .max(MAX_RATE_LIMIT_KEY_LENGTH)
  .refine((s) => s.length > 0, "must not be empty");

/** checkRateLimitBudget validates a limiter's budget (positive integers), or throws InvalidArgument. */
export function checkRateLimitBudget(budget: RateLimitBudget): RateLimitBudget {
  const { limit, windowMs } = (budget ?? {}) as Partial<RateLimitBudget>;
  return parseOrThrow(Budget, { limit, windowMs }, "rate limit budget");
}

/** checkRateLimitKey validates a rate-limit key (a non-empty string), or throws InvalidArgument. */
export function checkRateLimitKey(key: string): string {
  return parseOrThrow(Key, key, "rate limit key", ["key"]);
}

/** checkRateLimitCost validates a request's cost: a positive integer no larger than the limit, or throws InvalidArgument. */
export function checkRateLimitCost(cost: number, limit: number): number {
  const parsed = parseOrThrow(z.number().int().positive(), cost, "rate limit cost", ["cost"]);
  if (parsed > limit)
    throw invalidArgument([
      { field: "cost", description: `must not exceed the limit of ${limit} (got ${parsed})` },
    ]);
  return parsed;
}

/**
 * rateLimitExhausted builds the error enforce throws for a denied request: ResourceExhausted
 * whose details carry retryAfterMs (the retry hint the server edge turns into Retry-After),
 * the limit and what remains.
 */
export function rateLimitExhausted(
  key: string,
  budget: RateLimitBudget,
  decision: RateLimitDecision,
): DomainError {
  return resourceExhausted(
    `rate limit of ${budget.limit} per ${budget.windowMs} ms reached for "${key}"; retry in ${decision.retryAfterMs} ms`,
    { retryAfterMs: decision.retryAfterMs, limit: budget.limit, remaining: decision.remaining },
  );
}
