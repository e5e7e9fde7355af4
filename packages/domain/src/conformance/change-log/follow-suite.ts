import { describe, expect, it } from "vitest";
import { fixtures } from "../fixtures";
import { deferred, expectDomainError, isSettled, sleep } from "../support";
import type { ChangeLogHarness } from "./harness";

/** followSuite registers tests of following the log: head, read from a revision, and wait for more. */
export function followSuite(harness: () => ChangeLogHarness): void {
  const h = () => harness();
  const log = () => h().changeLog;
  const project = () => h().repos.projects.create(fixtures.project());

  describe("read", () => {
    it("head is the revision of the latest write, and oldest is at most head", async () => {
      const written = await project();
      const head = await log().head();
      expect(head).toBeGreaterThanOrEqual(written.resourceVersion);
      expect(await log().oldest()).toBeLessThanOrEqual(head);
      const next = await project();
      expect(await log().head()).toBeGreaterThanOrEqual(next.resourceVersion);
      expect(next.resourceVersion).toBeGreaterThan(written.resourceVersion);
    });

    it("read returns the entries after a revision in order, at most limit, and pages from the last one read", async () => {
      const start = await log().head();
      const written = [await project(), await project(), await project(), await project(), await project()];
      const revisions = written.map((p) => p.resourceVersion);
      const first = await log().read(start, 2);
      expect(first.map((e) => e.revision)).toEqual(revisions.slice(0, 2));
      const rest = await log().read(first[1]!.revision, 10);
      expect(rest.map((e) => e.revision)).toEqual(revisions.slice(2));
      expect(rest.map((e) => e.object)).toEqual(written.slice(2));
      expect(await log().read(revisions[4]!, 10)).toEqual([]);
      expect(await log().read(revisions[4]! + 1000, 10)).toEqual([]);
    });

    it("returned entries are copies: changing one changes nothing kept", async () => {
      const start = await log().head();
      const written = await project();
      const [entry] = await log().read(start, 1);
      (entry!.object as { name: string }).name = "changed";
      const [again] = await log().read(start, 1);
      expect(again!.object).toEqual(written);
    });

    it("read refuses a negative or fractional revision and a limit out of range with InvalidArgument", async () => {
      await expectDomainError(log().read(-1, 10), "InvalidArgument");
      await expectDomainError(log().read(1.5, 10), "InvalidArgument");
      await expectDomainError(log().read(0, 0), "InvalidArgument");
      await expectDomainError(log().read(0, 1_000_000), "InvalidArgument");
      await expectDomainError(log().wait(-1), "InvalidArgument");
    });
  });

  describe("wait", () => {
    it("resolves at once when an entry after the revision is already committed", async () => {
      const start = await log().head();
      const written = await project();
      expect(await log().wait(start)).toBeGreaterThanOrEqual(written.resourceVersion);
    });

    it("resolves when a write commits after it began, with a head at or above that write", async () => {
      const head = await log().head();
      const waiting = log().wait(head);
      await sleep(20);
      expect(await isSettled(waiting)).toBe(false);
      const written = await project();
      expect(await waiting).toBeGreaterThanOrEqual(written.resourceVersion);
    });

    it("does not resolve for a unit of work that has not committed, and resolves when it does", async () => {
      const head = await log().head();
      const inside = deferred();
      const proceed = deferred();
      const work = h().uow.run(async (tx) => {
        const p = await tx.projects.create(fixtures.project());
        inside.resolve();
        await proceed.promise;
        return p;
      });
      await inside.promise;
      const waiting = log().wait(head);
      await sleep(50);
      expect(await isSettled(waiting)).toBe(false);
      proceed.resolve();
      const committed = await work;
      expect(await waiting).toBeGreaterThanOrEqual(committed.resourceVersion);
    });

    it("rejects with the signal's reason when the signal aborts, and at once for an aborted signal", async () => {
      const head = await log().head();
      const ac = new AbortController();
      const waiting = log().wait(head, ac.signal);
      await sleep(10);
      const reason = new Error("the watcher went away");
      ac.abort(reason);
      await expect(waiting).rejects.toBe(reason);
      await expect(log().wait(head, ac.signal)).rejects.toBe(reason);
      // The log still wakes later waiters.
      const next = log().wait(head);
      const written = await project();
      expect(await next).toBeGreaterThanOrEqual(written.resourceVersion);
    });

    it("many waiters on one revision all wake on one write", async () => {
      const head = await log().head();
      const waiters = Array.from({ length: 10 }, () => log().wait(head));
      const written = await project();
      for (const revision of await Promise.all(waiters))
        expect(revision).toBeGreaterThanOrEqual(written.resourceVersion);
    });
  });
}
