import { describe, expect, it } from "vitest";
import { node, vm } from "../../test/builders";
import { independentCheck, running } from "../../test/drs-helpers";
import { Scheduler } from "../scheduler";
import { ClusterSnapshot } from "../snapshot/cluster-snapshot";
import { classifyNodes } from "./failure-detection";
import { planFailover } from "./failover-plan";

const scheduler = new Scheduler();

describe("planFailover", () => {
  it("restarts high, then medium, then low priority VMs, and says to fence first", () => {
    const nodes = [node("dead"), node("n2"), node("n3")];
    const vms = [
      running(vm("low", { nodeId: "dead" }), "low"),
      running(vm("high", { nodeId: "dead" }), "high"),
      running(vm("med", { nodeId: "dead" }), "medium"),
    ];
    const plan = planFailover(scheduler, new ClusterSnapshot({ nodes, vms }), ["dead"]);
    expect(plan.restarts.map((r) => r.vmId)).toEqual(["high", "med", "low"]);
    expect(plan.restarts.every((r) => r.targetNodeId !== "dead")).toBe(true);
    expect(plan.fence).toEqual([expect.objectContaining({ nodeId: "dead" })]);
    expect(plan.fence[0]!.reason).toContain("before restarting");
  });

  it("gives the capacity to high priority VMs when not everything fits", () => {
    const nodes = [node("dead"), node("n2", { vcpus: 2, memoryMib: 4096 })];
    const vms = [
      running(vm("low", { vcpus: 4, memoryMib: 4096, nodeId: "dead" }), "low"),
      running(vm("high", { vcpus: 4, memoryMib: 4096, nodeId: "dead" }), "high"),
    ];
    const plan = planFailover(scheduler, new ClusterSnapshot({ nodes, vms }), ["dead"]);
    expect(plan.restarts.map((r) => r.vmId)).toEqual(["high"]);
    expect(plan.unplaced).toEqual([expect.objectContaining({ vmId: "low", priority: "low" })]);
    expect(plan.unplaced[0]!.reason).toContain("insufficient");
    expect(plan.unplaced[0]!.details?.nodes.length).toBe(2);
  });

  it("respects anti-affinity against survivors and among the restarted VMs", () => {
    const anti = {
      vmAntiAffinity: { required: [{ selector: [{ key: "app", operator: "=", values: ["db"] }] }] },
    };
    const nodes = [node("dead"), node("n2"), node("n3")];
    const vms = [
      running(vm("db-1", { labels: { app: "db" }, nodeId: "dead", spec: { affinity: anti } })),
      running(vm("db-2", { labels: { app: "db" }, nodeId: "n2", spec: { affinity: anti } })),
      running(vm("db-3", { labels: { app: "db" }, nodeId: "dead", spec: { affinity: anti } })),
    ];
    const snapshot = new ClusterSnapshot({ nodes, vms });
    const plan = planFailover(scheduler, snapshot, ["dead"]);
    expect(plan.restarts).toEqual([expect.objectContaining({ vmId: "db-1", targetNodeId: "n3" })]);
    expect(plan.unplaced.map((u) => u.vmId)).toEqual(["db-3"]);
    expect(plan.unplaced[0]!.reason).toContain("anti-affinity");
  });

  it("skips VMs with HA disabled or not meant to run", () => {
    const nodes = [node("dead"), node("n2")];
    const off = running(vm("off", { nodeId: "dead" }));
    const vms = [
      { ...off, spec: { ...off.spec, ha: { enabled: false, restartPriority: "high" as const } } },
      vm("stopped", { nodeId: "dead" }),
    ];
    const plan = planFailover(scheduler, new ClusterSnapshot({ nodes, vms }), ["dead"]);
    expect(plan.restarts).toEqual([]);
    expect(plan.skipped.map((s) => [s.vmId, s.reason])).toEqual([
      ["off", "HA disabled for the VM"],
      ["stopped", "not meant to be running"],
    ]);
  });

  it("never fails over an isolated node", () => {
    const now = "2026-01-01T01:00:00.000Z";
    const stale = "2026-01-01T00:50:00.000Z";
    const withBeat = (id: string, at: string) => ({
      ...node(id),
      status: { ...node(id).status, lastHeartbeatAt: at },
    });
    const nodes = [withBeat("isolated", stale), withBeat("dead", stale), withBeat("ok", now)];
    const vms = [running(vm("a", { nodeId: "isolated" })), running(vm("b", { nodeId: "dead" }))];
    const health = classifyNodes({ nodes, now, liveLeases: new Set(["isolated", "ok"]) });
    const failed = health.filter((h) => h.health === "FAILED").map((h) => h.nodeId);
    expect(failed).toEqual(["dead"]);
    const plan = planFailover(scheduler, new ClusterSnapshot({ nodes, vms }), failed);
    expect(plan.restarts.map((r) => r.vmId)).toEqual(["b"]);
    expect(plan.fence.map((f) => f.nodeId)).toEqual(["dead"]);
  });

  it("leaves the snapshot as it was, or keeps the restarts reserved when asked", () => {
    const nodes = [node("dead"), node("n2")];
    const snapshot = new ClusterSnapshot({ nodes, vms: [running(vm("a", { nodeId: "dead" }))] });
    planFailover(scheduler, snapshot, ["dead"]);
    expect(snapshot.vm("a")!.nodeId).toBe("dead");
    const plan = planFailover(scheduler, snapshot, ["dead"], { keepReservations: true });
    expect(snapshot.vm("a")!.nodeId).toBe("n2");
    expect(plan.reservations).toHaveLength(1);
    expect(independentCheck(nodes, snapshot, new Set(["a"]))).toEqual([]);
  });
});
