import type { Project, ProjectInput } from "@limiquantix/domain";
import { createMemoryAdapters } from "@limiquantix/repo-memory";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ChangeRelay } from "./change-relay";
import { watchChanges } from "./watch";

let m: ReturnType<typeof createMemoryAdapters>;
let relay: ChangeRelay;
beforeEach(async () => {
  m = createMemoryAdapters();
  relay = new ChangeRelay(m.changeLog, pino({ level: "silent" }));
  await relay.start();
});
afterEach(async () => {
  vi.useRealTimers();
  await relay.stop();
  await m.close();
});

describe("watchChanges", () => {
  it("holds one bookmark timer while it waits, not one per change it waited for", async () => {
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
    }
  });

  it("sends a bookmark on time while changes the watcher does not see keep coming", async () => {
    const stream = watchChanges<Project>(
      { log: m.changeLog, relay },
      {
        kind: "Project",
        matches: (p) => p.labels.seen === "yes",
        list: async () => [],
        bookmarkIntervalMs: 300,
      },
      new AbortController().signal,
    );
    try {
      expect((await stream.next()).value).toMatchObject({ type: "BOOKMARK" });
      const started = Date.now();
      const next = stream.next();
      // A change every 50 ms, none of them matching: each wakes the stream, none may push the bookmark back.
      let i = 0;
      const writer = setInterval(() => {
        void m.repositories.projects.create(project(`q${i++}`));
      }, 50);
      const event = await next;
      clearInterval(writer);
      expect(event.value).toMatchObject({ type: "BOOKMARK" });
      expect(event.value?.revision).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(i).toBeGreaterThan(2);
    } finally {
      await stream.return?.();
    }
  });

  it("answers two waiting nexts in order, ends a waiting next on return, and stops listening", async () => {
    const before = relay.listenerCount;
    const stream = watchChanges<Project>(
      { log: m.changeLog, relay },
      { kind: "Project", matches: () => true, list: async () => [], bookmarkIntervalMs: 600_000 },
      new AbortController().signal,
    );
    // As a generator's body: nothing is held until the stream is read.
    expect(relay.listenerCount).toBe(before);
    expect((await stream.next()).value).toMatchObject({ type: "BOOKMARK" });
    const first = stream.next();
    const second = stream.next();
    await m.repositories.projects.create(project("a"));
    await m.repositories.projects.create(project("b"));
    expect((await first).value).toMatchObject({ type: "ADDED", object: { id: "a" } });
    expect((await second).value).toMatchObject({ type: "ADDED", object: { id: "b" } });
    const waiting = stream.next();
    expect(relay.listenerCount).toBe(before + 1);
    await stream.return?.();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(relay.listenerCount).toBe(before);
    await m.repositories.projects.create(project("c"));
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it("holds nothing for a stream ended before it was read", async () => {
    const before = relay.listenerCount;
    const stream = watchChanges<Project>(
      { log: m.changeLog, relay },
      { kind: "Project", matches: () => true, list: async () => [] },
      new AbortController().signal,
    );
    await stream.return?.();
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(relay.listenerCount).toBe(before);
  });

  it("ends a waiting next when the call is aborted, and cuts off a watcher that overflows while it waits", async () => {
    const abort = new AbortController();
    const spec = {
      kind: "Project" as const,
      matches: () => true,
      list: async () => [],
      bookmarkIntervalMs: 600_000,
    };
    const aborted = watchChanges<Project>({ log: m.changeLog, relay }, spec, abort.signal);
    const tiny = watchChanges<Project>(
      { log: m.changeLog, relay },
      { ...spec, bufferSize: 0 },
      new AbortController().signal,
    );
    try {
      expect((await aborted.next()).value).toMatchObject({ type: "BOOKMARK" });
      expect((await tiny.next()).value).toMatchObject({ type: "BOOKMARK" });
      const waiting = aborted.next();
      abort.abort();
      expect(await waiting).toEqual({ done: true, value: undefined });
      const cut = tiny.next();
      await m.repositories.projects.create(project("x"));
      await expect(cut).rejects.toMatchObject({ code: "ResourceExhausted" });
      expect(await tiny.next()).toEqual({ done: true, value: undefined });
    } finally {
      await tiny.return?.();
    }
  });
});

function project(id: string): ProjectInput {
  return { id, name: id, description: "", labels: {}, quota: {} };
}
