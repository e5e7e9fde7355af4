import { runSessionStoreConformance } from "@limiquantix/domain/conformance";
import { describe, expect, it } from "vitest";
import { ManualClock } from "./manual-clock";
import { MemorySessionStore } from "./session-store";

runSessionStoreConformance("repo-memory", async () => {
  const clock = new ManualClock();
  return {
    store: new MemorySessionStore(clock),
    advanceTime: async (ms) => clock.advance(ms),
    close: async () => {},
  };
});

describe("MemorySessionStore", () => {
  it("forgets ended sessions instead of keeping them", async () => {
    const clock = new ManualClock();
    const store = new MemorySessionStore(clock);
    const kept = await store.create({ userId: "u", secretHash: "h", ttlMs: 10_000 });
    const revoked = await store.create({ userId: "u", secretHash: "h", ttlMs: 10_000 });
    await store.create({ userId: "u", secretHash: "h", ttlMs: 100 });
    await store.revoke(revoked.id);
    clock.advance(200);
    expect(store.size).toBe(1);
    expect(await store.get(kept.id)).toEqual(kept);
  });

  it("answers with copies: changing one changes nothing stored", async () => {
    const store = new MemorySessionStore(new ManualClock());
    const s = await store.create({ userId: "u", secretHash: "h", ttlMs: 10_000, data: { tags: ["a"] } });
    (s.data.tags as string[]).push("b");
    expect((await store.get(s.id))?.data).toEqual({ tags: ["a"] });
  });
});
