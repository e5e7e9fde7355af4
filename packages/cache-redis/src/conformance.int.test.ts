import type { Clock } from "@limiquantix/domain";
import {
  runCacheConformance,
  runEventBusConformance,
  runRateLimiterConformance,
  runSessionStoreConformance,
} from "@limiquantix/domain/conformance";
import { testRedis } from "@limiquantix/testkit";
import { uniquePrefix } from "../test/support";
import { type RedisAdapters, createRedisAdapters } from "./adapters";
import { SlidingWindowRateLimiter } from "./rate-limiter";
import { RedisSessionStore } from "./session-store";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function open(): Promise<RedisAdapters> {
  const server = await testRedis();
  return createRedisAdapters({ url: server.url, cacheOnOutage: "fail" });
}

/** manualClock is a Clock that moves only when advanced (Redis's own key TTLs still run in real time). */
function manualClock(): { clock: Clock; advance(ms: number): Promise<void> } {
  let ms = Date.now();
  return {
    clock: { now: () => new Date(ms) },
    advance: async (by) => {
      ms += by;
    },
  };
}

runCacheConformance("redis", async () => {
  const adapters = await open();
  return { cache: adapters.cache, advanceTime: sleep, close: () => adapters.close() };
});

runCacheConformance("redis (degrading to a miss)", async () => {
  const server = await testRedis();
  const adapters = await createRedisAdapters({ url: server.url });
  return { cache: adapters.cache, advanceTime: sleep, close: () => adapters.close() };
});

runEventBusConformance("redis", async () => {
  const [a, b] = [await open(), await open()];
  return {
    buses: [a.eventBus, b.eventBus] as const,
    close: async () => {
      await a.close();
      await b.close();
    },
  };
});

runSessionStoreConformance("redis (manual clock)", async () => {
  const adapters = await open();
  const time = manualClock();
  return {
    store: new RedisSessionStore(adapters.redis, { keyPrefix: uniquePrefix(), clock: time.clock }),
    advanceTime: time.advance,
    close: () => adapters.close(),
  };
});

runSessionStoreConformance("redis (real time)", async () => {
  const adapters = await open();
  return { store: adapters.sessions, advanceTime: sleep, close: () => adapters.close() };
});

runRateLimiterConformance("redis", async () => {
  const adapters = await open();
  return {
    create: async (budget) =>
      new SlidingWindowRateLimiter(adapters.redis, { ...budget, keyPrefix: uniquePrefix() }),
    advanceTime: sleep,
    close: () => adapters.close(),
  };
});
