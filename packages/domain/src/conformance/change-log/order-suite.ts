import { describe, expect, it } from "vitest";
import type { VirtualMachine } from "../../entities/virtual-machine";
import { fixtures } from "../fixtures";
import { type ChangeLogHarness, entriesAfter, entriesOf, isStrictlyIncreasing } from "./harness";

const WRITERS = 20;
const WRITES = 10;

/** orderSuite registers tests that revisions follow commit order across concurrent writers, with no gap filled in later. */
export function orderSuite(harness: () => ChangeLogHarness): void {
  const h = () => harness();
  const log = () => h().changeLog;

  describe("order", () => {
    it(`${WRITERS} concurrent writers × ${WRITES} writes: every write once, revisions strictly increasing, no gap filled in later`, async () => {
      const repos = h().repos;
      const projectId = (await repos.projects.create(fixtures.project())).id;
      const start = await log().head();
      let writing = true;
      const violations: string[] = [];
      let polls = 0;
      // A reader polling during the writes: what it saw below the highest revision it saw must
      // never change in a later read (a revision committed late below it would be a gap filled in).
      const reader = (async () => {
        let seen: number[] = [];
        while (writing || polls === 0) {
          const now = (await entriesAfter(log(), start)).map((e) => e.revision);
          polls++;
          if (!isStrictlyIncreasing(now)) violations.push(`read out of order: ${now.join(",")}`);
          const top = seen.at(-1) ?? start;
          const below = now.filter((r) => r <= top);
          if (below.join(",") !== seen.join(","))
            violations.push(`below ${top} the log changed from [${seen.join(",")}] to [${below.join(",")}]`);
          seen = now;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      })();
      const writer = async (): Promise<VirtualMachine[]> => {
        const written: VirtualMachine[] = [];
        let vm = await repos.vms.create(fixtures.vm({ projectId }));
        written.push(vm);
        for (let i = 1; i < WRITES; i++) {
          vm = await repos.vms.update({ ...vm, labels: { write: String(i) } });
          written.push(vm);
        }
        return written;
      };
      let results: VirtualMachine[][];
      try {
        results = await Promise.all(Array.from({ length: WRITERS }, writer));
      } finally {
        writing = false;
        await reader;
      }
      expect(violations).toEqual([]);
      const ids = results.map((w) => w[0]!.id);
      const mine = await entriesOf(log(), start, ids);
      expect(mine).toHaveLength(WRITERS * WRITES);
      expect(isStrictlyIncreasing(mine.map((e) => e.revision))).toBe(true);
      for (const written of results) {
        const own = mine.filter((e) => e.id === written[0]!.id);
        expect(own.map((e) => e.revision)).toEqual(written.map((vm) => vm.resourceVersion));
        expect(own.map((e) => e.type)).toEqual(["ADDED", ...Array<string>(WRITES - 1).fill("MODIFIED")]);
      }
      expect(await log().head()).toBeGreaterThanOrEqual(mine.at(-1)!.revision);
    });

    it("concurrent units of work: each work's entries all appear, in its own order, above what committed before it", async () => {
      const repos = h().repos;
      const projectId = (await repos.projects.create(fixtures.project())).id;
      const start = await log().head();
      const work = () =>
        h().uow.run(async (tx) => {
          const a = await tx.vms.create(fixtures.vm({ projectId }));
          const b = await tx.vms.create(fixtures.vm({ projectId }));
          const a2 = await tx.vms.update({ ...a, labels: { second: "write" } });
          return [a, b, a2];
        });
      const works = await Promise.all(Array.from({ length: 8 }, work));
      const all = await entriesAfter(log(), start);
      expect(isStrictlyIncreasing(all.map((e) => e.revision))).toBe(true);
      for (const [a, b, a2] of works as [VirtualMachine, VirtualMachine, VirtualMachine][]) {
        const own = all.filter((e) => e.id === a.id || e.id === b.id);
        expect(own.map((e) => [e.id, e.revision])).toEqual([
          [a.id, a.resourceVersion],
          [b.id, b.resourceVersion],
          [a.id, a2.resourceVersion],
        ]);
      }
    });
  });
}
