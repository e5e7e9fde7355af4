import { ErrorCode } from "@limiquantix/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adaptersOnTestRedis, sleep } from "../test/support";
import type { RedisAdapters } from "./adapters";

let adapters: RedisAdapters;
beforeAll(async () => {
  adapters = await adaptersOnTestRedis();
});
afterAll(() => adapters.close());

describe("RedisSessionStore", () => {
  it("creates a session with an unguessable id and the 24 h default lifetime, and finds it", async () => {
    const s = await adapters.sessions.create({ userId: "u1", data: { role: "admin" } });
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(s.expiresAt) - Date.parse(s.createdAt)).toBe(24 * 60 * 60 * 1000);
    expect(await adapters.sessions.get(s.id)).toEqual(s);
  });

  it("forgets a session after its TTL", async () => {
    const s = await adapters.sessions.create({ userId: "u2", ttlMs: 150 });
    await sleep(400);
    expect(await adapters.sessions.get(s.id)).toBeUndefined();
  });

  it("revokes a session once", async () => {
    const s = await adapters.sessions.create({ userId: "u3" });
    expect(await adapters.sessions.revoke(s.id)).toBe(true);
    expect(await adapters.sessions.get(s.id)).toBeUndefined();
    expect(await adapters.sessions.revoke(s.id)).toBe(false);
  });

  it("revokes every session of a user and none of another's", async () => {
    const a = await adapters.sessions.create({ userId: "u4" });
    const b = await adapters.sessions.create({ userId: "u4" });
    const other = await adapters.sessions.create({ userId: "u5" });
    expect(await adapters.sessions.revokeAllForUser("u4")).toBe(2);
    expect(await adapters.sessions.get(a.id)).toBeUndefined();
    expect(await adapters.sessions.get(b.id)).toBeUndefined();
    expect(await adapters.sessions.get(other.id)).toEqual(other);
  });

  it("rejects a missing user id and a bad TTL", async () => {
    await expect(adapters.sessions.create({ userId: "" })).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
    });
    await expect(adapters.sessions.create({ userId: "u", ttlMs: -1 })).rejects.toThrow(/ttlMs/);
  });
});
