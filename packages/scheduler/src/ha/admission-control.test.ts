import { describe, expect, it } from "vitest";
import { node, vm } from "../../test/builders";
import { running } from "../../test/drs-helpers";
import { Scheduler } from "../scheduler";
import { ClusterSnapshot } from "../snapshot/cluster-snapshot";
import { checkAdmission, largestHosts } from "./admission-control";

const scheduler = new Scheduler();
// Two hosts of 16 vCPUs each after overcommit: one host must be able to hold every protected VM.
const pair = () => [node("n1"), node("n2")];

describe("checkAdmission", () => {
  it("admits a VM when every protected VM could still restart after the largest host fails", () => {
    const snapshot = new ClusterSnapshot({
      nodes: pair(),
      vms: [running(vm("a", { vcpus: 6, nodeId: "n1" }))],
    });
    const decision = checkAdmission(scheduler, snapshot, {
      kind: "create",
      vm: running(vm("new", { vcpus: 6 })),
    });
    expect(decision).toMatchObject({ admitted: true, reasons: [], policy: "tolerate-host-failures" });
    expect(decision.assumedFailedNodeIds).toHaveLength(1);
  });

  it("refuses a VM that would leave a protected VM without a host after a failure, and says which", () => {
    const snapshot = new ClusterSnapshot({
      nodes: pair(),
      vms: [running(vm("a", { vcpus: 10, nodeId: "n1" })), running(vm("b", { vcpus: 4, nodeId: "n2" }))],
    });
    const decision = checkAdmission(scheduler, snapshot, {
      kind: "create",
      vm: running(vm("new", { vcpus: 4 })),
    });
    expect(decision.admitted).toBe(false);
    expect(decision.reasons.join(" ")).toMatch(/could not restart: 0\/2 nodes fit/);
  });

  it("refuses a power-on that breaks the guarantee, counting the VM where it is placed", () => {
    const snapshot = new ClusterSnapshot({
      nodes: pair(),
      vms: [running(vm("a", { vcpus: 10, nodeId: "n1" })), vm("sleeper", { vcpus: 8, nodeId: "n2" })],
    });
    const sleeper = snapshot.vm("sleeper")!.vm;
    expect(checkAdmission(scheduler, snapshot, { kind: "power-on", vm: sleeper }).admitted).toBe(false);
    expect(
      checkAdmission(
        scheduler,
        snapshot,
        { kind: "power-on", vm: sleeper },
        { settings: { policy: "disabled" } },
      ).admitted,
    ).toBe(true);
  });

  it("refuses when the cluster has no more hosts than failures to tolerate", () => {
    const snapshot = new ClusterSnapshot({ nodes: pair() });
    const decision = checkAdmission(
      scheduler,
      snapshot,
      { kind: "create", vm: running(vm("new")) },
      { settings: { hostFailuresToTolerate: 2 } },
    );
    expect(decision.admitted).toBe(false);
    expect(decision.reasons[0]).toContain("cannot tolerate 2");
  });

  it("refuses a VM no node can take at all", () => {
    const snapshot = new ClusterSnapshot({ nodes: pair() });
    const decision = checkAdmission(scheduler, snapshot, {
      kind: "create",
      vm: running(vm("huge", { vcpus: 64 })),
    });
    expect(decision.admitted).toBe(false);
    expect(decision.reasons[0]).toContain("cannot be placed");
  });

  it("keeps the configured share of cluster CPU and memory free under reserve-percentage", () => {
    const snapshot = new ClusterSnapshot({ nodes: pair(), vms: [vm("a", { vcpus: 16, nodeId: "n1" })] });
    const settings = {
      policy: "reserve-percentage" as const,
      cpuReservePercent: 25,
      memoryReservePercent: 25,
    };
    expect(
      checkAdmission(scheduler, snapshot, { kind: "create", vm: vm("ok", { vcpus: 8 }) }, { settings })
        .admitted,
    ).toBe(true);
    const refused = checkAdmission(
      scheduler,
      snapshot,
      { kind: "create", vm: vm("big", { vcpus: 9 }) },
      { settings },
    );
    expect(refused.admitted).toBe(false);
    expect(refused.reasons).toEqual(["21.9% of cluster cpu would stay free; the policy reserves 25%"]);
  });

  it("measures what the surviving hosts would have free against what the protected VMs of the failed host need", () => {
    // node() is 8 vCPUs and 16 GiB, so 16 vCPUs and 24 GiB after the default overcommit.
    const snapshot = new ClusterSnapshot({
      nodes: pair(),
      vms: [
        running(vm("a", { vcpus: 10, memoryMib: 4096, nodeId: "n1" })),
        running(vm("b", { vcpus: 4, memoryMib: 2048, nodeId: "n2" })),
      ],
    });
    const refused = checkAdmission(scheduler, snapshot, {
      kind: "create",
      vm: running(vm("new", { vcpus: 4, memoryMib: 1024 })),
    });
    expect(refused.admitted).toBe(false);
    expect(refused.assumedFailedNodeIds).toEqual(["n1"]);
    // n1 fails holding a (10 vCPU, 4 GiB); n2 keeps b and the new VM (8 vCPU, 3 GiB) and has 8 vCPU free.
    expect(refused.capacity).toEqual({
      available: { vcpus: 8, memoryMib: 24_576 - 3072 },
      needed: { vcpus: 10, memoryMib: 4096 },
      shortfall: { vcpus: 2, memoryMib: 0 },
    });
    const admitted = checkAdmission(scheduler, snapshot, {
      kind: "create",
      vm: running(vm("small", { vcpus: 2, memoryMib: 1024 })),
    });
    expect(admitted.admitted).toBe(true);
    expect(admitted.capacity?.shortfall).toEqual({ vcpus: 0, memoryMib: 0 });
  });

  it("counts every host as failing, and nothing free, when the cluster cannot tolerate the failures asked for", () => {
    const snapshot = new ClusterSnapshot({ nodes: [node("n1")] });
    const decision = checkAdmission(scheduler, snapshot, {
      kind: "create",
      vm: running(vm("new", { vcpus: 2, memoryMib: 2048 })),
    });
    expect(decision.admitted).toBe(false);
    expect(decision.capacity).toEqual({
      available: { vcpus: 0, memoryMib: 0 },
      needed: { vcpus: 2, memoryMib: 2048 },
      shortfall: { vcpus: 2, memoryMib: 2048 },
    });
  });

  it("measures the reserve a reserve-percentage policy keeps against what would stay free", () => {
    const snapshot = new ClusterSnapshot({ nodes: pair(), vms: [vm("a", { vcpus: 16, nodeId: "n1" })] });
    const decision = checkAdmission(
      scheduler,
      snapshot,
      { kind: "create", vm: vm("big", { vcpus: 9 }) },
      { settings: { policy: "reserve-percentage", cpuReservePercent: 25, memoryReservePercent: 25 } },
    );
    expect(decision.capacity).toEqual({
      available: { vcpus: 7, memoryMib: 49_152 - 2048 },
      needed: { vcpus: 8, memoryMib: 12_288 },
      shortfall: { vcpus: 1, memoryMib: 0 },
    });
  });

  it("leaves the snapshot as it was given", () => {
    const snapshot = new ClusterSnapshot({ nodes: pair(), vms: [running(vm("a", { nodeId: "n1" }))] });
    checkAdmission(scheduler, snapshot, { kind: "create", vm: running(vm("new")) });
    expect(snapshot.vm("new")).toBeUndefined();
    expect(snapshot.vm("a")!.nodeId).toBe("n1");
  });

  it("assumes the largest hosts fail, the one holding more protected memory among equals", () => {
    const nodes = [node("small", { vcpus: 4 }), node("big1", { vcpus: 16 }), node("big2", { vcpus: 16 })];
    const snapshot = new ClusterSnapshot({
      nodes,
      vms: [running(vm("a", { memoryMib: 4096, nodeId: "big2" }))],
    });
    expect(largestHosts(snapshot, undefined, 1)).toEqual(["big2"]);
    expect(largestHosts(snapshot, undefined, 2)).toEqual(["big2", "big1"]);
  });
});
