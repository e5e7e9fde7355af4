import type { Project } from "@limiquantix/domain";
import { createMemoryAdapters } from "@limiquantix/repo-memory";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ChangeRelay } from "./change-relay";
import { watchChanges } from "./watch";

afterEach(() => {
  vi.useRealTimers();
});

describe("watchChanges", () => {
  it("holds one bookmark timer while it waits, not one per change it waited for", async () => {
    const m = createMemoryAdapters();
    const relay = new ChangeRelay(m.changeLog, pino({ level: "silent" }));
    await relay.start();
    // Pending timers are counted with fake ones (unref'd timers are not active resources).
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const abort = new AbortController();
    const stream = watchChanges<Project>(
      { log: m.changeLog, relay },
      { kind: "Project", matches: () => true, list: async () => [], bookmarkIntervalMs: 600_000 },
      abort.signal,
    );
    const events = stream[Symbol.asyncIterator]();
    try {
      expect((await events.next()).value).toMatchObject({ type: "BOOKMARK" });
      const before = vi.getTimerCount();
      for (let i = 0; i < 30; i++) {
        // The watcher waits (a bookmark timer), then the change wakes it.
        const next = events.next();
        await m.repositories.projects.create({
          id: `p${i}`,
          name: `p${i}`,
          description: "",
          labels: {},
          quota: {},
        });
        expect((await next).value).toMatchObject({ type: "ADDED", object: { id: `p${i}` } });
      }
      // Left to run out, each wait's timer would stay for ten minutes: thirty of them.
      expect(vi.getTimerCount() - before).toBeLessThanOrEqual(1);
    } finally {
      abort.abort();
      await events.return?.(undefined);
      await relay.stop();
      await m.close();
    }
  });
});
