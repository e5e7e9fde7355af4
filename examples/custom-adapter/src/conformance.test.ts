// The whole proof of the adapter: the published cache conformance suite, in one call.
import { runCacheConformance } from "@limiquantix/domain/conformance";
import { LruCache } from "./lru-cache";
import { ManualClock } from "./manual-clock";

runCacheConformance("example LruCache", async () => {
  const clock = new ManualClock();
  return {
    // The suite writes up to 250 keys at once; the bound must leave room for them.
    cache: new LruCache({ maxEntries: 1000, clock }),
    advanceTime: async (ms) => clock.advance(ms),
    close: async () => {},
  };
});
