import { describe, expect, it } from "vitest";
import { node, vm } from "../../test/builders";
import { independentCheck } from "../../test/drs-helpers";
import { Scheduler } from "../scheduler";
import { ClusterSnapshot } from "../snapshot/cluster-snapshot";
import { planDrain } from "./drain-plan";

const scheduler = new Scheduler();

describe("planDrain", () => {
  it("moves every VM to a valid target, reserving capacity as the plan goes", () => {
    const nodes = [
      node("n1"),
      node("n2", { vcpus: 2, memoryMib: 4096 }),
      node("n3", { vcpus: 2, memoryMib: 4096 }),
    ];
    const vms = [1, 2, 3, 4].map((i) => vm(`v${i}`, { vcpus: 2, memoryMib: 2048, nodeId: "n1" }));
    const snapshot = new ClusterSnapshot({ nodes, vms });
    const plan = planDrain(scheduler, snapshot, "n1", { keepReservations: true });
    expect(plan.complete).toBe(true);
    expect(plan.moves).toHaveLength(4);
    const per = new Map<string, number>();
    for (const m of plan.moves) per.set(m.targetNodeId, (per.get(m.targetNodeId) ?? 0) + 1);
    expect(Object.fromEntries(per)).toEqual({ n2: 2, n3: 2 });
    expect(independentCheck(nodes, snapshot, new Set(plan.moves.map((m) => m.vmId)))).toEqual([]);
  });

  it("names the VMs that cannot move, with the scheduler's explanation, and moves the rest", () => {
    const nodes = [node("n1", { labels: { gpu: "a100" } }), node("n2")];
    const vms = [
      vm("gpu", { nodeId: "n1", spec: { nodeSelector: [{ key: "gpu", operator: "exists", values: [] }] } }),
      vm("web", { nodeId: "n1" }),
    ];
    const snapshot = new ClusterSnapshot({ nodes, vms });
    const plan = planDrain(scheduler, snapshot, "n1");
    expect(plan.complete).toBe(false);
    expect(plan.moves.map((m) => [m.vmId, m.targetNodeId])).toEqual([["web", "n2"]]);
    expect(plan.blocked).toEqual([expect.objectContaining({ vmId: "gpu" })]);
    expect(plan.blocked[0]!.reason).toMatch(
      /^0\/2 nodes fit: 1 does not match node selector "gpu", 1 excluded by the request/,
    );
    expect(plan.blocked[0]!.details?.nodes).toHaveLength(2);
  });

  it("leaves the snapshot as it was unless reservations are kept", () => {
    const nodes = [node("n1"), node("n2")];
    const snapshot = new ClusterSnapshot({ nodes, vms: [vm("a", { nodeId: "n1" })] });
    const plan = planDrain(scheduler, snapshot, "n1");
    expect(plan.reservations).toEqual([]);
    expect(snapshot.vm("a")!.nodeId).toBe("n1");
  });

  it("keeps targets inside the draining node's cluster", () => {
    const nodes = [
      node("n1", { clusterId: "c1" }),
      node("n2", { clusterId: "c2" }),
      node("n3", { clusterId: "c1" }),
    ];
    const snapshot = new ClusterSnapshot({ nodes, vms: [vm("a", { nodeId: "n1" })] });
    expect(planDrain(scheduler, snapshot, "n1").moves[0]!.targetNodeId).toBe("n3");
  });

  it("returns an empty, complete plan for an empty node", () => {
    const plan = planDrain(scheduler, new ClusterSnapshot({ nodes: [node("n1")] }), "n1");
    expect(plan).toMatchObject({ moves: [], blocked: [], complete: true });
  });
});
