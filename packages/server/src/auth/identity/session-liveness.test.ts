import { MemorySessionStore } from "@limiquantix/repo-memory";
import { describe, expect, it } from "vitest";
import { SessionLiveness } from "./session-liveness";

describe("SessionLiveness", () => {
  it("asks the store once per interval, sees a revocation made here at once and one made elsewhere after the interval", async () => {
    const store = new MemorySessionStore();
    let now = 0;
    let reads = 0;
    const counting = Object.assign(Object.create(store) as MemorySessionStore, {
      get: (id: string) => {
        reads++;
        return store.get(id);
      },
    });
    const live = new SessionLiveness(counting, 5000, () => now);
    const a = await store.create({ userId: "u1", secretHash: "h1", ttlMs: 60_000 });
    const b = await store.create({ userId: "u1", secretHash: "h2", ttlMs: 60_000 });
    expect(await live.isLive(a.id)).toBe(true);
    expect(await live.isLive(a.id)).toBe(true);
    expect(reads).toBe(1);
    await store.revoke(a.id); // elsewhere
    expect(await live.isLive(a.id)).toBe(true);
    now += 5001;
    expect(await live.isLive(a.id)).toBe(false);
    expect(await live.isLive(b.id)).toBe(true);
    live.revokedUser("u1"); // here
    expect(await live.isLive(b.id)).toBe(false);
  });

  it("keeps trusting a session seen live while the store is unreachable, and refuses one never seen", async () => {
    const store = new MemorySessionStore();
    let down = false;
    let now = 0;
    const flaky = Object.assign(Object.create(store) as MemorySessionStore, {
      get: (id: string) => (down ? Promise.reject(new Error("store down")) : store.get(id)),
    });
    const live = new SessionLiveness(flaky, 1000, () => now);
    const seen = await store.create({ userId: "u", secretHash: "h1", ttlMs: 60_000 });
    const unseen = await store.create({ userId: "u", secretHash: "h2", ttlMs: 60_000 });
    expect(await live.isLive(seen.id)).toBe(true);
    down = true;
    now += 10_000;
    expect(await live.isLive(seen.id)).toBe(true);
    await expect(live.isLive(unseen.id)).rejects.toThrow("store down");
  });
});
