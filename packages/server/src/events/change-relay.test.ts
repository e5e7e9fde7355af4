import type { ChangeLogEntry } from "@limiquantix/domain";
import { eventually } from "@limiquantix/domain/conformance";
import { createMemoryAdapters, type MemoryAdapters } from "@limiquantix/repo-memory";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChangeRelay } from "./change-relay";

let m: MemoryAdapters;
let relay: ChangeRelay;
const logger = pino({ level: "silent" });

beforeEach(() => {
  m = createMemoryAdapters();
  relay = new ChangeRelay(m.changeLog, logger, { batch: 3, retryMs: 10 });
});
afterEach(async () => {
  await relay.stop();
  await m.close();
});

const project = (name: string) => ({ id: name, name, description: "", labels: {}, quota: {} });

describe("ChangeRelay", () => {
  it("relays every committed change after the revision it starts from, once and in revision order", async () => {
    await m.repositories.projects.create(project("before"));
    const seen: ChangeLogEntry[] = [];
    relay.subscribe({ change: (e) => void seen.push(e) });
    await relay.start();
    await Promise.all(Array.from({ length: 10 }, (_, i) => m.repositories.projects.create(project(`p${i}`))));
    await relay.caughtUp();
    expect(seen.map((e) => e.id).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `p${i}`).sort());
    const revisions = seen.map((e) => e.revision);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    expect(new Set(revisions).size).toBe(revisions.length);
    expect(relay.revision).toBe(await m.changeLog.head());
  });

  it("caughtUp resolves only once the changes committed before it have reached the listeners", async () => {
    await relay.start();
    const seen: string[] = [];
    relay.subscribe({ change: (e) => void seen.push(e.id) });
    await m.repositories.projects.create(project("a"));
    await relay.caughtUp();
    expect(seen).toEqual(["a"]);
  });

  it("waits for a listener that returns a promise before the next change, and caughtUp waits for it too", async () => {
    await relay.start();
    const done: string[] = [];
    let busy = 0;
    let overlapped = false;
    relay.subscribe({
      change: async (e) => {
        busy++;
        if (busy > 1) overlapped = true;
        await new Promise((r) => setTimeout(r, 5));
        done.push(e.id);
        busy--;
      },
    });
    const sync: string[] = [];
    relay.subscribe({ change: (e) => void sync.push(e.id) });
    for (const name of ["a", "b", "c", "d"]) await m.repositories.projects.create(project(name));
    await relay.caughtUp();
    expect(done).toEqual(["a", "b", "c", "d"]);
    expect(sync).toEqual(["a", "b", "c", "d"]);
    expect(overlapped).toBe(false);
  });

  it("keeps delivering to the others when one listener throws", async () => {
    await relay.start();
    const seen: string[] = [];
    relay.subscribe({
      change: () => {
        throw new Error("boom");
      },
    });
    relay.subscribe({ change: (e) => void seen.push(e.id) });
    await m.repositories.projects.create(project("a"));
    await m.repositories.projects.create(project("b"));
    await eventually(() => expect(seen).toEqual(["a", "b"]));
  });

  it("asks its listeners to rebuild when the log no longer holds what it missed", async () => {
    await relay.start(0);
    await relay.stop();
    relay = new ChangeRelay(m.changeLog, logger, { batch: 3, retryMs: 10 });
    for (let i = 0; i < 5; i++) await m.repositories.projects.create(project(`p${i}`));
    await m.changeLog.compact({ maxEntries: 1 });
    const resets: number[] = [];
    relay.subscribe({ change: () => undefined, reset: (head) => void resets.push(head) });
    await relay.start(0);
    await eventually(() => expect(resets).toEqual([expect.any(Number)]));
    expect(resets[0]).toBe(await m.changeLog.head());
    expect(relay.revision).toBe(resets[0]);
  });
});
