import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Cache, readThrough } from "../ports/cache";
import { uniqueName } from "./fixtures";
import { expectDomainError } from "./support";

/** CacheHarness is what a cache adapter hands the cache conformance suite. */
export interface CacheHarness {
  readonly cache: Cache;
  /** moves time forward: a manual clock for memory, a real sleep for Redis */
  advanceTime(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * runCacheConformance registers the cache conformance suite: get/set/delete, JSON round-trip
 * semantics, TTL expiry (driven by advanceTime), deleteByPrefix and input validation. Every
 * test works under a key prefix of its own, so a harness may share one server between tests.
 * TTLs are a few hundred milliseconds so real-time backends stay quick.
 */
export function runCacheConformance(adapter: string, makeHarness: () => Promise<CacheHarness>): void {
  describe(`Cache conformance: ${adapter}`, () => {
    let h: CacheHarness | undefined;
    let ns = "";
    beforeEach(async () => {
      h = await makeHarness();
      ns = `${uniqueName("cache")}:`;
    });
    afterEach(async () => {
      const current = h;
      h = undefined;
      await current?.close();
    });
    const cache = (): Cache => h!.cache;
    const k = (key: string): string => `${ns}${key}`;

    it("get of a missing key is undefined", async () => {
      expect(await cache().get(k("missing"))).toBeUndefined();
    });

    it("set then get returns an equal value", async () => {
      const value = { name: "web-1", vcpus: 4, tags: ["a", "b"], nested: { ok: true, n: null } };
      await cache().set(k("v"), value);
      expect(await cache().get(k("v"))).toEqual(value);
    });

    it("values make a JSON round trip: undefined fields vanish, dates become strings", async () => {
      const at = new Date("2026-01-02T03:04:05.000Z");
      await cache().set(k("json"), { a: 1, gone: undefined, at, list: [1, undefined, 3] });
      const back = await cache().get<Record<string, unknown>>(k("json"));
      expect(back).toEqual({ a: 1, at: "2026-01-02T03:04:05.000Z", list: [1, null, 3] });
      expect(Object.hasOwn(back!, "gone")).toBe(false);
    });

    it("falsy values and null are stored and returned as themselves", async () => {
      for (const [key, value] of [
        ["zero", 0],
        ["false", false],
        ["empty", ""],
        ["null", null],
        ["array", []],
      ] as const) {
        await cache().set(k(key), value);
        expect(await cache().get(k(key)), key).toEqual(value);
      }
    });

    it("set replaces the previous value", async () => {
      await cache().set(k("x"), { v: 1 });
      await cache().set(k("x"), { v: 2 });
      expect(await cache().get(k("x"))).toEqual({ v: 2 });
    });

    it("values read are copies: changing one changes nothing cached", async () => {
      await cache().set(k("copy"), { list: [1] });
      const first = await cache().get<{ list: number[] }>(k("copy"));
      first!.list.push(2);
      expect(await cache().get(k("copy"))).toEqual({ list: [1] });
    });

    it("delete removes a key and says whether it was there", async () => {
      await cache().set(k("d"), "x");
      expect(await cache().delete(k("d"))).toBe(true);
      expect(await cache().get(k("d"))).toBeUndefined();
      expect(await cache().delete(k("d"))).toBe(false);
    });

    it("keys are exact strings; pattern characters in keys are ordinary", async () => {
      const keys = ["a", "A", "a ", "a*", "a?", "a[1]", "a:b", "ü"];
      for (const [i, key] of keys.entries()) await cache().set(k(key), i);
      for (const [i, key] of keys.entries()) expect(await cache().get(k(key)), key).toBe(i);
    });

    it("a value with a TTL is returned before it expires and never after", async () => {
      await cache().set(k("ttl"), "soon gone", 400);
      await h!.advanceTime(100);
      expect(await cache().get(k("ttl"))).toBe("soon gone");
      await h!.advanceTime(450);
      expect(await cache().get(k("ttl"))).toBeUndefined();
      expect(await cache().delete(k("ttl"))).toBe(false);
    });

    it("setting again without a TTL makes the value permanent", async () => {
      await cache().set(k("p"), 1, 300);
      await cache().set(k("p"), 2);
      await h!.advanceTime(450);
      expect(await cache().get(k("p"))).toBe(2);
    });

    it("setting again with a TTL starts the TTL afresh", async () => {
      await cache().set(k("r"), 1, 400);
      await h!.advanceTime(250);
      await cache().set(k("r"), 2, 400);
      await h!.advanceTime(250);
      expect(await cache().get(k("r"))).toBe(2);
      await h!.advanceTime(300);
      expect(await cache().get(k("r"))).toBeUndefined();
    });

    it("keys without a TTL are unaffected by time", async () => {
      await cache().set(k("forever"), "here");
      await h!.advanceTime(500);
      expect(await cache().get(k("forever"))).toBe("here");
    });

    it("deleteByPrefix removes exactly the keys with the prefix and counts them", async () => {
      await cache().set(k("vm:1"), 1);
      await cache().set(k("vm:2"), 2);
      await cache().set(k("vm:2:disks"), 3);
      await cache().set(k("vmx"), 4);
      await cache().set(k("node:1"), 5);
      expect(await cache().deleteByPrefix(k("vm:"))).toBe(3);
      expect(await cache().get(k("vm:1"))).toBeUndefined();
      expect(await cache().get(k("vm:2:disks"))).toBeUndefined();
      expect(await cache().get(k("vmx"))).toBe(4);
      expect(await cache().get(k("node:1"))).toBe(5);
      expect(await cache().deleteByPrefix(k("vm:"))).toBe(0);
    });

    it("deleteByPrefix treats pattern characters in the prefix literally", async () => {
      await cache().set(k("a*b:1"), 1);
      await cache().set(k("axb:1"), 2);
      await cache().set(k("a?b:1"), 3);
      await cache().set(k("a[x]:1"), 4);
      await cache().set(k("ax]:1"), 5);
      expect(await cache().deleteByPrefix(k("a*"))).toBe(1);
      expect(await cache().deleteByPrefix(k("a?"))).toBe(1);
      expect(await cache().deleteByPrefix(k("a[x]"))).toBe(1);
      expect(await cache().get(k("axb:1"))).toBe(2);
      expect(await cache().get(k("ax]:1"))).toBe(5);
    });

    it("deleteByPrefix does not count keys that already expired", async () => {
      await cache().set(k("e:1"), 1, 300);
      await cache().set(k("e:2"), 2);
      await h!.advanceTime(450);
      expect(await cache().deleteByPrefix(k("e:"))).toBe(1);
    });

    it("deleteByPrefix handles many keys", async () => {
      await Promise.all(Array.from({ length: 250 }, (_, i) => cache().set(k(`many:${i}`), i)));
      expect(await cache().deleteByPrefix(k("many:"))).toBe(250);
      expect(await cache().get(k("many:7"))).toBeUndefined();
    });

    for (const ttl of [0, -1, 1.5, Number.NaN]) {
      it(`refuses ttlMs ${ttl} with InvalidArgument and stores nothing`, async () => {
        const error = await expectDomainError(cache().set(k("bad-ttl"), 1, ttl), "InvalidArgument");
        expect(error.message).toContain("ttlMs");
        expect(await cache().get(k("bad-ttl"))).toBeUndefined();
      });
    }

    it("refuses a value JSON cannot carry with InvalidArgument", async () => {
      await expectDomainError(cache().set(k("undef"), undefined), "InvalidArgument");
      await expectDomainError(cache().set(k("bigint"), { n: 10n }), "InvalidArgument");
      expect(await cache().get(k("undef"))).toBeUndefined();
      expect(await cache().get(k("bigint"))).toBeUndefined();
    });

    it("large values round-trip intact", async () => {
      const big = { text: "x".repeat(200_000), list: Array.from({ length: 1000 }, (_, i) => i) };
      await cache().set(k("big"), big);
      expect(await cache().get(k("big"))).toEqual(big);
    });

    it("concurrent writes to different keys are all kept", async () => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => cache().set(k(`c:${i}`), { i })));
      const values = await Promise.all(Array.from({ length: 50 }, (_, i) => cache().get(k(`c:${i}`))));
      expect(values).toEqual(Array.from({ length: 50 }, (_, i) => ({ i })));
    });

    it("readThrough loads once on a miss and serves the cached value after", async () => {
      let loads = 0;
      const load = async () => ({ loaded: ++loads });
      expect(await readThrough(cache(), k("rt"), 1000, load)).toEqual({ loaded: 1 });
      expect(await readThrough(cache(), k("rt"), 1000, load)).toEqual({ loaded: 1 });
      expect(loads).toBe(1);
    });
  });
}
