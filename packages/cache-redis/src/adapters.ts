import {
  Cache,
  EventBus,
  NodeLiveness,
  type PortBinder,
  RateLimiter,
  SessionStore,
} from "@limiquantix/domain";
import type { Redis } from "ioredis";
import { type RedisConnectionOptions, closeRedis, openRedis } from "./connection";
import { degradeToMiss } from "./degrading-cache";
import { classifyRedisError } from "./errors";
import { RedisCache } from "./redis-cache";
import { RedisNodeLiveness } from "./node-liveness";
import { RedisEventBus } from "./redis-event-bus";
import { SlidingWindowRateLimiter } from "./rate-limiter";
import { RedisSessionStore } from "./session-store";

/** RedisAdaptersOptions configure the connection and every Redis adapter at once. */
export interface RedisAdaptersOptions extends Omit<RedisConnectionOptions, "onError"> {
  /** Namespace of every key and channel, so several deployments can share one Redis (default `lqx:`). */
  readonly keyPrefix?: string;
  /** What the cache does while Redis is unreachable: `miss` behaves as empty (default), `fail` throws Unavailable. */
  readonly cacheOnOutage?: "miss" | "fail";
  /** Budget of the rate limiter (default 600 requests per 60 s). */
  readonly rateLimit?: { readonly limit: number; readonly windowMs: number };
  /** Receives connection errors, errors thrown by event handlers, and cache outages absorbed as misses. */
  readonly onError?: (error: unknown, context: string) => void;
}

/** RedisAdapters holds the Redis-backed adapters of one replica and the connections they share. */
export interface RedisAdapters {
  /** The Cache port, degrading to a miss during outages unless cacheOnOutage is `fail`. */
  readonly cache: Cache;
  /** The cache without degradation, for callers that must know about outages. */
  readonly strictCache: RedisCache;
  readonly eventBus: RedisEventBus;
  readonly sessions: SessionStore;
  readonly rateLimiter: RateLimiter;
  /** Node beats, shared by the replicas. */
  readonly liveness: NodeLiveness;
  /** The command connection, for adapters of an integrator's own. */
  readonly redis: Redis;
  /** check pings Redis and fails with Unavailable when it does not answer (for readiness probes). */
  check(): Promise<void>;
  /** close closes the event bus and both connections. */
  close(): Promise<void>;
}

/**
 * createRedisAdapters connects to Redis (failing with Unavailable if it cannot be reached) and
 * builds the cache, event bus, session store and rate limiter over two connections: one for
 * commands and one for pub/sub subscriptions.
 */
export async function createRedisAdapters(options: RedisAdaptersOptions): Promise<RedisAdapters> {
  const prefix = options.keyPrefix ?? "lqx:";
  const onError = options.onError;
  const connection: RedisConnectionOptions = {
    ...options,
    onError: (err) => onError?.(err, "redis connection"),
  };
  const redis = await openRedis({ ...connection, connectionName: options.connectionName ?? "lqx" });
  let subscriber: Redis;
  try {
    subscriber = await openRedis({ ...connection, connectionName: `${options.connectionName ?? "lqx"}-sub` });
  } catch (err) {
    await closeRedis(redis);
    throw err;
  }
  const strictCache = new RedisCache(redis, { keyPrefix: `${prefix}cache:` });
  const cache =
    options.cacheOnOutage === "fail"
      ? strictCache
      : degradeToMiss(strictCache, { onDegraded: (err, op) => onError?.(err, `cache ${op}`) });
  const eventBus = new RedisEventBus(
    redis,
    subscriber,
    {
      channelPrefix: `${prefix}events:`,
      onError: (err, topic) => onError?.(err, `event handler of ${topic}`),
    },
    () => closeRedis(subscriber),
  );
  const sessions = new RedisSessionStore(redis, { keyPrefix: `${prefix}session:` });
  const rateLimiter = new SlidingWindowRateLimiter(redis, {
    limit: options.rateLimit?.limit ?? 600,
    windowMs: options.rateLimit?.windowMs ?? 60_000,
    keyPrefix: `${prefix}ratelimit:`,
  });
  let closed = false;
  return {
    cache,
    strictCache,
    eventBus,
    sessions,
    rateLimiter,
    liveness: new RedisNodeLiveness(redis, { key: `${prefix}node-beats` }),
    redis,
    async check() {
      try {
        await redis.ping();
      } catch (err) {
        throw classifyRedisError(err, "Redis readiness check");
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await eventBus.close();
      await closeRedis(redis);
    },
  };
}

/** bindRedisAdapters binds the Cache, EventBus, SessionStore, RateLimiter and NodeLiveness ports to the Redis adapters. */
export function bindRedisAdapters(binder: PortBinder, adapters: RedisAdapters): void {
  binder.bind(Cache, adapters.cache);
  binder.bind(EventBus, adapters.eventBus);
  binder.bind(SessionStore, adapters.sessions);
  binder.bind(RateLimiter, adapters.rateLimiter);
  binder.bind(NodeLiveness, adapters.liveness);
}
