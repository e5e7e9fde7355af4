import { DrsRecommendation, type Node, type VirtualMachine } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { applyMoves, independentCheck } from "../../test/drs-helpers";
import { node, vm } from "../../test/builders";
import { Scheduler } from "../scheduler";
import { ClusterSnapshot } from "../snapshot/cluster-snapshot";
import type { DrsOptions } from "./drs-types";
import { planDrs } from "./drs-pass";

const scheduler = new Scheduler();
const base: DrsOptions = { clusterId: "c1", settings: { maxMovesPerPass: 50 }, power: { enabled: false } };

function skewed(): { nodes: Node[]; vms: VirtualMachine[] } {
  const nodes = [node("n1"), node("n2"), node("n3")];
  const vms = Array.from({ length: 9 }, (_, i) => vm(`v${i}`, { vcpus: 1, memoryMib: 2048, nodeId: "n1" }));
  return { nodes, vms };
}

function allocations(s: ClusterSnapshot): string {
  return JSON.stringify(s.nodes().map((n) => [n.id, n.allocated]));
}

describe("planDrs", () => {
  it("moves VMs off the loaded host until the imbalance falls, each move valid when re-checked", () => {
    const { nodes, vms } = skewed();
    const snapshot = new ClusterSnapshot({ nodes, vms });
    const result = planDrs(scheduler, snapshot, base);
    const moves = result.recommendations.filter((r) => r.type === "MIGRATE");
    expect(moves.length).toBeGreaterThan(0);
    expect(result.imbalanceAfter).toBeLessThan(result.imbalanceBefore / 2);
    expect(moves.every((m) => m.sourceNodeId === "n1" && m.targetNodeId !== "n1")).toBe(true);
    for (let i = 1; i < moves.length; i++)
      expect(moves[i]!.impact.imbalanceBefore).toBeCloseTo(moves[i - 1]!.impact.imbalanceAfter, 12);
    applyMoves(snapshot, moves);
    expect(independentCheck(nodes, snapshot, new Set(moves.map((m) => m.vmId!)))).toEqual([]);
  });

  it("proposes nothing on a second pass over the first pass's result", () => {
    const { nodes, vms } = skewed();
    const snapshot = new ClusterSnapshot({ nodes, vms });
    applyMoves(snapshot, planDrs(scheduler, snapshot, base).recommendations);
    const second = planDrs(scheduler, snapshot, base);
    expect(second.recommendations).toEqual([]);
    expect(second.stoppedBy).toBe("balanced");
  });

  it("yields nothing for a balanced cluster", () => {
    const nodes = [node("n1"), node("n2")];
    const vms = [vm("a", { nodeId: "n1" }), vm("b", { nodeId: "n2" })];
    const result = planDrs(scheduler, new ClusterSnapshot({ nodes, vms }), {
      ...base,
      settings: { migrationThreshold: 5 },
    });
    expect(result.recommendations).toEqual([]);
    expect(result.imbalanceBefore).toBe(0);
  });

  it("proposes only mandatory moves at threshold 1", () => {
    const { nodes, vms } = skewed();
    const result = planDrs(scheduler, new ClusterSnapshot({ nodes, vms }), {
      ...base,
      settings: { migrationThreshold: 1 },
    });
    expect(result.recommendations).toEqual([]);
    expect(result.stoppedBy).toBe("mandatory-only");
  });

  it("stops at the cap on moves per pass", () => {
    const { nodes, vms } = skewed();
    const result = planDrs(scheduler, new ClusterSnapshot({ nodes, vms }), {
      ...base,
      settings: { maxMovesPerPass: 2 },
    });
    expect(result.recommendations).toHaveLength(2);
    expect(result.stoppedBy).toBe("move-cap");
  });

  it("evacuates a host in maintenance first, as CRITICAL, even at threshold 1", () => {
    const nodes = [node("n1", { phase: "MAINTENANCE" }), node("n2"), node("n3")];
    const vms = [vm("a", { nodeId: "n1" }), vm("b", { nodeId: "n1" }), vm("c", { nodeId: "n2" })];
    const result = planDrs(scheduler, new ClusterSnapshot({ nodes, vms }), {
      ...base,
      settings: { migrationThreshold: 1 },
    });
    expect(result.recommendations.map((r) => [r.vmId, r.priority, r.sourceNodeId])).toEqual([
      ["a", "CRITICAL", "n1"],
      ["b", "CRITICAL", "n1"],
    ]);
    expect(result.recommendations.every((r) => r.targetNodeId !== "n1")).toBe(true);
  });

  it("evacuates a node named as entering maintenance and never targets it", () => {
    const nodes = [node("n1"), node("n2")];
    const vms = [vm("a", { nodeId: "n2" })];
    const result = planDrs(scheduler, new ClusterSnapshot({ nodes, vms }), {
      ...base,
      enteringMaintenance: ["n2"],
    });
    expect(result.recommendations).toHaveLength(1);
    expect(result.recommendations[0]).toMatchObject({ vmId: "a", targetNodeId: "n1", priority: "CRITICAL" });
  });

  it("names the VMs that must move but cannot, with the scheduler's reasons", () => {
    const nodes = [node("n1", { phase: "MAINTENANCE", labels: { gpu: "yes" } }), node("n2")];
    const pinned = vm("g", {
      nodeId: "n1",
      spec: { nodeSelector: [{ key: "gpu", operator: "=", values: ["yes"] }] },
    });
    const result = planDrs(scheduler, new ClusterSnapshot({ nodes, vms: [pinned] }), base);
    expect(result.recommendations).toEqual([]);
    expect(result.blocked).toHaveLength(1);
    expect(result.blocked[0]!.vmId).toBe("g");
    expect(result.blocked[0]!.reasons[0]!.reason).toContain("node selector");
  });

  it("moves a VM that breaks a required anti-affinity rule where it runs", () => {
    const anti = {
      vmAntiAffinity: { required: [{ selector: [{ key: "app", operator: "=", values: ["db"] }] }] },
    };
    const nodes = [node("n1"), node("n2")];
    const vms = [
      vm("db-1", { labels: { app: "db" }, nodeId: "n1", spec: { affinity: anti } }),
      vm("db-2", { labels: { app: "db" }, nodeId: "n1", spec: { affinity: anti } }),
    ];
    const result = planDrs(scheduler, new ClusterSnapshot({ nodes, vms }), {
      ...base,
      settings: { migrationThreshold: 1 },
    });
    expect(result.recommendations).toHaveLength(1);
    expect(result.recommendations[0]).toMatchObject({ priority: "CRITICAL", targetNodeId: "n2" });
    expect(result.recommendations[0]!.reason).toContain("anti-affinity");
  });

  it("evicts for an untolerated NoExecute taint but not for cordoning or NoSchedule", () => {
    const nodes = [
      node("n1", { taints: [{ key: "bad", value: "", effect: "NoExecute" }] }),
      node("n2", { cordoned: true }),
      node("n3", { taints: [{ key: "x", value: "", effect: "NoSchedule" }] }),
      node("n4"),
    ];
    const vms = [
      vm("a", { nodeId: "n1" }),
      vm("b", { nodeId: "n2" }),
      vm("c", { nodeId: "n3" }),
      vm("d", { nodeId: "n4" }),
    ];
    const result = planDrs(scheduler, new ClusterSnapshot({ nodes, vms }), {
      ...base,
      settings: { migrationThreshold: 1 },
    });
    expect(result.recommendations.map((r) => r.vmId)).toEqual(["a"]);
    expect(result.recommendations[0]!.targetNodeId).toBe("n4");
  });

  it("does not move a VM migrated within the history window, but does once it has passed", () => {
    const nodes = [node("n1"), node("n2")];
    const vms = [
      vm("a", { vcpus: 4, memoryMib: 8192, nodeId: "n1" }),
      vm("b", { vcpus: 4, memoryMib: 8192, nodeId: "n1" }),
    ];
    const history = [
      { vmId: "a", sourceNodeId: "n2", targetNodeId: "n1", at: "2026-01-01T00:30:00.000Z" },
      { vmId: "b", sourceNodeId: "n2", targetNodeId: "n1", at: "2026-01-01T00:40:00.000Z" },
    ];
    const recent = planDrs(scheduler, new ClusterSnapshot({ nodes, vms }), {
      ...base,
      history,
      now: "2026-01-01T01:00:00.000Z",
    });
    expect(recent.recommendations).toEqual([]);
    const later = planDrs(scheduler, new ClusterSnapshot({ nodes, vms }), {
      ...base,
      history,
      now: "2026-01-01T03:00:00.000Z",
    });
    expect(later.recommendations.length).toBeGreaterThan(0);
  });

  it("balances on live usage when the host reports it, not on allocation", () => {
    const hot = {
      ...node("n1"),
      status: { ...node("n1").status, usage: { cpuPercent: 95, memoryUsedMib: 15_000 } },
    };
    const cold = {
      ...node("n2"),
      status: { ...node("n2").status, usage: { cpuPercent: 5, memoryUsedMib: 1_000 } },
    };
    const vms = [1, 2, 3, 4].flatMap((i) => [vm(`h${i}`, { nodeId: "n1" }), vm(`c${i}`, { nodeId: "n2" })]);
    const result = planDrs(scheduler, new ClusterSnapshot({ nodes: [hot, cold], vms }), base);
    expect(result.hosts.map((h) => h.basis)).toEqual(["usage", "usage"]);
    expect(result.hosts[0]!.overloaded).toBe(true);
    expect(result.recommendations[0]).toMatchObject({ sourceNodeId: "n1", priority: "HIGH" });
  });

  it("leaves the snapshot as it was given", () => {
    const { nodes, vms } = skewed();
    const snapshot = new ClusterSnapshot({ nodes, vms });
    const before = allocations(snapshot);
    planDrs(scheduler, snapshot, { ...base, enteringMaintenance: ["n2"] });
    expect(allocations(snapshot)).toBe(before);
  });

  it("ignores nodes of other clusters", () => {
    const nodes = [node("n1", { clusterId: "c1" }), node("n2", { clusterId: "c2" })];
    const vms = [vm("a", { nodeId: "n1", vcpus: 4 }), vm("b", { nodeId: "n1", vcpus: 4 })];
    const result = planDrs(scheduler, new ClusterSnapshot({ nodes, vms }), base);
    expect(result.hosts.map((h) => h.nodeId)).toEqual(["n1"]);
    expect(result.recommendations).toEqual([]);
  });

  it("produces proposals the domain DrsRecommendation accepts as they are", () => {
    const { nodes, vms } = skewed();
    const migrations = planDrs(scheduler, new ClusterSnapshot({ nodes, vms }), base).recommendations;
    const underused = new ClusterSnapshot({
      nodes: [node("n1"), node("n2"), node("n3")],
      vms: [vm("a", { nodeId: "n1" }), vm("b", { nodeId: "n2" })],
    });
    const power = planDrs(scheduler, underused, { clusterId: "c1" }).recommendations;
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.every((p) => p.type === "MIGRATE")).toBe(true);
    expect(power.map((p) => p.type)).toEqual(["POWER_OFF"]);
    const T = "2026-01-01T00:00:00.000Z";
    for (const [i, p] of [...migrations, ...power].entries())
      expect(() =>
        DrsRecommendation.parse({ ...p, id: `r${i}`, resourceVersion: 1, createdAt: T, updatedAt: T }),
      ).not.toThrow();
  });
});

describe("power recommendations", () => {
  it("powers on a standby host when a VM that must move has nowhere to go", () => {
    const nodes = [node("n1", { phase: "MAINTENANCE" }), node("n2", { vcpus: 1, memoryMib: 1024 })];
    const vms = [vm("big", { vcpus: 8, memoryMib: 8192, nodeId: "n1" })];
    const result = planDrs(scheduler, new ClusterSnapshot({ nodes, vms }), {
      clusterId: "c1",
      power: { standbyNodeIds: ["s2", "s1"] },
    });
    expect(result.blocked).toHaveLength(1);
    expect(result.recommendations).toEqual([
      expect.objectContaining({ type: "POWER_ON", targetNodeId: "s1", priority: "HIGH" }),
    ]);
  });

  it("powers off an empty host when the cluster is underused", () => {
    const nodes = [node("n1"), node("n2"), node("n3")];
    const vms = [vm("a", { nodeId: "n1" }), vm("b", { nodeId: "n2" })];
    const result = planDrs(scheduler, new ClusterSnapshot({ nodes, vms }), { clusterId: "c1" });
    const power = result.recommendations.filter((r) => r.type === "POWER_OFF");
    expect(power).toEqual([expect.objectContaining({ targetNodeId: "n3", priority: "LOW" })]);
  });

  it("keeps every host on when the others would no longer be underused without it", () => {
    const nodes = [node("n1"), node("n2")];
    const vms = [vm("a", { vcpus: 8, memoryMib: 8192, nodeId: "n1" })];
    const result = planDrs(scheduler, new ClusterSnapshot({ nodes, vms }), {
      clusterId: "c1",
      settings: { migrationThreshold: 1 },
      power: { powerOffBelowPercent: 40 },
    });
    expect(result.recommendations.filter((r) => r.type === "POWER_OFF")).toEqual([]);
  });
});
