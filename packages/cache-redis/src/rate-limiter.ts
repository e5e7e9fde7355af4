import {
  checkRateLimitBudget,
  checkRateLimitCost,
  checkRateLimitKey,
  type RateLimitBudget,
  type RateLimitDecision,
  type RateLimiter,
  rateLimitExhausted,
} from "@limiquantix/domain";
import type { Redis } from "ioredis";
import { classifyRedisError } from "./errors";
import { defineLuaCommand, type LuaCommand } from "./lua-command";

export { type RateLimitBudget, type RateLimitDecision, RateLimiter } from "@limiquantix/domain";

/** SlidingWindowOptions size the budget: at most `limit` units in any `windowMs`. */
export interface SlidingWindowOptions extends RateLimitBudget {
  /** Key prefix of the limiter's sorted sets (default `lqx:ratelimit:`). */
  readonly keyPrefix?: string;
}

// One sorted set per key holds a member per unit, scored by its time. Trimming, counting and
// adding happen in one script, so concurrent callers on any replica never overspend the
// budget; the server's clock is used so replicas with skewed clocks agree.
const SLIDING_WINDOW = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local id = ARGV[4]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count + cost <= limit then
  for i = 1, cost do redis.call('ZADD', KEYS[1], now, id .. ':' .. i) end
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - count - cost, 0}
end
local need = count + cost - limit
local oldest = redis.call('ZRANGE', KEYS[1], need - 1, need - 1, 'WITHSCORES')
local retry = window
if oldest[2] then retry = tonumber(oldest[2]) + window - now end
if retry < 1 then retry = 1 end
local left = limit - count
if left < 0 then left = 0 end
return {0, left, retry}
`;

let sequence = 0;

/**
 * SlidingWindowRateLimiter implements RateLimiter on Redis with an atomic sliding-window log.
 * Time is the Redis server's, not a Clock, so every replica measures the same window.
 */
export class SlidingWindowRateLimiter implements RateLimiter {
  private readonly budget: RateLimitBudget;
  private readonly prefix: string;
  private readonly slidingWindow: LuaCommand;

  constructor(
    private readonly redis: Redis,
    options: SlidingWindowOptions,
  ) {
    this.budget = checkRateLimitBudget({ limit: options?.limit, windowMs: options?.windowMs });
    this.prefix = options.keyPrefix ?? "lqx:ratelimit:";
    this.slidingWindow = defineLuaCommand(redis, "lqxSlidingWindow", 1, SLIDING_WINDOW);
  }

  async consume(key: string, cost = 1): Promise<RateLimitDecision> {
    const k = this.prefix + checkRateLimitKey(key);
    const { limit, windowMs } = this.budget;
    checkRateLimitCost(cost, limit);
    sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
    const id = `${process.pid}-${Date.now()}-${sequence}-${Math.random().toString(36).slice(2, 8)}`;
    let reply: unknown;
    try {
      reply = await this.slidingWindow([k], [windowMs, limit, cost, id]);
    } catch (err) {
      throw classifyRedisError(err, `rate limit check of "${key}"`);
    }
    const [allowed, remaining, retryAfterMs] = reply as [number, number, number];
    return { allowed: allowed === 1, limit, remaining, retryAfterMs };
  }

  async enforce(key: string, cost = 1): Promise<RateLimitDecision> {
    const decision = await this.consume(key, cost);
    if (!decision.allowed) throw rateLimitExhausted(key, this.budget, decision);
    return decision;
  }

  async reset(key: string): Promise<void> {
    const k = this.prefix + checkRateLimitKey(key);
    try {
      await this.redis.del(k);
    } catch (err) {
      throw classifyRedisError(err, `rate limit reset of "${key}"`);
    }
  }
}
