import { runCacheConformance, runEventBusConformance } from "@limiquantix/domain/conformance";
import { testRedis } from "@limiquantix/testkit";
import { type RedisAdapters, createRedisAdapters } from "./adapters";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function open(): Promise<RedisAdapters> {
  const server = await testRedis();
  return createRedisAdapters({ url: server.url, cacheOnOutage: "fail" });
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
