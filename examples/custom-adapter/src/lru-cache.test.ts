import { Cache, type PortBinder, type ServiceIdentifier } from "@limiquantix/domain";
import { expectDomainError } from "@limiquantix/domain/conformance";
import { describe, expect, it } from "vitest";
import { bindLruCache, LruCache } from "./lru-cache";
import { ManualClock } from "./manual-clock";

describe("LruCache bound", () => {
  it("evicts the least recently written entry when one more is set", async () => {
    const cache = new LruCache({ maxEntries: 2 });
    await cache.set("a", 1);
    await cache.set("b", 2);
    await cache.set("c", 3);
    expect(await cache.get("a")).toBeUndefined();
    expect(await cache.get("b")).toBe(2);
    expect(await cache.get("c")).toBe(3);
    expect(cache.size).toBe(2);
    expect(cache.evictions).toBe(1);
  });

  it("a read makes an entry recently used, so the other one is evicted", async () => {
    const cache = new LruCache({ maxEntries: 2 });
    await cache.set("a", 1);
    await cache.set("b", 2);
    await cache.get("a");
    await cache.set("c", 3);
    expect(await cache.get("a")).toBe(1);
    expect(await cache.get("b")).toBeUndefined();
  });

  it("rewriting a key refreshes it and does not count as a new entry", async () => {
    const cache = new LruCache({ maxEntries: 2 });
    await cache.set("a", 1);
    await cache.set("b", 2);
    await cache.set("a", 10);
    await cache.set("c", 3);
    expect(await cache.get("a")).toBe(10);
    expect(await cache.get("b")).toBeUndefined();
  });

  it("drops expired entries before evicting live ones", async () => {
    const clock = new ManualClock();
    const cache = new LruCache({ maxEntries: 2, clock });
    await cache.set("short", 1, 100);
    await cache.set("long", 2);
    clock.advance(200);
    await cache.set("new", 3);
    expect(await cache.get("long")).toBe(2);
    expect(await cache.get("new")).toBe(3);
    expect(cache.evictions).toBe(0);
  });

  for (const maxEntries of [0, -1, 1.5]) {
    it(`refuses maxEntries ${maxEntries} with InvalidArgument`, async () => {
      const error = await expectDomainError((async () => new LruCache({ maxEntries }))(), "InvalidArgument");
      expect(error.message).toContain("maxEntries");
    });
  }
});

describe("bindLruCache", () => {
  it("binds the cache to the Cache port's service identifier", () => {
    const bound = new Map<symbol, unknown>();
    const binder: PortBinder = {
      bind<T>(id: ServiceIdentifier<T>, value: T) {
        bound.set(id, value);
      },
    };
    const cache = new LruCache({ maxEntries: 10 });
    bindLruCache(binder, cache);
    expect(bound.get(Cache)).toBe(cache);
    expect(Cache).toBe(Symbol.for("limiquantix.Cache"));
  });
});
