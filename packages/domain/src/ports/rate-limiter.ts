import { serviceIdentifier } from "./service-identifier";

/** RateLimitDecision says whether a request fits the budget, what is left, and when to retry. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Units allowed per window. */
  readonly limit: number;
  /** Units still allowed in the current window after this request (what is left when it was denied). */
  readonly remaining: number;
  /** When denied, how long until the request would fit, in ms (at least 1); 0 when allowed. */
  readonly retryAfterMs: number;
}

/** RateLimitBudget sizes a rate limiter: at most `limit` units in any `windowMs` milliseconds. */
export interface RateLimitBudget {
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * RateLimiter counts requests per key over a sliding window: a request of cost units fits when
 * the units taken in the last windowMs plus its cost are at most the limit. A denied request
 * takes nothing, and concurrent callers never overspend a budget.
 */
export interface RateLimiter {
  /** consume takes cost units (a positive integer up to the limit, default 1) from key's budget if they fit, and reports the outcome. */
  consume(key: string, cost?: number): Promise<RateLimitDecision>;
  /** enforce is consume that fails with ResourceExhausted, its details carrying retryAfterMs, when the budget is spent. */
  enforce(key: string, cost?: number): Promise<RateLimitDecision>;
  /** reset forgets key's history, restoring its full budget. */
  reset(key: string): Promise<void>;
}
/** RateLimiter is the service identifier of the RateLimiter port. */
export const RateLimiter = serviceIdentifier<RateLimiter>("RateLimiter");
