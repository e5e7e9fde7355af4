import type { Repositories } from "@limiquantix/domain";
import { deferred, fixtures, isSettled, sleep } from "@limiquantix/domain/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type OpenedStore } from "../test/harness";

for (const backend of BACKENDS) {
  describe(`unit of work on ${backend.name}`, () => {
    let opened: OpenedStore;
    beforeAll(async () => {
      opened = await backend.open();
    });
    afterAll(async () => {
      await opened?.close();
    });

    it("a check over the VMs of a node passes once when the work reads the node first", async () => {
      const { repos, uow } = opened.store;
      const projectId = (await repos.projects.create(fixtures.project())).id;
      const node = await repos.nodes.create(fixtures.node());
      // At most one VM per node: read (and so lock) the node, then count its VMs.
      const place = () =>
        uow.run(async (tx) => {
          await tx.nodes.get(node.id);
          const placed = (await tx.vms.countByNode([node.id])).get(node.id) ?? 0;
          if (placed >= 1) throw new Error("node full");
          return tx.vms.create(fixtures.vm({ projectId, status: { nodeId: node.id } }));
        });
      const results = await Promise.allSettled([place(), place(), place()]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect(await repos.vms.listByNode(node.id)).toHaveLength(1);
    });

    it("the repositories of a finished work refuse further calls", async () => {
      let leaked: Repositories | undefined;
      await opened.store.uow.run(async (tx) => {
        leaked = tx;
      });
      await expect(leaked!.projects.find("anything")).rejects.toMatchObject({ code: "FailedPrecondition" });
    });

    it("an error thrown by the work comes back as it was thrown, and nothing is stored", async () => {
      const boom = new Error("boom");
      const project = fixtures.project();
      await expect(
        opened.store.uow.run(async (tx) => {
          await tx.projects.create(project);
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await opened.store.repos.projects.find(project.id)).toBeUndefined();
    });
  });
}

describe("unit of work on pglite (replay-validated)", () => {
  let opened: OpenedStore;
  beforeAll(async () => {
    opened = await BACKENDS[1].open();
  });
  afterAll(async () => {
    await opened?.close();
  });

  it("fails with Conflict when a concurrent write changed a count the work relied on", async () => {
    const { repos, uow } = opened.store;
    const projectId = (await repos.projects.create(fixtures.project())).id;
    const node = await repos.nodes.create(fixtures.node());
    const place = () =>
      uow.run(async (tx) => {
        const placed = (await tx.vms.countByNode([node.id])).get(node.id) ?? 0;
        if (placed >= 1) throw new Error("node full");
        return tx.vms.create(fixtures.vm({ projectId, status: { nodeId: node.id } }));
      });
    const results = await Promise.allSettled([place(), place()]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(failed.reason).toMatchObject({ code: "Conflict" });
    expect(await repos.vms.listByNode(node.id)).toHaveLength(1);
  });

  it("lets outside callers read while a work is open, without seeing its writes", async () => {
    const { repos, uow } = opened.store;
    const project = fixtures.project();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let created!: () => void;
    const inside = new Promise<void>((r) => {
      created = r;
    });
    const work = uow.run(async (tx) => {
      await tx.projects.create(project);
      created();
      await gate;
    });
    await inside;
    expect(await repos.projects.find(project.id)).toBeUndefined();
    release();
    await work;
    expect((await repos.projects.get(project.id)).name).toBe(project.name);
  });

  it("holds other writes from the work's first write to its commit, so a concurrent write does not make it conflict", async () => {
    const { repos, uow } = opened.store;
    const inside = deferred();
    const proceed = deferred();
    const work = uow.run(async (tx) => {
      const p = await tx.projects.create(fixtures.project());
      inside.resolve();
      await proceed.promise;
      return [p, await tx.projects.update({ ...p, description: "second write of the work" })] as const;
    });
    await inside.promise;
    const outside = repos.clusters.create(fixtures.cluster());
    await sleep(50);
    expect(await isSettled(outside)).toBe(false);
    proceed.resolve();
    const [created, updated] = await work;
    const other = await outside;
    expect(updated.resourceVersion).toBeGreaterThan(created.resourceVersion);
    expect(other.resourceVersion).toBeGreaterThan(updated.resourceVersion);
    expect(await repos.projects.get(created.id)).toEqual(updated);
  });

  it("does not hold other writes while the work has only read, and gives the gate back when the work fails", async () => {
    const { repos, uow } = opened.store;
    const project = await repos.projects.create(fixtures.project());
    const inside = deferred();
    const proceed = deferred();
    const reading = uow.run(async (tx) => {
      await tx.projects.get(project.id);
      inside.resolve();
      await proceed.promise;
    });
    await inside.promise;
    await repos.clusters.create(fixtures.cluster());
    proceed.resolve();
    await reading;
    await expect(
      uow.run(async (tx) => {
        await tx.clusters.create(fixtures.cluster());
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect((await repos.clusters.create(fixtures.cluster())).resourceVersion).toBeGreaterThan(
      project.resourceVersion,
    );
  });
});
