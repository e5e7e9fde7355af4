import { hasErrorCode, systemClock } from "@limiquantix/domain";
import { fixtures } from "@limiquantix/domain/conformance";
import { describe, expect, it } from "vitest";
import { createRepositories } from "./repositories/create-repositories";
import { MemoryStore } from "./store";
import { MemoryUnitOfWork } from "./unit-of-work";

function setup() {
  const store = new MemoryStore(systemClock);
  return { store, repos: createRepositories(store), uow: new MemoryUnitOfWork(store) };
}

describe("MemoryUnitOfWork", () => {
  it("serialises works, so a check-then-create inside a work is race-free", async () => {
    const { repos, uow } = setup();
    const project = await repos.projects.create(fixtures.project());
    const node = await repos.nodes.create(fixtures.node());
    // Each work places a VM only if the node has none yet: exactly one may succeed.
    const place = () =>
      uow.run(async (tx) => {
        const counts = await tx.vms.countByNode([node.id]);
        if ((counts.get(node.id) ?? 0) >= 1) return false;
        await tx.vms.create(fixtures.vm({ projectId: project.id, status: { nodeId: node.id } }));
        return true;
      });
    const results = await Promise.all(Array.from({ length: 8 }, place));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await repos.vms.listByNode(node.id)).toHaveLength(1);
  });

  it("a single write outside waits for a running work and sees its result", async () => {
    const { repos, uow } = setup();
    const project = await repos.projects.create(fixtures.project());
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const work = uow.run(async (tx) => {
      await tx.projects.update({ ...project, description: "by the work" });
      await gate;
    });
    const outside = repos.projects.update({ ...project, description: "outside" });
    release();
    await work;
    await expect(outside).rejects.toSatisfy((e: unknown) => hasErrorCode(e, "Conflict"));
    expect((await repos.projects.get(project.id)).description).toBe("by the work");
  });

  it("repositories of a finished work refuse use with FailedPrecondition", async () => {
    const { uow } = setup();
    const leaked = await uow.run(async (tx) => tx);
    await expect(leaked.projects.create(fixtures.project())).rejects.toSatisfy((e: unknown) =>
      hasErrorCode(e, "FailedPrecondition"),
    );
    await expect(leaked.projects.find("x")).rejects.toThrow(/unit of work has ended/);
  });

  it("a work that deletes and recreates an id, then rolls back, leaves the original", async () => {
    const { repos, uow, store } = setup();
    const p = await repos.projects.create(fixtures.project());
    await expect(
      uow.run(async (tx) => {
        await tx.projects.delete(p.id);
        await tx.projects.create(fixtures.project({ id: p.id, name: p.name }));
        const page = await tx.projects.list();
        expect(page.items.filter((x) => x.id === p.id)).toHaveLength(1);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await repos.projects.get(p.id)).toEqual(p);
    expect(store.size("Project")).toBe(1);
  });

  it("a work's list merges its own inserts with committed rows in id order", async () => {
    const { repos, uow } = setup();
    const a = await repos.projects.create(fixtures.project({ id: "p-b" }));
    const ids = await uow.run(async (tx) => {
      await tx.projects.create(fixtures.project({ id: "p-a" }));
      await tx.projects.create(fixtures.project({ id: "p-c" }));
      const first = await tx.projects.list(undefined, { limit: 2 });
      const rest = await tx.projects.list(undefined, { limit: 2, cursor: first.nextCursor! });
      return [...first.items, ...rest.items].map((p) => p.id);
    });
    expect(ids).toEqual(["p-a", a.id, "p-c"]);
  });
});
