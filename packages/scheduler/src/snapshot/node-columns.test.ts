import { describe, expect, it } from "vitest";
import { cluster, node, vm } from "../../test/builders";
import { ClusterSnapshot } from "./cluster-snapshot";
import { NodeFlags } from "./node-columns";

describe("NodeColumns", () => {
  it("holds every node's capacity, allocation and flags in the order of nodes()", () => {
    const snap = new ClusterSnapshot({
      nodes: [
        node("b", { vcpus: 4, memoryMib: 8192, cordoned: true }),
        node("a", { taints: [{ key: "k", value: "", effect: "NoSchedule" }] }),
        node("c", { roles: ["storage"], taints: [{ key: "k", value: "", effect: "PreferNoSchedule" }] }),
      ],
      vms: [vm("v", { nodeId: "a", vcpus: 3, memoryMib: 2048 })],
    });
    const c = snap.columns();
    expect(c.nodes.map((n) => n.id)).toEqual(["a", "b", "c"]);
    expect([...c.capacityVcpus]).toEqual([16, 8, 16]);
    expect([...c.capacityMemoryMib]).toEqual([24_576, 12_288, 24_576]);
    expect([...c.allocatedVcpus]).toEqual([3, 0, 0]);
    expect([...c.allocatedMemoryMib]).toEqual([2048, 0, 0]);
    const { READY, COMPUTE, HARD_TAINTS, SOFT_TAINTS } = NodeFlags;
    expect([...c.flags]).toEqual([READY | COMPUTE | HARD_TAINTS, COMPUTE, READY | SOFT_TAINTS]);
    expect([c.indexOf("b"), c.indexOf("ghost")]).toEqual([1, -1]);
  });

  it("follows allocation, node updates and overcommit changes in place", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a", { clusterId: "c1" }), node("b")] });
    const c = snap.columns();
    const zone = c.label("zone");
    snap.upsertVm(vm("v", { nodeId: "b", vcpus: 2 }));
    expect(c.allocatedVcpus[1]).toBe(2);
    const r = snap.reserve(vm("w", { vcpus: 5 }), "b");
    expect(c.allocatedVcpus[1]).toBe(7);
    snap.revert(r);
    snap.removeVm("v");
    expect(c.allocatedVcpus[1]).toBe(0);
    snap.upsertNode(node("a", { clusterId: "c1", cordoned: true, labels: { zone: "z1" } }));
    expect(c.flags[0]! & NodeFlags.READY).toBe(0);
    expect(zone.values[zone.codes[0]!]).toBe("z1");
    snap.upsertCluster(cluster("c1", { cpu: 4, memory: 1 }));
    expect(c.capacityVcpus[0]).toBe(32);
    expect(snap.columns()).toBe(c);
  });

  it("lists the rows written since a revision, until it forgets that far back", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a"), node("b")] });
    const c = snap.columns();
    const start = c.revision;
    expect([...c.rowsChangedSince(start)!]).toEqual([]);
    snap.upsertVm(vm("v", { nodeId: "b" }));
    snap.upsertNode(node("a", { cordoned: true }));
    expect([...c.rowsChangedSince(start)!]).toEqual([1, 0]);
    expect([...c.rowsChangedSince(start + 1)!]).toEqual([0]);
    expect(c.rowsChangedSince(c.revision + 1)).toBeUndefined();
    for (let i = 0; i < 5000; i++) snap.upsertVm(vm("v", { nodeId: i % 2 === 0 ? "a" : "b" }));
    expect(c.rowsChangedSince(start)).toBeUndefined();
    expect([...c.rowsChangedSince(c.revision - 2)!]).toEqual([0, 1]);
  });

  it("is rebuilt when nodes come or go, with VMs already on a returning node counted", () => {
    const snap = new ClusterSnapshot({
      nodes: [node("a"), node("c")],
      vms: [vm("v", { nodeId: "b", vcpus: 2 })],
    });
    const before = snap.columns();
    snap.upsertNode(node("b"));
    const after = snap.columns();
    expect(after).not.toBe(before);
    expect(after.nodes.map((n) => n.id)).toEqual(["a", "b", "c"]);
    expect([...after.allocatedVcpus]).toEqual([0, 2, 0]);
    snap.removeNode("a");
    expect(snap.columns().nodes.map((n) => n.id)).toEqual(["b", "c"]);
    expect(snap.columns().allocatedVcpus[0]).toBe(2);
  });

  it("codes label values per key, and reads topology domains as domainOf does", () => {
    const snap = new ClusterSnapshot({
      nodes: [node("a", { labels: { zone: "z1" } }), node("b"), node("c", { labels: { zone: "z1" } })],
    });
    const c = snap.columns();
    const zone = c.label("zone");
    expect([...zone.codes]).toEqual([0, -1, 0]);
    expect([zone.codeOf("z1"), zone.codeOf("z9")]).toEqual([0, -1]);
    const byNode = c.domains("node");
    expect(byNode.values).toEqual(["a", "b", "c"]);
    expect(byNode.codeOf("c")).toBe(2);
    expect([...c.domains("constructor").codes]).toEqual([-1, -1, -1]);
    expect(snap.domainOf(snap.node("a")!, "constructor")).toBeUndefined();
  });

  it("marks the rows of a set of node ids, remembering the answer per set", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a"), node("b"), node("c")] });
    const ids = new Set(["c", "a", "ghost"]);
    const mask = snap.columns().members(ids);
    expect([...mask]).toEqual([1, 0, 1]);
    expect(snap.columns().members(ids)).toBe(mask);
  });
});
