import type { Cache } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { createReadThrough } from "./read-through";

function mapCache(): Cache & { store: Map<string, unknown>; ttls: Map<string, number | undefined> } {
  const store = new Map<string, unknown>();
  const ttls = new Map<string, number | undefined>();
  return {
    store,
    ttls,
    async get<T>(key: string) {
      return store.get(key) as T | undefined;
    },
    async set<T>(key: string, value: T, ttlMs?: number) {
      store.set(key, JSON.parse(JSON.stringify(value)));
      ttls.set(key, ttlMs);
    },
    async delete(key: string) {
      return store.delete(key);
    },
    async deleteByPrefix(prefix: string) {
      let n = 0;
      for (const k of [...store.keys()]) if (k.startsWith(prefix) && store.delete(k)) n++;
      return n;
    },
  };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("createReadThrough", () => {
  it("loads on a miss, caches under namespace:id with the TTL, and serves hits from the cache", async () => {
    const cache = mapCache();
    const vms = createReadThrough<{ name: string }>(cache, { namespace: "vm", ttlMs: 300_000 });
    let loads = 0;
    const load = async () => {
      loads++;
      return { name: "web-1" };
    };
    expect(await vms.get("a", load)).toEqual({ name: "web-1" });
    expect(await vms.get("a", load)).toEqual({ name: "web-1" });
    expect(loads).toBe(1);
    expect(cache.ttls.get("vm:a")).toBe(300_000);
  });

  it("shares one load among concurrent misses of the same id", async () => {
    const vms = createReadThrough<number>(mapCache(), { namespace: "vm", ttlMs: 1000 });
    let loads = 0;
    const gate = deferred<number>();
    const load = () => {
      loads++;
      return gate.promise;
    };
    const all = Promise.all([vms.get("a", load), vms.get("a", load), vms.get("a", load)]);
    await new Promise((r) => setTimeout(r, 10));
    gate.resolve(7);
    expect(await all).toEqual([7, 7, 7]);
    expect(loads).toBe(1);
  });

  it("loads again after invalidate", async () => {
    const vms = createReadThrough<number>(mapCache(), { namespace: "vm", ttlMs: 1000 });
    let n = 0;
    const load = async () => ++n;
    expect(await vms.get("a", load)).toBe(1);
    await vms.invalidate("a");
    expect(await vms.get("a", load)).toBe(2);
  });

  it("does not cache a load that was in flight when its id was invalidated", async () => {
    const cache = mapCache();
    const vms = createReadThrough<string>(cache, { namespace: "vm", ttlMs: 1000 });
    const slow = deferred<string>();
    const stale = vms.get("a", () => slow.promise);
    await new Promise((r) => setTimeout(r, 5));
    await vms.invalidate("a");
    slow.resolve("old");
    expect(await stale).toBe("old");
    expect(cache.store.has("vm:a")).toBe(false);
    expect(await vms.get("a", async () => "new")).toBe("new");
    expect(cache.store.get("vm:a")).toBe("new");
  });

  it("invalidateAll drops only its own family", async () => {
    const cache = mapCache();
    const vms = createReadThrough<number>(cache, { namespace: "vm", ttlMs: 1000 });
    const nodes = createReadThrough<number>(cache, { namespace: "node", ttlMs: 1000 });
    await vms.get("a", async () => 1);
    await vms.get("b", async () => 2);
    await nodes.get("a", async () => 3);
    expect(await vms.invalidateAll()).toBe(2);
    expect([...cache.store.keys()]).toEqual(["node:a"]);
  });

  it("propagates a load failure and caches nothing", async () => {
    const cache = mapCache();
    const vms = createReadThrough<number>(cache, { namespace: "vm", ttlMs: 1000 });
    await expect(vms.get("a", async () => Promise.reject(new Error("db down")))).rejects.toThrow("db down");
    expect(cache.store.size).toBe(0);
  });

  it("rejects a namespace with a colon and a non-positive TTL", () => {
    expect(() => createReadThrough(mapCache(), { namespace: "a:b", ttlMs: 1 })).toThrow(
      /namespace must not contain/,
    );
    expect(() => createReadThrough(mapCache(), { namespace: "vm", ttlMs: 0 })).toThrow(
      /ttlMs must be a positive/,
    );
  });
});
