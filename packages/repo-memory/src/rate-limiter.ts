import {
  type Clock,
  checkRateLimitBudget,
  checkRateLimitCost,
  checkRateLimitKey,
  type RateLimitBudget,
  type RateLimitDecision,
  type RateLimiter,
  rateLimitExhausted,
  systemClock,
} from "@limiquantix/domain";

/** MemoryRateLimiterOptions size the budget and, in tests, supply the clock. */
export interface MemoryRateLimiterOptions extends RateLimitBudget {
  /** The clock the window slides on (a ManualClock in tests); the system clock by default. */
  readonly clock?: Clock;
}

/**
 * MemoryRateLimiter is the in-process RateLimiter: a sliding-window log per key, one timestamp
 * per unit taken, as the Redis limiter keeps it. Each call runs without awaiting, so concurrent
 * callers never overspend. Keys whose log has emptied are dropped by a sweep on writes.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly budget: RateLimitBudget;
  private readonly clock: Clock;
  private readonly logs = new Map<string, number[]>();
  private writes = 0;

  constructor(options: MemoryRateLimiterOptions) {
    this.budget = checkRateLimitBudget({ limit: options?.limit, windowMs: options?.windowMs });
    this.clock = options?.clock ?? systemClock;
  }

  async consume(key: string, cost = 1): Promise<RateLimitDecision> {
    checkRateLimitKey(key);
    const { limit } = this.budget;
    checkRateLimitCost(cost, limit);
    const now = this.clock.now().getTime();
    const log = this.trimmed(key, now);
    const count = log.length;
    if (count + cost <= limit) {
      for (let i = 0; i < cost; i++) log.push(now);
      this.logs.set(key, log);
      if (++this.writes % 1024 === 0) this.sweep(now);
      return { allowed: true, limit, remaining: limit - count - cost, retryAfterMs: 0 };
    }
    // The request fits once enough of the oldest units have slid out for its cost.
    const oldest = log[count + cost - limit - 1] ?? now;
    const retryAfterMs = Math.max(1, oldest + this.budget.windowMs - now);
    return { allowed: false, limit, remaining: Math.max(0, limit - count), retryAfterMs };
  }

  async enforce(key: string, cost = 1): Promise<RateLimitDecision> {
    const decision = await this.consume(key, cost);
    if (!decision.allowed) throw rateLimitExhausted(key, this.budget, decision);
    return decision;
  }

  async reset(key: string): Promise<void> {
    this.logs.delete(checkRateLimitKey(key));
  }

  /** trimmed returns key's log without the units that have slid out of the window (at or before now - windowMs). */
  private trimmed(key: string, now: number): number[] {
    const log = this.logs.get(key) ?? [];
    const edge = now - this.budget.windowMs;
    let drop = 0;
    while (drop < log.length && log[drop]! <= edge) drop++;
    return drop === 0 ? log : log.slice(drop);
  }

  private sweep(now: number): void {
    for (const key of [...this.logs.keys()]) {
      if (this.trimmed(key, now).length === 0) this.logs.delete(key);
    }
  }
}
