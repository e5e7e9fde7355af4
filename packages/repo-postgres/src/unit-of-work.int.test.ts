import { type CallAttribution, installCallAttributionSource, type Repositories } from "@limiquantix/domain";
import { deferred, fixtures, isSettled, sleep } from "@limiquantix/domain/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type OpenedStore, recordingStatements } from "../test/harness";

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

    it("reads a row by id once per work: a second read, and a read after the work wrote it, need no statement", async () => {
      const { repos, uow, db } = opened.store;
      const node = await repos.nodes.create(fixtures.node());
      const statements: string[] = [];
      const transaction = db.transaction;
      // Count the statements the work runs, through the store's own database object.
      db.transaction = recordingStatements({ ...db, transaction }, statements).transaction;
      let held: typeof node | undefined;
      try {
        const [read, again, written, after] = await uow.run(async (tx) => {
          const first = await tx.nodes.get(node.id);
          const second = await tx.nodes.get(node.id);
          const updated = await tx.nodes.updateStatus(
            node.id,
            { ...first.status, allocated: { vcpus: 2, memoryMib: 1024, vmCount: 1 } },
            first.resourceVersion,
          );
          return [first, second, updated, await tx.nodes.get(node.id)] as const;
        });
        expect(again).toEqual(read);
        expect(again).not.toBe(read);
        expect(after).toEqual(written);
        expect(after.status.allocated.vcpus).toBe(2);
        expect(after.resourceVersion).toBeGreaterThan(read.resourceVersion);
        held = after;
        const reads = statements.filter((s) => s.startsWith("SELECT") && s.includes("FROM nodes"));
        // The first get only: the second get and the update's own read come from it, the get after
        // the write from what the write stored (the row stays locked by the work).
        expect(reads).toHaveLength(1);
      } finally {
        db.transaction = transaction;
      }
      // What the work held as written is exactly what the store returns once it committed.
      const stored = await repos.nodes.get(node.id);
      expect(stored).toEqual(held);
      expect(stored.status.allocated).toEqual({ vcpus: 2, memoryMib: 1024, vmCount: 1 });
    });

    it("reads the rows a work names with BEGIN (PostgreSQL; PGlite ignores the hint): the work's own read of them needs no statement", async () => {
      const { repos, uow, db } = opened.store;
      const project = await repos.projects.create(fixtures.project());
      const statements: string[] = [];
      const transaction = db.transaction;
      db.transaction = recordingStatements({ ...db, transaction }, statements).transaction;
      try {
        const reads = [
          { kind: "Project" as const, id: project.id },
          // Ids no row has, one with quotes and backslashes: nothing is held for them, and BEGIN still runs.
          { kind: "Project" as const, id: "no-such-project" },
          { kind: "Project" as const, id: "o'brien\\'; DROP TABLE projects; --" },
          { kind: "Project" as const, id: project.id },
        ];
        const [read, missing, odd] = await uow.run(
          async (tx) =>
            [
              await tx.projects.get(project.id),
              await tx.projects.find("no-such-project"),
              await tx.projects.find("o'brien\\'; DROP TABLE projects; --"),
            ] as const,
          { reads },
        );
        expect(read).toEqual(project);
        expect(missing).toBeUndefined();
        expect(odd).toBeUndefined();
        const projectReads = statements.filter((s) => s.includes("FROM projects"));
        // PostgreSQL read the project with BEGIN (the missing ones the work looked up itself);
        // PGlite, with no round trip to save, ignores the hints and the work reads all three.
        expect(projectReads).toHaveLength(backend.name === "postgres" ? 2 : 3);
      } finally {
        db.transaction = transaction;
      }
      expect(await repos.projects.get(project.id)).toEqual(project);
    });

    it("locks a row read with BEGIN as the work's own read would, until the work ends", async () => {
      const { repos, uow, db } = opened.store;
      const project = await repos.projects.create(fixtures.project());
      const inside = deferred<void>();
      const release = deferred<void>();
      const work = uow.run(
        async (tx) => {
          const read = await tx.projects.get(project.id);
          inside.resolve();
          await release.promise;
          return tx.projects.update({ ...read, description: "from the work" });
        },
        { reads: [{ kind: "Project", id: project.id }] },
      );
      await inside.promise;
      if (backend.name === "postgres") {
        // Another session may not lock the row while the work holds it (no write lock taken here).
        await expect(
          db.query("SELECT id FROM projects WHERE id = $1 FOR UPDATE NOWAIT", [project.id]),
        ).rejects.toThrow();
      }
      release.resolve();
      expect((await work).description).toBe("from the work");
      const rows = await db.query("SELECT id FROM projects WHERE id = $1 FOR UPDATE NOWAIT", [project.id]);
      expect(rows.rows).toHaveLength(1);
    });

    it("tells an audited call its entry is stored once a write that stored it committed, in a work or not", async () => {
      const { repos, uow } = opened.store;
      const told: string[] = [];
      const audited = (action: string): CallAttribution => ({
        requestId: action,
        principal: "user:auditor",
        audit: fixtures.auditEntry({ actor: { username: "auditor" }, action }),
        auditStored: () => told.push(action),
      });
      let call: CallAttribution | undefined;
      const previous = installCallAttributionSource(() => call);
      try {
        call = audited("svc/InWork");
        await uow.run(async (tx) => {
          await tx.projects.create(fixtures.project());
          expect(told).toEqual([]);
        });
        call = audited("svc/Outside");
        await repos.projects.create(fixtures.project());
        call = audited("svc/ReadOnly");
        await uow.run(async (tx) => tx.projects.find("no-such-project"));
        expect(told).toEqual(["svc/InWork", "svc/Outside"]);
        call = undefined;
        const stored = await repos.audit.list({ username: "auditor" });
        expect(stored.items.map((e) => e.action).sort()).toEqual(["svc/InWork", "svc/Outside"]);
      } finally {
        installCallAttributionSource(previous);
      }
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

describe("unit of work on pglite (one transaction at a time on its single session)", () => {
  let opened: OpenedStore;
  beforeAll(async () => {
    opened = await BACKENDS[1].open();
  });
  afterAll(async () => {
    await opened?.close();
  });

  it("runs works one after the other, so a check over a count holds without locking a row", async () => {
    const { repos, uow } = opened.store;
    const projectId = (await repos.projects.create(fixtures.project())).id;
    const node = await repos.nodes.create(fixtures.node());
    const place = () =>
      uow.run(async (tx) => {
        const placed = (await tx.vms.countByNode([node.id])).get(node.id) ?? 0;
        if (placed >= 1) throw new Error("node full");
        return tx.vms.create(fixtures.vm({ projectId, status: { nodeId: node.id } }));
      });
    const results = await Promise.allSettled([place(), place(), place()]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected"))
      expect((r as PromiseRejectedResult).reason).toMatchObject({ message: "node full" });
    expect(await repos.vms.listByNode(node.id)).toHaveLength(1);
  });

  it("holds outside callers until the work ends; they then see what it committed", async () => {
    const { repos, uow } = opened.store;
    const project = fixtures.project();
    const inside = deferred();
    const proceed = deferred();
    const work = uow.run(async (tx) => {
      await tx.projects.create(project);
      inside.resolve();
      await proceed.promise;
    });
    await inside.promise;
    const outside = repos.projects.find(project.id);
    await sleep(50);
    expect(await isSettled(outside)).toBe(false);
    proceed.resolve();
    await work;
    expect((await outside)?.name).toBe(project.name);
  });

  it("a statement made through the store's own repositories inside a work joins the work instead of waiting for it", async () => {
    const { repos, uow } = opened.store;
    const joined = fixtures.project();
    const boom = new Error("boom");
    // Without joining, the outside create would wait for the work's transaction, which waits for it.
    await expect(
      uow.run(async (tx) => {
        await tx.clusters.create(fixtures.cluster());
        await repos.projects.create(joined);
        expect((await repos.projects.get(joined.id)).name).toBe(joined.name);
        throw boom;
      }),
    ).rejects.toBe(boom);
    // It was part of the work, so it went with the work's rollback.
    expect(await repos.projects.find(joined.id)).toBeUndefined();
    const kept = await uow.run(async () => repos.projects.create(fixtures.project()));
    expect((await repos.projects.get(kept.id)).name).toBe(kept.name);
  });

  it("a transaction begun inside a work is a savepoint: its failure undoes only its own writes", async () => {
    const { repos, uow } = opened.store;
    const db = opened.store.db;
    const outer = fixtures.project();
    const inner = fixtures.project();
    await uow.run(async (tx) => {
      await tx.projects.create(outer);
      await expect(
        db.transaction(async (t) => {
          await t.query("UPDATE projects SET name = name WHERE id = $1", [outer.id]);
          await repos.projects.create(inner);
          throw new Error("inner failed");
        }),
      ).rejects.toThrow("inner failed");
    });
    expect((await repos.projects.get(outer.id)).name).toBe(outer.name);
    expect(await repos.projects.find(inner.id)).toBeUndefined();
  });

  it("revisions follow commit order: a write outside waits for an open work and takes the next revision", async () => {
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
});
