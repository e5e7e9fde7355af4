import { ErrorCode, type NodeMetricsEvent } from "@limiquantix/domain";
import { type RedisTestServer, startPrivateRedis } from "@limiquantix/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, uniquePrefix } from "../test/support";
import { type RedisAdapters, createRedisAdapters } from "./adapters";

// Generous bound for "fails fast": the command timeout is 2 s by default; a hang would be 20 s+.
const FAIL_FAST_MS = 5000;

async function timed<T>(call: () => Promise<T>): Promise<{ ms: number; error: unknown; value?: T }> {
  const start = performance.now();
  try {
    const value = await call();
    return { ms: performance.now() - start, error: undefined, value };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}

function metric(i: number): NodeMetricsEvent {
  return {
    id: `m${i}`,
    type: "METRICS",
    nodeId: "n1",
    occurredAt: new Date(0).toISOString(),
    cpuPercent: i,
    memoryUsedMib: 1,
  };
}

let server: RedisTestServer;
let adapters: RedisAdapters;
let subscriberSide: RedisAdapters;

beforeAll(async () => {
  server = await startPrivateRedis();
  const prefix = uniquePrefix();
  adapters = await createRedisAdapters({ url: server.url, keyPrefix: prefix });
  subscriberSide = await createRedisAdapters({ url: server.url, keyPrefix: prefix });
});
afterAll(async () => {
  await adapters.close();
  await subscriberSide.close();
  await server.stop();
});

describe("Redis outages", () => {
  it("fails fast with Unavailable while Redis is down, degrades the cache to a miss, and recovers after a restart", async () => {
    const seen: number[] = [];
    await subscriberSide.eventBus.subscribe("node-metrics", (e) => {
      seen.push(e.cpuPercent);
    });
    await adapters.strictCache.set("vm:1", { name: "web" });
    expect(await adapters.cache.get("vm:1")).toEqual({ name: "web" });

    await server.stop();

    const calls = [
      () => adapters.strictCache.get("vm:1"),
      () => adapters.strictCache.set("vm:2", 1, 1000),
      () => adapters.strictCache.deleteByPrefix("vm:"),
      () => adapters.sessions.create({ userId: "u", secretHash: "h", ttlMs: 60_000 }),
      () => adapters.rateLimiter.consume("ip"),
      () => adapters.eventBus.publish("node-metrics", metric(0)),
      () => adapters.check(),
    ];
    for (const call of calls) {
      const { ms, error } = await timed(call);
      expect(error).toMatchObject({ code: ErrorCode.Unavailable });
      expect(ms).toBeLessThan(FAIL_FAST_MS);
    }
    const degraded = await timed(() => adapters.cache.get("vm:1"));
    expect(degraded.error).toBeUndefined();
    expect(degraded.value).toBeUndefined();
    expect(degraded.ms).toBeLessThan(FAIL_FAST_MS);

    await server.start();

    // The data was not persisted, so recovery means: commands work and the subscriber is back.
    await eventually(() => adapters.check(), 15_000);
    await eventually(async () => {
      await adapters.eventBus.publish("node-metrics", metric(1));
      expect(seen).toContain(1);
    }, 15_000);
    await adapters.strictCache.set("vm:1", { name: "again" });
    expect(await adapters.cache.get("vm:1")).toEqual({ name: "again" });
  });

  it("fails start-up with Unavailable in bounded time when Redis cannot be reached", async () => {
    const probe = await startPrivateRedis();
    const url = probe.url;
    await probe.stop();
    const { ms, error } = await timed(() => createRedisAdapters({ url, connectTimeoutMs: 500 }));
    expect(error).toMatchObject({ code: ErrorCode.Unavailable });
    expect((error as Error).message).toMatch(/connecting to Redis at redis:\/\/127\.0\.0\.1/);
    expect(ms).toBeLessThan(FAIL_FAST_MS);
  });

  it("rejects a malformed URL with InvalidArgument", async () => {
    await expect(createRedisAdapters({ url: "localhost:6379" })).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
    });
  });
});
