import { newSessionId } from "@limiquantix/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adaptersOnTestRedis, sleep, uniquePrefix } from "../test/support";
import type { RedisAdapters } from "./adapters";
import { RedisSessionStore } from "./session-store";

let adapters: RedisAdapters;
beforeAll(async () => {
  adapters = await adaptersOnTestRedis();
});
afterAll(() => adapters.close());

describe("RedisSessionStore", () => {
  it("keeps the current secret's hash and the session's fields, nothing else", async () => {
    const prefix = uniquePrefix();
    const store = new RedisSessionStore(adapters.redis, { keyPrefix: prefix });
    const s = await store.create({
      userId: "u1",
      secretHash: "sha256:aaa",
      ttlMs: 60_000,
      data: { ip: "::1" },
    });
    const stored = await adapters.redis.hgetall(`${prefix}family:${s.id}`);
    expect(stored).toEqual({
      user: "u1",
      hash: "sha256:aaa",
      gen: "0",
      created: s.createdAt,
      exp: String(Date.parse(s.expiresAt)),
      data: '{"ip":"::1"}',
    });
    await store.rotate(s.id, "sha256:aaa", "sha256:bbb", 60_000);
    expect(await adapters.redis.hget(`${prefix}family:${s.id}`, "hash")).toBe("sha256:bbb");
    expect(await adapters.redis.smembers(`${prefix}user-families:u1`)).toEqual([s.id]);
  });

  it("gives its keys Redis TTLs, renewed by a rotation, so ended families are collected", async () => {
    const prefix = uniquePrefix();
    const store = new RedisSessionStore(adapters.redis, { keyPrefix: prefix });
    const s = await store.create({ userId: "u2", secretHash: "h0", ttlMs: 200 });
    const key = `${prefix}family:${s.id}`;
    expect(await adapters.redis.pttl(key)).toBeLessThanOrEqual(200);
    await store.rotate(s.id, "h0", "h1", 60_000);
    expect(await adapters.redis.pttl(key)).toBeGreaterThan(50_000);
    expect(await adapters.redis.pttl(`${prefix}user-families:u2`)).toBeGreaterThan(50_000);
    const short = await store.create({ userId: "u2", secretHash: "h", ttlMs: 150 });
    await sleep(400);
    expect(await adapters.redis.exists(`${prefix}family:${short.id}`)).toBe(0);
  });

  it("revoke and reuse take the family out of its user's index", async () => {
    const prefix = uniquePrefix();
    const store = new RedisSessionStore(adapters.redis, { keyPrefix: prefix });
    const a = await store.create({ userId: "u3", secretHash: "a", ttlMs: 60_000 });
    const b = await store.create({ userId: "u3", secretHash: "b", ttlMs: 60_000 });
    await store.revoke(a.id);
    expect(await store.rotate(b.id, "wrong", "next", 60_000)).toEqual({ outcome: "reused" });
    expect(await adapters.redis.exists(`${prefix}user-families:u3`)).toBe(0);
  });

  it("revokeAllForUser leaves a reused id alone once another user holds it", async () => {
    const prefix = uniquePrefix();
    const store = new RedisSessionStore(adapters.redis, { keyPrefix: prefix });
    const id = newSessionId();
    await store.create({ id, userId: "u4", secretHash: "h", ttlMs: 60_000 });
    // As if the family had expired in Redis while the index kept its id.
    await adapters.redis.del(`${prefix}family:${id}`);
    await store.create({ id, userId: "u5", secretHash: "h", ttlMs: 60_000 });
    expect(await store.revokeAllForUser("u4")).toBe(0);
    expect((await store.get(id))?.userId).toBe("u5");
  });

  it("reloads its scripts after the server forgot them", async () => {
    const store = new RedisSessionStore(adapters.redis, { keyPrefix: uniquePrefix() });
    await store.create({ userId: "u6", secretHash: "h", ttlMs: 60_000 });
    await adapters.redis.script("FLUSH");
    const s = await store.create({ userId: "u6", secretHash: "h0", ttlMs: 60_000 });
    expect((await store.rotate(s.id, "h0", "h1", 60_000)).outcome).toBe("rotated");
    expect(await store.revokeAllForUser("u6")).toBe(2);
  });
});
