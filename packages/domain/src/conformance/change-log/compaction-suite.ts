import { describe, expect, it } from "vitest";
import { REVISION_COMPACTED } from "../../ports/change-log-support";
import { fixtures } from "../fixtures";
import { expectDomainError, sleep } from "../support";
import { type ChangeLogHarness, entriesAfter } from "./harness";

/** compactionSuite registers tests of compaction by count and by age, and of reads below the retained window. */
export function compactionSuite(harness: () => ChangeLogHarness): void {
  const h = () => harness();
  const log = () => h().changeLog;
  const projects = async (n: number) => {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await h().repos.projects.create(fixtures.project()));
    return out;
  };

  describe("compaction", () => {
    it("by count keeps the newest entries and returns how many it removed", async () => {
      const written = await projects(5);
      const kept = await entriesAfter(log(), await log().oldest());
      const removed = await log().compact({ maxEntries: 3 });
      expect(removed).toBe(kept.length - 3);
      const oldest = await log().oldest();
      expect(oldest).toBe(written[1]!.resourceVersion);
      const left = await entriesAfter(log(), oldest);
      expect(left.map((e) => e.object)).toEqual(written.slice(2));
      expect(await log().compact({ maxEntries: 3 })).toBe(0);
    });

    it("by age removes the entries written before the cutoff and keeps the younger ones", async () => {
      const old = await projects(3);
      const between = Date.now();
      await sleep(300);
      const young = await projects(2);
      // The cutoff falls 150 ms after the old entries were written and 150 ms before the young ones.
      const removed = await log().compact({ maxAgeMs: Date.now() - (between + 150) });
      expect(removed).toBeGreaterThanOrEqual(3);
      const oldest = await log().oldest();
      expect(oldest).toBeGreaterThanOrEqual(old[2]!.resourceVersion);
      expect(oldest).toBeLessThan(young[0]!.resourceVersion);
      expect((await entriesAfter(log(), oldest)).map((e) => e.object)).toEqual(young);
    });

    it("with both bounds removes what either selects; with none removes nothing", async () => {
      const written = await projects(4);
      expect(await log().compact({})).toBe(0);
      await log().compact({ maxAgeMs: 3_600_000, maxEntries: 2 });
      expect((await entriesAfter(log(), await log().oldest())).map((e) => e.object)).toEqual(
        written.slice(2),
      );
      await sleep(5);
      await log().compact({ maxAgeMs: 0, maxEntries: 100 });
      expect(await entriesAfter(log(), await log().oldest())).toEqual([]);
      expect(await log().oldest()).toBe(written[3]!.resourceVersion);
    });

    it("refuses negative or fractional bounds with InvalidArgument", async () => {
      await expectDomainError(log().compact({ maxEntries: -1 }), "InvalidArgument");
      await expectDomainError(log().compact({ maxAgeMs: 1.5 }), "InvalidArgument");
    });

    it("a revision below the retained window fails with FailedPrecondition revision-compacted, for read and wait", async () => {
      const written = await projects(3);
      await log().compact({ maxEntries: 1 });
      const oldest = await log().oldest();
      expect(oldest).toBe(written[1]!.resourceVersion);
      const tooOld = written[0]!.resourceVersion;
      const error = await expectDomainError(log().read(tooOld, 10), "FailedPrecondition");
      expect(error.details).toMatchObject({ reason: REVISION_COMPACTED, oldestRevision: oldest });
      expect(error.message).toMatch(/too old/);
      expect(error.message).toMatch(/list again/);
      const waited = await expectDomainError(log().wait(tooOld), "FailedPrecondition");
      expect(waited.details).toMatchObject({ reason: REVISION_COMPACTED, oldestRevision: oldest });
      expect((await log().read(oldest, 10)).map((e) => e.object)).toEqual([written[2]]);
    });

    it("writes after compacting everything get higher revisions and are read from the oldest revision", async () => {
      const before = await projects(2);
      await log().compact({ maxEntries: 0 });
      const oldest = await log().oldest();
      expect(oldest).toBeGreaterThanOrEqual(before[1]!.resourceVersion);
      expect(await log().read(oldest, 10)).toEqual([]);
      const [after] = await projects(1);
      expect(after!.resourceVersion).toBeGreaterThan(oldest);
      expect((await log().read(oldest, 10)).map((e) => e.object)).toEqual([after]);
      expect(await log().wait(oldest)).toBeGreaterThanOrEqual(after!.resourceVersion);
    });
  });
}
