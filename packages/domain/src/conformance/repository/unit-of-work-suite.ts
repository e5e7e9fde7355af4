import { describe, expect, it } from "vitest";
import type { Repositories } from "../../ports/unit-of-work";
import { fixtures } from "../fixtures";
import { deferred, expectDomainError, isSettled, sleep } from "../support";
import type { RepositoryHarness } from "./harness";

/**
 * whileOpen checks reads made from outside while a unit of work is open: each one that answers
 * while the work is still open must show nothing of it. A store with a single session (PGlite)
 * runs one transaction at a time, so its outside reads wait for the work instead, and answer
 * after it ends (with what it committed).
 */
async function whileOpen<T>(reads: Promise<T>[], check: (seen: T) => void): Promise<void> {
  await sleep(20);
  for (const read of reads) {
    read.catch(() => undefined);
    if (await isSettled(read)) check(await read);
  }
}

/** unitOfWorkSuite registers tests of all-or-nothing, isolated multi-entity writes. */
export function unitOfWorkSuite(harness: () => RepositoryHarness): void {
  const h = () => harness();

  describe("unit of work", () => {
    it("commits every write and returns the work's result", async () => {
      const project = fixtures.project();
      const result = await h().uow.run(async (tx) => {
        const p = await tx.projects.create(project);
        const vm = await tx.vms.create(fixtures.vm({ projectId: p.id }));
        await tx.audit.append(fixtures.auditEntry({ projectId: p.id }));
        return vm.id;
      });
      expect((await h().repos.projects.get(project.id)).name).toBe(project.name);
      expect((await h().repos.vms.get(result)).projectId).toBe(project.id);
      expect(await h().repos.audit.count({ projectId: project.id })).toBe(1);
    });

    it("rolls back every write when the work throws, and rethrows the same error", async () => {
      const projectId = (await h().repos.projects.create(fixtures.project())).id;
      const kept = await h().repos.vms.create(fixtures.vm({ projectId, labels: { v: "1" } }));
      const doomed = await h().repos.vms.create(fixtures.vm({ projectId }));
      const boom = new Error("boom");
      const newVm = fixtures.vm({ projectId });
      await expect(
        h().uow.run(async (tx) => {
          await tx.vms.create(newVm);
          await tx.vms.update({ ...kept, labels: { v: "2" } });
          await tx.vms.delete(doomed.id);
          await tx.audit.append(fixtures.auditEntry({ projectId }));
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await h().repos.vms.find(newVm.id)).toBeUndefined();
      expect(await h().repos.vms.get(kept.id)).toEqual(kept);
      expect(await h().repos.vms.get(doomed.id)).toEqual(doomed);
      expect(await h().repos.audit.count({ projectId })).toBe(0);
    });

    it("a refused write inside the work rolls back the earlier writes when its error escapes", async () => {
      const project = fixtures.project();
      await expectDomainError(
        h().uow.run(async (tx) => {
          await tx.projects.create(project);
          await tx.vms.create(fixtures.vm({ projectId: project.id, spec: { memory: { sizeMib: 1 } } }));
        }),
        "InvalidArgument",
      );
      expect(await h().repos.projects.find(project.id)).toBeUndefined();
    });

    it("writes are invisible outside until the work commits, and visible inside at once", async () => {
      const project = fixtures.project();
      const inside = deferred();
      const proceed = deferred();
      const work = h().uow.run(async (tx) => {
        const p = await tx.projects.create(project);
        expect(await tx.projects.get(p.id)).toEqual(p);
        expect(await tx.projects.findByName(p.name)).toEqual(p);
        expect(
          (await tx.projects.list({ labelSelector: "" }, { limit: 1000 })).items.map((x) => x.id),
        ).toContain(p.id);
        inside.resolve();
        await proceed.promise;
      });
      await inside.promise;
      await whileOpen(
        [h().repos.projects.find(project.id), h().repos.projects.findByName(project.name)],
        (seen) => expect(seen).toBeUndefined(),
      );
      proceed.resolve();
      await work;
      expect((await h().repos.projects.get(project.id)).name).toBe(project.name);
    });

    it("an update and a delete inside the work are invisible outside until commit", async () => {
      const projectId = (await h().repos.projects.create(fixtures.project())).id;
      const vm = await h().repos.vms.create(fixtures.vm({ projectId }));
      const gone = await h().repos.vms.create(fixtures.vm({ projectId }));
      const inside = deferred();
      const proceed = deferred();
      const work = h().uow.run(async (tx) => {
        await tx.vms.update({ ...vm, labels: { changed: "yes" } });
        await tx.vms.delete(gone.id);
        expect(await tx.vms.find(gone.id)).toBeUndefined();
        expect((await tx.vms.get(vm.id)).labels.changed).toBe("yes");
        inside.resolve();
        await proceed.promise;
      });
      await inside.promise;
      await whileOpen([h().repos.vms.get(vm.id)], (seen) => expect(seen).toEqual(vm));
      await whileOpen([h().repos.vms.get(gone.id)], (seen) => expect(seen).toEqual(gone));
      proceed.resolve();
      await work;
      expect((await h().repos.vms.get(vm.id)).labels.changed).toBe("yes");
      expect(await h().repos.vms.find(gone.id)).toBeUndefined();
    });

    it("uniqueness holds inside the work, against committed rows and the work's own", async () => {
      const existing = await h().repos.projects.create(fixtures.project());
      const fresh = fixtures.project();
      await h()
        .uow.run(async (tx) => {
          await expectDomainError(
            tx.projects.create(fixtures.project({ name: existing.name })),
            "AlreadyExists",
          );
          await tx.projects.create(fresh);
          await expectDomainError(
            tx.projects.create(fixtures.project({ name: fresh.name })),
            "AlreadyExists",
          );
        })
        .catch(() => undefined);
      // Whether the work survived its caught errors or not, no duplicate may exist.
      expect((await h().repos.projects.findByName(existing.name))?.id).toBe(existing.id);
      const committed = await h().repos.projects.findByName(fresh.name);
      if (committed) expect(committed.id).toBe(fresh.id);
    });

    it("two works updating the same resource from the same read: one commits, the other is Conflict and rolls back", async () => {
      const projectId = (await h().repos.projects.create(fixtures.project())).id;
      const vm = await h().repos.vms.create(fixtures.vm({ projectId }));
      const sideA = fixtures.vm({ projectId });
      const sideB = fixtures.vm({ projectId });
      const results = await Promise.allSettled([
        h().uow.run(async (tx) => {
          await tx.vms.create(sideA);
          return tx.vms.update({ ...vm, labels: { by: "a" } });
        }),
        h().uow.run(async (tx) => {
          await tx.vms.create(sideB);
          return tx.vms.update({ ...vm, labels: { by: "b" } });
        }),
      ]);
      const winners = results.filter((r) => r.status === "fulfilled");
      expect(winners).toHaveLength(1);
      const loser = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      await expectDomainError(Promise.reject(loser.reason), "Conflict");
      const stored = await h().repos.vms.get(vm.id);
      expect(stored).toEqual((winners[0] as PromiseFulfilledResult<typeof vm>).value);
      expect(stored.resourceVersion).toBeGreaterThan(vm.resourceVersion);
      const winnerSide = stored.labels.by === "a" ? sideA : sideB;
      const loserSide = stored.labels.by === "a" ? sideB : sideA;
      expect(await h().repos.vms.find(winnerSide.id)).toBeDefined();
      expect(await h().repos.vms.find(loserSide.id)).toBeUndefined();
    });

    it("reserving node capacity through its resourceVersion never overcommits under concurrent works", async () => {
      const projectId = (await h().repos.projects.create(fixtures.project())).id;
      // Room for exactly one 2-vCPU VM.
      const node = await h().repos.nodes.create(
        fixtures.node({ status: { allocatable: { vcpus: 2, memoryMib: 4096 } } }),
      );
      const place = (vmInput: ReturnType<typeof fixtures.vm>) =>
        h().uow.run(async (tx) => {
          const n = await tx.nodes.get(node.id);
          const need = 2;
          if (n.status.allocated.vcpus + need > n.status.allocatable.vcpus) throw new Error("full");
          await tx.nodes.updateStatus(
            n.id,
            {
              ...n.status,
              allocated: {
                ...n.status.allocated,
                vcpus: n.status.allocated.vcpus + need,
                vmCount: n.status.allocated.vmCount + 1,
              },
            },
            n.resourceVersion,
          );
          return tx.vms.create({ ...vmInput, status: { nodeId: n.id } });
        });
      const results = await Promise.allSettled([1, 2, 3, 4].map(() => place(fixtures.vm({ projectId }))));
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const after = await h().repos.nodes.get(node.id);
      expect(after.status.allocated.vcpus).toBe(2);
      expect(await h().repos.vms.listByNode(node.id)).toHaveLength(1);
    });

    it("replaceStatus inside a work sees the work's own writes: from the node as written it stores, from the node as read before it is Conflict", async () => {
      const node = await h().repos.nodes.create(fixtures.node());
      const charge = (n: typeof node, vcpus: number) => ({
        ...n.status,
        allocated: { ...n.status.allocated, vcpus: n.status.allocated.vcpus + vcpus },
      });
      const stored = await h().uow.run(async (tx) => {
        const replace = (n: typeof node, vcpus: number) =>
          tx.nodes.replaceStatus
            ? tx.nodes.replaceStatus(n, charge(n, vcpus))
            : tx.nodes.updateStatus(n.id, charge(n, vcpus), n.resourceVersion);
        const first = await replace(node, 1);
        await expectDomainError(replace(node, 5), "Conflict");
        const again = await tx.nodes.get(node.id);
        expect(again).toEqual(first);
        return replace(again, 2);
      });
      expect(stored.status.allocated.vcpus).toBe(node.status.allocated.vcpus + 3);
      expect(await h().repos.nodes.get(node.id)).toEqual(stored);
    });

    it("createOnNode inside a work: both writes are the work's, undone with it, and a later read in the work sees them", async () => {
      const projectId = (await h().repos.projects.create(fixtures.project())).id;
      const node = await h().repos.nodes.create(fixtures.node());
      const status = { ...node.status, allocated: { ...node.status.allocated, vcpus: 3, vmCount: 1 } };
      const place = (tx: Repositories, name: string) =>
        tx.vms.createOnNode
          ? tx.vms.createOnNode(fixtures.vm({ projectId, name }), node, status)
          : tx.nodes
              .updateStatus(node.id, status, node.resourceVersion)
              .then(async (n) => ({ node: n, vm: await tx.vms.create(fixtures.vm({ projectId, name })) }));
      await expect(
        h().uow.run(async (tx) => {
          await place(tx, "undone");
          throw new Error("rolled back");
        }),
      ).rejects.toThrow("rolled back");
      expect(await h().repos.nodes.get(node.id)).toEqual(node);
      expect(await h().repos.vms.findByName("undone", projectId)).toBeUndefined();
      const written = await h().uow.run(async (tx) => {
        const w = await place(tx, "kept");
        expect(await tx.nodes.get(node.id)).toEqual(w.node);
        expect(await tx.vms.get(w.vm.id)).toEqual(w.vm);
        return w;
      });
      expect(await h().repos.nodes.get(node.id)).toEqual(written.node);
      expect(await h().repos.vms.get(written.vm.id)).toEqual(written.vm);
    });

    it("a stale update outside a work that committed meanwhile is Conflict", async () => {
      const projectId = (await h().repos.projects.create(fixtures.project())).id;
      const vm = await h().repos.vms.create(fixtures.vm({ projectId }));
      await h().uow.run(async (tx) => {
        await tx.vms.update({ ...vm, labels: { by: "work" } });
      });
      await expectDomainError(h().repos.vms.update({ ...vm, labels: { by: "outside" } }), "Conflict");
      expect((await h().repos.vms.get(vm.id)).labels.by).toBe("work");
    });

    it("works run one after another produce the combined result", async () => {
      const projectId = (await h().repos.projects.create(fixtures.project())).id;
      const vm = await h().repos.vms.create(fixtures.vm({ projectId }));
      const versions = [vm.resourceVersion];
      for (let i = 0; i < 5; i++)
        versions.push(
          await h().uow.run(async (tx) => {
            const cur = await tx.vms.get(vm.id);
            return (await tx.vms.update({ ...cur, labels: { n: String(i) } })).resourceVersion;
          }),
        );
      const stored = await h().repos.vms.get(vm.id);
      expect(versions.every((v, i) => i === 0 || v > versions[i - 1]!)).toBe(true);
      expect(stored.resourceVersion).toBe(versions[5]);
      expect(stored.labels.n).toBe("4");
    });
  });
}
