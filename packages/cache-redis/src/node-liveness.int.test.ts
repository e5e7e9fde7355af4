import { ErrorCode } from "@limiquantix/domain";
import { startPrivateRedis } from "@limiquantix/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adaptersOnTestRedis, uniquePrefix } from "../test/support";
import { type RedisAdapters, createRedisAdapters } from "./adapters";
import { RedisNodeLiveness } from "./node-liveness";

let a: RedisAdapters;
let b: RedisAdapters;
beforeAll(async () => {
  a = await adaptersOnTestRedis();
  b = await adaptersOnTestRedis();
});
afterAll(async () => {
  await a.close();
  await b.close();
});

describe("RedisNodeLiveness", () => {
  it("shares beats between replicas, keeps the newest, and forgets a node", async () => {
    const key = `${uniquePrefix()}node-beats`;
    const onA = new RedisNodeLiveness(a.redis, { key });
    const onB = new RedisNodeLiveness(b.redis, { key });
    await onA.beat("n1", 2000);
    await onB.beat("n2", 1500);
    // A beat that reaches a replica late never moves the last one back.
    await onB.beat("n1", 1000);
    expect(await onA.lastBeats()).toEqual(
      new Map([
        ["n1", 2000],
        ["n2", 1500],
      ]),
    );
    await onB.beat("n1", 3000);
    expect((await onA.lastBeats()).get("n1")).toBe(3000);
    await onA.forget("n2");
    expect([...(await onB.lastBeats()).keys()]).toEqual(["n1"]);
  });

  it("keeps the adapters' beats in one hash under their key prefix", async () => {
    const prefix = uniquePrefix();
    const adapters = await adaptersOnTestRedis({ keyPrefix: prefix });
    try {
      await adapters.liveness.beat("n9", 42);
      expect(await adapters.redis.hget(`${prefix}node-beats`, "n9")).toBe("42");
      expect((await adapters.liveness.lastBeats()).get("n9")).toBe(42);
    } finally {
      await adapters.close();
    }
  });

  it("fails with Unavailable while Redis is down", async () => {
    const server = await startPrivateRedis();
    const adapters = await createRedisAdapters({ url: server.url, keyPrefix: uniquePrefix() });
    try {
      await adapters.liveness.beat("n1", 1);
      await server.stop();
      await expect(adapters.liveness.beat("n1", 2)).rejects.toMatchObject({ code: ErrorCode.Unavailable });
      await expect(adapters.liveness.lastBeats()).rejects.toMatchObject({ code: ErrorCode.Unavailable });
    } finally {
      await adapters.close();
    }
  });
});
