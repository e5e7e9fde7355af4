import type { Repositories } from "@limiquantix/domain";
import { fixtures } from "@limiquantix/domain/conformance";
import { createMemoryAdapters } from "@limiquantix/repo-memory";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { ChangeRelay } from "./change-relay";
import { ResourceCache } from "./resource-cache";

const node = (id: string, name: string) => ({
  id,
  name,
  labels: {},
  spec: {
    hostname: `${name}.lab`,
    managementIp: "10.0.0.2",
    agentAddress: "127.0.0.1:1",
    cpu: { sockets: 1, coresPerSocket: 4, threadsPerCore: 1 },
    memoryMib: 8192,
  },
  status: { phase: "READY" as const, allocatable: { vcpus: 4, memoryMib: 8192 } },
});

describe("ResourceCache", () => {
  it("serves what the relay delivered once it has caught up", async () => {
    const m = createMemoryAdapters();
    const cache = new ResourceCache({ caughtUp: async () => undefined }, m.repositories);
    const stored = await m.repositories.nodes.create(node("n1", "one"));
    cache.seed([], [{ ...stored, name: "as-relayed" }]);
    expect((await cache.node("n1")).name).toBe("as-relayed");
  });

  it("reads from the store when the relay is held up, rather than holding up the read", async () => {
    const m = createMemoryAdapters();
    const stuck = { caughtUp: () => new Promise<void>(() => undefined) };
    const cache = new ResourceCache(stuck, m.repositories, 50);
    const stored = await m.repositories.nodes.create(node("n1", "one"));
    cache.seed([], [{ ...stored, name: "stale" }]);
    expect((await cache.node("n1")).name).toBe("one");
  });

  it("lists from the copy once caught up, reading no row of the store", async () => {
    const m = createMemoryAdapters();
    const stored = [
      await m.repositories.nodes.create(node("n2", "two")),
      await m.repositories.nodes.create(node("n1", "one")),
    ];
    const reads: string[] = [];
    const cache = new ResourceCache({ caughtUp: async () => undefined }, counting(m.repositories, reads));
    cache.seed([], stored);
    const page = await cache.nodes({ states: ["READY"] }, { limit: 1 });
    expect(page.items.map((n) => n.id)).toEqual(["n1"]);
    expect(page.total).toBe(2);
    expect((await cache.nodes({}, { limit: 1, cursor: page.nextCursor! })).items.map((n) => n.id)).toEqual([
      "n2",
    ]);
    expect((await cache.vms({ projectId: "p1" })).items).toEqual([]);
    expect((await cache.vms({ projectId: "p1" })).items).toEqual([]);
    await cache.node("n1");
    // Only the projects, copied once on the first list that names one.
    expect(reads).toEqual(["projects.list"]);
  });

  it("lists from the store when the relay is held up, rather than from a stale copy", async () => {
    const m = createMemoryAdapters();
    const stuck = { caughtUp: () => new Promise<void>(() => undefined) };
    const reads: string[] = [];
    const cache = new ResourceCache(stuck, counting(m.repositories, reads), 50);
    const stored = await m.repositories.nodes.create(node("n1", "one"));
    cache.seed([], [{ ...stored, name: "stale" }]);
    expect((await cache.nodes()).items.map((n) => n.name)).toEqual(["one"]);
    expect((await cache.vms()).items).toEqual([]);
    expect(reads).toEqual(["nodes.list", "vms.list"]);
  });

  it("resolves a project named by id or name from its copy of projects, read once and then followed", async () => {
    const { m, relay, reads, cache } = await followingCache();
    const vmIn = (projectId: string, name: string) =>
      m.repositories.vms.create(fixtures.vm({ id: name, name, projectId }));
    await m.repositories.projects.create(fixtures.project({ id: "prj-1", name: "web" }));
    await vmIn("prj-1", "web-1");
    const byName = await cache.vms({ projectId: "web" });
    expect(byName.items.map((v) => v.id)).toEqual(["web-1"]);
    expect((await cache.vms({ projectId: "prj-1" })).items.map((v) => v.id)).toEqual(["web-1"]);
    expect(reads).toEqual(["projects.list"]);
    // A project made after the copy was read, and its VM, are in the next list.
    await m.repositories.projects.create(fixtures.project({ id: "prj-2", name: "db" }));
    await vmIn("prj-2", "db-1");
    expect((await cache.vms({ projectId: "db" })).items.map((v) => v.id)).toEqual(["db-1"]);
    // A name of no project is left as given: nothing matches.
    expect((await cache.vms({ projectId: "nothing" })).items).toEqual([]);
    expect(reads).toEqual(["projects.list"]);
    await relay.stop();
  });

  it("serves volumes from a copy read on their first read and followed from then on", async () => {
    const { m, relay, reads, cache } = await followingCache();
    const project = await m.repositories.projects.create(fixtures.project({ id: "prj-1", name: "web" }));
    const volumeIn = (id: string) =>
      m.repositories.volumes.create(
        fixtures.volume({ id, name: id, projectId: project.id, spec: { poolId: "pool-1" } }),
      );
    const first = await volumeIn("vol-1");
    const volumes = cache.reads<typeof first>("Volume")!;
    expect(await volumes.get("vol-1")).toEqual(first);
    expect((await volumes.list({ projectId: "web" })).items.map((v) => v.id)).toEqual(["vol-1"]);
    expect(reads).toEqual(["volumes.list", "projects.list"]);
    // Writes after the copy was read reach it through the relay: no read of the store.
    await volumeIn("vol-2");
    const labelled = await m.repositories.volumes.update({ ...first, labels: { tier: "gold" } });
    expect((await volumes.get("vol-1")).labels).toEqual({ tier: "gold" });
    expect((await volumes.get("vol-1")).resourceVersion).toBe(labelled.resourceVersion);
    const page = await volumes.list({ projectId: "prj-1" }, { limit: 1 });
    expect(page.items.map((v) => v.id)).toEqual(["vol-1"]);
    expect(page.total).toBe(2);
    expect((await volumes.list({ labelSelector: "tier=gold" })).items.map((v) => v.id)).toEqual(["vol-1"]);
    expect(reads).toEqual(["volumes.list", "projects.list"]);
    // A deleted volume is not in the copy: the store answers NotFound.
    await m.repositories.volumes.delete("vol-2");
    await expect(volumes.get("vol-2")).rejects.toMatchObject({ code: "NotFound" });
    // After a reset (the relay skipped changes) the next read copies the volumes again.
    await cache.reset();
    await volumes.get("vol-1");
    expect(reads.filter((r) => r === "volumes.list")).toHaveLength(2);
    // Kinds without a copy are read from their repositories.
    expect(cache.reads("VirtualMachine")).toBeUndefined();
    expect(cache.reads("SecurityGroup")).toBeUndefined();
    await relay.stop();
  });

  it("reads volumes from the store when the relay is held up", async () => {
    const m = createMemoryAdapters();
    const stuck = { caughtUp: () => new Promise<void>(() => undefined) };
    const reads: string[] = [];
    const cache = new ResourceCache(stuck, counting(m.repositories, reads), 50);
    const project = await m.repositories.projects.create(fixtures.project());
    const stored = await m.repositories.volumes.create(
      fixtures.volume({ id: "vol-1", projectId: project.id, spec: { poolId: "pool-1" } }),
    );
    expect(await cache.reads<typeof stored>("Volume")!.get("vol-1")).toEqual(stored);
    expect(reads).toEqual(["volumes.list", "volumes.get"]);
  });
});

/** followingCache is a cache fed by a started relay over memory adapters, counting its store reads. */
async function followingCache() {
  const m = createMemoryAdapters();
  const relay = new ChangeRelay(m.changeLog, pino({ level: "silent" }));
  const reads: string[] = [];
  const cache = new ResourceCache(relay, counting(m.repositories, reads));
  relay.subscribe(cache);
  await relay.start(await m.changeLog.head());
  return { m, relay, reads, cache };
}

/** counting wraps the VM, node, project and volume repositories so that every call made on them is recorded. */
function counting(repos: Repositories, calls: string[]): Repositories {
  const spy = <T extends object>(name: string, target: T): T =>
    new Proxy(target, {
      get(t, key, receiver) {
        const value = Reflect.get(t, key, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls.push(`${name}.${String(key)}`);
          return value.apply(t, args);
        };
      },
    });
  return {
    ...repos,
    vms: spy("vms", repos.vms),
    nodes: spy("nodes", repos.nodes),
    projects: spy("projects", repos.projects),
    volumes: spy("volumes", repos.volumes),
  };
}
