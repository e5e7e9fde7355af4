import { describe, expect, it } from "vitest";
import { cluster, node, vm } from "../../test/builders";
import { filterOn, traitsOn } from "../../test/harness";
import { ClusterSnapshot } from "../snapshot/cluster-snapshot";
import { capacityFilter } from "./capacity-filter";

describe("capacity filter", () => {
  it("allows memory up to 1.5× allocatable by default", () => {
    const snap = new ClusterSnapshot({
      nodes: [node("n", { memoryMib: 8192 })],
      vms: [vm("a", { nodeId: "n", memoryMib: 8192 })],
    });
    expect(filterOn(capacityFilter, snap, vm("b", { memoryMib: 4096 }), "n")).toBeUndefined();
  });

  it("rejects a placement that would overcommit memory", () => {
    const snap = new ClusterSnapshot({
      nodes: [node("n", { memoryMib: 8192 })],
      vms: [vm("a", { nodeId: "n", memoryMib: 8192 })],
    });
    expect(filterOn(capacityFilter, snap, vm("b", { memoryMib: 4608 }), "n")).toBe(
      "insufficient memory (need 4608 MiB)",
    );
  });

  it("allows CPU up to 2× allocatable by default and rejects beyond", () => {
    const snap = new ClusterSnapshot({
      nodes: [node("n", { vcpus: 4 })],
      vms: [vm("a", { nodeId: "n", vcpus: 6 })],
    });
    expect(filterOn(capacityFilter, snap, vm("b", { vcpus: 2 }), "n")).toBeUndefined();
    expect(filterOn(capacityFilter, snap, vm("c", { vcpus: 3 }), "n")).toBe(
      "insufficient cpu (need 3 vCPUs)",
    );
  });

  it("names both resources when both are short", () => {
    const snap = new ClusterSnapshot({ nodes: [node("n", { vcpus: 1, memoryMib: 1024 })] });
    expect(filterOn(capacityFilter, snap, vm("b", { vcpus: 4, memoryMib: 4096 }), "n")).toBe(
      "insufficient cpu and memory (need 4 vCPUs, 4096 MiB)",
    );
  });

  it("uses the overcommit of the node's cluster instead of the defaults", () => {
    const strict = cluster("c1", { cpu: 1, memory: 1 });
    const snap = new ClusterSnapshot({
      clusters: [strict],
      nodes: [node("n", { vcpus: 4, clusterId: "c1" })],
    });
    expect(filterOn(capacityFilter, snap, vm("b", { vcpus: 5 }), "n")).toBe(
      "insufficient cpu (need 5 vCPUs)",
    );
    snap.upsertCluster(cluster("c1", { cpu: 2, memory: 1 }));
    expect(filterOn(capacityFilter, snap, vm("b", { vcpus: 5 }), "n")).toBeUndefined();
  });

  it("does not count a placed VM's own demand against its current node", () => {
    const snap = new ClusterSnapshot({
      nodes: [node("n", { vcpus: 2 })],
      vms: [vm("a", { nodeId: "n", vcpus: 4 })],
    });
    expect(filterOn(capacityFilter, snap, vm("a", { nodeId: "n", vcpus: 4 }), "n")).toBeUndefined();
  });

  it("rejects as a capacity rule that binds running VMs", () => {
    const snap = new ClusterSnapshot({ nodes: [node("n", { vcpus: 1, memoryMib: 1024 })] });
    expect(traitsOn(capacityFilter, snap, vm("b", { vcpus: 4 }), "n")).toEqual({
      kind: "capacity",
      bindsRunning: true,
    });
  });
});
