import { describe, expect, it } from "vitest";
import type { VirtualMachine } from "../../entities/virtual-machine";
import type { LabelSelector } from "../../labels/label-selector";
import { MAX_PAGE_SIZE } from "../../ports/pagination";
import { fixtures, uniqueSuffix } from "../fixtures";
import { expectDomainError } from "../support";
import type { RepositoryHarness } from "./harness";

/** querySuite registers label-selector and pagination tests (on VMs, in a project of their own). */
export function querySuite(harness: () => RepositoryHarness): void {
  async function project(): Promise<string> {
    return (await harness().repos.projects.create(fixtures.project())).id;
  }

  describe("label selectors", () => {
    // Four VMs: a {env=prod, tier=web}, b {env=prod, tier=db}, c {env=dev}, d {}.
    async function seed(): Promise<{ projectId: string; ids: Record<"a" | "b" | "c" | "d", string> }> {
      const projectId = await project();
      const vms = harness().repos.vms;
      const a = await vms.create(fixtures.vm({ projectId, labels: { env: "prod", tier: "web" } }));
      const b = await vms.create(fixtures.vm({ projectId, labels: { env: "prod", tier: "db" } }));
      const c = await vms.create(fixtures.vm({ projectId, labels: { env: "dev" } }));
      const d = await vms.create(fixtures.vm({ projectId, labels: {} }));
      return { projectId, ids: { a: a.id, b: b.id, c: c.id, d: d.id } };
    }

    const cases: readonly {
      name: string;
      text: string;
      parsed: LabelSelector;
      expect: ("a" | "b" | "c" | "d")[];
    }[] = [
      {
        name: "=",
        text: "env=prod",
        parsed: [{ key: "env", operator: "=", values: ["prod"] }],
        expect: ["a", "b"],
      },
      {
        name: "== (same as =)",
        text: "env==dev",
        parsed: [{ key: "env", operator: "=", values: ["dev"] }],
        expect: ["c"],
      },
      {
        name: "!= (also matches resources without the label)",
        text: "env!=prod",
        parsed: [{ key: "env", operator: "!=", values: ["prod"] }],
        expect: ["c", "d"],
      },
      {
        name: "in",
        text: "tier in (web,db)",
        parsed: [{ key: "tier", operator: "in", values: ["web", "db"] }],
        expect: ["a", "b"],
      },
      {
        name: "notin (also matches resources without the label)",
        text: "tier notin (web)",
        parsed: [{ key: "tier", operator: "notin", values: ["web"] }],
        expect: ["b", "c", "d"],
      },
      {
        name: "exists",
        text: "tier",
        parsed: [{ key: "tier", operator: "exists", values: [] }],
        expect: ["a", "b"],
      },
      {
        name: "!exists",
        text: "!env",
        parsed: [{ key: "env", operator: "!exists", values: [] }],
        expect: ["d"],
      },
      {
        name: "several requirements (AND)",
        text: "env=prod,tier!=db",
        parsed: [
          { key: "env", operator: "=", values: ["prod"] },
          { key: "tier", operator: "!=", values: ["db"] },
        ],
        expect: ["a"],
      },
      { name: "empty selector (matches all)", text: "", parsed: [], expect: ["a", "b", "c", "d"] },
    ];

    for (const c of cases) {
      it(`${c.name}: string and parsed forms select the same VMs`, async () => {
        const { projectId, ids } = await seed();
        const want = c.expect.map((k) => ids[k]).sort();
        const byText = await harness().repos.vms.list({ projectId, labelSelector: c.text });
        const byParsed = await harness().repos.vms.list({ projectId, labelSelector: c.parsed });
        expect(byText.items.map((v) => v.id)).toEqual(want);
        expect(byParsed.items.map((v) => v.id)).toEqual(want);
        expect(byText.total).toBe(want.length);
        expect(await harness().repos.vms.count({ projectId, labelSelector: c.parsed })).toBe(want.length);
      });
    }

    it("a selector naming a value no VM has matches nothing", async () => {
      const { projectId } = await seed();
      expect((await harness().repos.vms.list({ projectId, labelSelector: "env=staging" })).total).toBe(0);
    });

    it("label keys with a prefix are matched exactly", async () => {
      const projectId = await project();
      const vm = await harness().repos.vms.create(
        fixtures.vm({ projectId, labels: { "topology.example.com/zone": "z1" } }),
      );
      const page = await harness().repos.vms.list({
        projectId,
        labelSelector: "topology.example.com/zone in (z1,z2)",
      });
      expect(page.items.map((v) => v.id)).toEqual([vm.id]);
    });

    it("an unreadable selector string is InvalidArgument naming the clause", async () => {
      const projectId = await project();
      const error = await expectDomainError(
        harness().repos.vms.list({ projectId, labelSelector: "env=prod,tier in web" }),
        "InvalidArgument",
      );
      expect(error.message).toContain("clause 2");
    });
  });

  describe("pagination", () => {
    async function seedVms(n: number, projectId?: string): Promise<{ projectId: string; ids: string[] }> {
      const pid = projectId ?? (await project());
      const ids: string[] = [];
      for (let i = 0; i < n; i++)
        ids.push((await harness().repos.vms.create(fixtures.vm({ projectId: pid }))).id);
      return { projectId: pid, ids };
    }

    async function readAll(projectId: string, limit: number, between?: (page: number) => Promise<void>) {
      const seen: VirtualMachine[] = [];
      const totals: number[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await harness().repos.vms.list({ projectId }, cursor ? { limit, cursor } : { limit });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        seen.push(...page.items);
        totals.push(page.total);
        cursor = page.nextCursor;
        pages++;
        if (between && cursor) await between(pages);
        expect(pages).toBeLessThan(1000);
      } while (cursor);
      return { seen, totals, pages };
    }

    it("pages in stable id order with the total on every page and no cursor after the last", async () => {
      const { projectId, ids } = await seedVms(10);
      const { seen, totals, pages } = await readAll(projectId, 3);
      expect(seen.map((v) => v.id)).toEqual([...ids].sort());
      expect(totals).toEqual([10, 10, 10, 10]);
      expect(pages).toBe(4);
    });

    it("a limit equal to the count returns one page without a cursor (or a last empty page)", async () => {
      const { projectId, ids } = await seedVms(4);
      const first = await harness().repos.vms.list({ projectId }, { limit: 4 });
      expect(first.items).toHaveLength(4);
      if (first.nextCursor) {
        const next = await harness().repos.vms.list({ projectId }, { limit: 4, cursor: first.nextCursor });
        expect(next.items).toHaveLength(0);
        expect(next.nextCursor).toBeUndefined();
      }
      expect(first.items.map((v) => v.id)).toEqual([...ids].sort());
    });

    it("an empty list is one empty page with total 0", async () => {
      const projectId = await project();
      const page = await harness().repos.vms.list({ projectId });
      expect(page).toEqual({ items: [], total: 0 });
    });

    it("the same cursor returns the same page again", async () => {
      const { projectId } = await seedVms(5);
      const first = await harness().repos.vms.list({ projectId }, { limit: 2 });
      const a = await harness().repos.vms.list({ projectId }, { limit: 2, cursor: first.nextCursor! });
      const b = await harness().repos.vms.list({ projectId }, { limit: 2, cursor: first.nextCursor! });
      expect(a.items.map((v) => v.id)).toEqual(b.items.map((v) => v.id));
    });

    for (const limit of [0, -1, 1.5, MAX_PAGE_SIZE + 1]) {
      it(`refuses limit ${limit} with InvalidArgument naming the limit`, async () => {
        const projectId = await project();
        const error = await expectDomainError(
          harness().repos.vms.list({ projectId }, { limit }),
          "InvalidArgument",
        );
        expect(error.message).toContain("limit");
      });
    }

    it(`accepts limits 1 and ${MAX_PAGE_SIZE}`, async () => {
      const { projectId } = await seedVms(2);
      expect((await harness().repos.vms.list({ projectId }, { limit: 1 })).items).toHaveLength(1);
      expect((await harness().repos.vms.list({ projectId }, { limit: MAX_PAGE_SIZE })).items).toHaveLength(2);
    });

    it("refuses a cursor that no list returned with InvalidArgument", async () => {
      const projectId = await project();
      for (const cursor of ["garbage", "e30", Buffer.from('{"x":1}').toString("base64url")])
        await expectDomainError(harness().repos.vms.list({ projectId }, { cursor }), "InvalidArgument");
    });

    it("refuses a cursor of another kind's list with InvalidArgument", async () => {
      const projectId = await project();
      const poolId = (await harness().repos.storagePools.create(fixtures.storagePool())).id;
      for (let i = 0; i < 3; i++)
        await harness().repos.volumes.create(fixtures.volume({ projectId, spec: { poolId } }));
      const volumes = await harness().repos.volumes.list({ projectId }, { limit: 1 });
      expect(volumes.nextCursor).toBeDefined();
      await expectDomainError(
        harness().repos.vms.list({ projectId }, { limit: 1, cursor: volumes.nextCursor! }),
        "InvalidArgument",
      );
    });

    it("no duplicates or gaps across pages while rows are inserted before and after the cursor", async () => {
      const { projectId, ids } = await seedVms(12);
      const inserted: string[] = [];
      const { seen } = await readAll(projectId, 4, async (page) => {
        // One row sorting before everything read so far and one sorting after everything.
        const low = await harness().repos.vms.create(
          fixtures.vm({ projectId, id: `0low-${uniqueSuffix()}` }),
        );
        const high = await harness().repos.vms.create(
          fixtures.vm({ projectId, id: `zhigh-${uniqueSuffix()}` }),
        );
        inserted.push(low.id, high.id);
        expect(page).toBeGreaterThan(0);
      });
      const seenIds = seen.map((v) => v.id);
      expect(new Set(seenIds).size, "no duplicates").toBe(seenIds.length);
      for (const id of ids) expect(seenIds, `row ${id} that existed throughout was seen`).toContain(id);
      expect(seenIds).toEqual([...seenIds].sort());
      for (const id of seenIds) expect([...ids, ...inserted]).toContain(id);
      const total = (await harness().repos.vms.list({ projectId }, { limit: 1 })).total;
      expect(total).toBe(ids.length + inserted.length);
    });

    it("no duplicates across pages while rows are inserted concurrently with the reads", async () => {
      const { projectId, ids } = await seedVms(10);
      const writer = (async () => {
        for (let i = 0; i < 10; i++) await harness().repos.vms.create(fixtures.vm({ projectId }));
      })();
      const { seen } = await readAll(projectId, 3);
      await writer;
      const seenIds = seen.map((v) => v.id);
      expect(new Set(seenIds).size).toBe(seenIds.length);
      for (const id of ids) expect(seenIds).toContain(id);
      expect(await harness().repos.vms.count({ projectId })).toBe(20);
    });

    it("rows deleted while paging are skipped without disturbing the rest", async () => {
      const { projectId, ids } = await seedVms(9);
      const sorted = [...ids].sort();
      const { seen } = await readAll(projectId, 3, async (page) => {
        if (page === 1) await harness().repos.vms.delete(sorted[4]!);
      });
      expect(seen.map((v) => v.id)).toEqual(sorted.filter((id) => id !== sorted[4]));
    });

    it("the total counts what matches the filter, not the page", async () => {
      const { projectId } = await seedVms(3);
      await harness().repos.vms.create(fixtures.vm({ projectId, labels: { pick: "me" } }));
      await harness().repos.vms.create(fixtures.vm({ projectId, labels: { pick: "me" } }));
      const page = await harness().repos.vms.list({ projectId, labelSelector: "pick=me" }, { limit: 1 });
      expect(page.items).toHaveLength(1);
      expect(page.total).toBe(2);
      const rest = await harness().repos.vms.list(
        { projectId, labelSelector: "pick=me" },
        {
          limit: 1,
          cursor: page.nextCursor!,
        },
      );
      expect(rest.items).toHaveLength(1);
      expect(rest.items[0]!.labels.pick).toBe("me");
      expect(rest.items[0]!.id).not.toBe(page.items[0]!.id);
    });
  });
}
