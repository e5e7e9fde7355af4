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
});
