import type { Repositories } from "@limiquantix/domain";
import { createMemoryAdapters } from "@limiquantix/repo-memory";
import { describe, expect, it } from "vitest";
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
    await cache.node("n1");
    expect(reads).toEqual([]);
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
});

/** counting wraps the VM and node repositories so that every call made on them is recorded. */
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
  return { ...repos, vms: spy("vms", repos.vms), nodes: spy("nodes", repos.nodes) };
}
