import { describe, expect, it } from "vitest";
import { filterOn, traitsOn } from "../../test/harness";
import { node, vm } from "../../test/builders";
import { ClusterSnapshot } from "../snapshot/cluster-snapshot";
import { computeRoleFilter } from "./compute-role-filter";
import { nodeReadyFilter } from "./node-ready-filter";

describe("node-ready filter", () => {
  const snap = new ClusterSnapshot({
    nodes: [
      node("ready"),
      node("cordoned", { cordoned: true }),
      node("maint", { phase: "MAINTENANCE" }),
      node("down", { phase: "NOT_READY" }),
    ],
  });

  it("passes a READY uncordoned node", () => {
    expect(filterOn(nodeReadyFilter, snap, vm("a"), "ready")).toBeUndefined();
  });

  it("rejects a cordoned node", () => {
    expect(filterOn(nodeReadyFilter, snap, vm("a"), "cordoned")).toBe("cordoned");
  });

  it("rejects a node in maintenance", () => {
    expect(filterOn(nodeReadyFilter, snap, vm("a"), "maint")).toBe("in maintenance");
  });

  it("rejects a node that is not ready, naming its phase", () => {
    expect(filterOn(nodeReadyFilter, snap, vm("a"), "down")).toBe("not ready (phase NOT_READY)");
  });

  it("rejects cordoned and not-ready nodes as node-state rules that leave running VMs alone", () => {
    const forNew = { kind: "node-state", bindsRunning: false };
    expect(traitsOn(nodeReadyFilter, snap, vm("a"), "cordoned")).toEqual(forNew);
    expect(traitsOn(nodeReadyFilter, snap, vm("a"), "down")).toEqual(forNew);
  });

  it("rejects a node in maintenance as a node-state rule that binds running VMs", () => {
    expect(traitsOn(nodeReadyFilter, snap, vm("a"), "maint")).toEqual({
      kind: "node-state",
      bindsRunning: true,
    });
  });
});

describe("compute-role filter", () => {
  it("rejects a storage-only node and passes a compute node", () => {
    const snap = new ClusterSnapshot({
      nodes: [node("s", { roles: ["storage"] }), node("c", { roles: ["storage", "compute"] })],
    });
    expect(filterOn(computeRoleFilter, snap, vm("a"), "s")).toBe("not a compute node");
    expect(filterOn(computeRoleFilter, snap, vm("a"), "c")).toBeUndefined();
  });

  it("rejects as a node-role rule that binds running VMs", () => {
    const snap = new ClusterSnapshot({ nodes: [node("s", { roles: ["storage"] })] });
    expect(traitsOn(computeRoleFilter, snap, vm("a"), "s")).toEqual({
      kind: "node-role",
      bindsRunning: true,
    });
  });
});
