import { Cluster, type ErrorDetails, Node, VirtualMachine } from "@limiquantix/domain";
import { ClusterSnapshot, Scheduler } from "@limiquantix/scheduler";
import { describe, expect, it } from "vitest";
import { type AdmissionPolicies, enforcesAdmission, HaAdmission, policyLabel } from "./ha-admission";

const T = "2026-01-01T00:00:00.000Z";
const meta = (id: string) => ({ id, name: id, labels: {}, resourceVersion: 1, createdAt: T, updatedAt: T });

function cluster(id: string, ha: object): Cluster {
  return Cluster.parse({ ...meta(id), spec: { ha, overcommit: { cpu: 1, memory: 1 } } });
}

/** node is a READY compute host of 4 vCPUs and 8 GiB in cluster c1. */
function node(id: string): Node {
  return Node.parse({
    ...meta(id),
    clusterId: "c1",
    spec: {
      hostname: `${id}.lab`,
      managementIp: "10.0.0.1",
      cpu: { sockets: 1, coresPerSocket: 4 },
      memoryMib: 8192,
    },
    status: { phase: "READY", allocatable: { vcpus: 4, memoryMib: 8192 } },
  });
}

function vm(id: string, memoryMib: number, o: { nodeId?: string; ha?: boolean; running?: boolean } = {}) {
  return VirtualMachine.parse({
    ...meta(id),
    projectId: "p1",
    spec: {
      cpu: { vcpus: 1 },
      memory: { sizeMib: memoryMib },
      ha: { enabled: o.ha ?? true },
      desiredPowerState: o.running ? "RUNNING" : "STOPPED",
    },
    status: { nodeId: o.nodeId },
  });
}

const tolerateOne = { admissionControl: { policy: "tolerate-host-failures", hostFailuresToTolerate: 1 } };

function setup(c: Cluster) {
  const snapshot = new ClusterSnapshot({
    nodes: [node("n1"), node("n2")],
    clusters: [c],
    vms: [vm("a", 6144, { nodeId: "n1", running: true }), vm("b", 1024, { nodeId: "n2", running: true })],
  });
  const admission = new HaAdmission(new Scheduler(), snapshot, { clusters: undefined as never });
  const policies: AdmissionPolicies = new Map(enforcesAdmission(c) ? [[c.id, c]] : []);
  return { admission, policies, snapshot };
}

function refusal(run: () => void): { message: string; details: ErrorDetails } {
  try {
    run();
  } catch (e) {
    return e as { message: string; details: ErrorDetails };
  }
  throw new Error("expected a refusal");
}

describe("HaAdmission", () => {
  it("refuses to start an HA VM the survivors could not take, naming the policy, the cluster and the shortfall", () => {
    const { admission, policies } = setup(cluster("c1", tolerateOne));
    const e = refusal(() => admission.admit(policies, vm("c", 2048, { nodeId: "n2" }), "n2", "start"));
    // n1 (6 GiB protected) fails: a needs 6 GiB, n2 keeps b and c (3 GiB of 8) and has 5 GiB free.
    expect(e.message).toMatch(
      /^HA admission control \(tolerate-host-failures: 1\) of cluster "c1": starting vm "c" leaves 5 GiB memory \/ 2 vCPU of failover capacity where 6 GiB memory \/ 1 vCPU is needed \(if 1 largest host\(s\) failed, vm "a" could not restart: /,
    );
    expect(e.details).toMatchObject({
      policy: "tolerate-host-failures",
      cluster: "c1",
      shortfallMemoryMib: 1024,
      shortfallVcpus: 0,
      resource: { kind: "Cluster", id: "c1", name: "c1" },
    });
    expect(e.details.preconditionViolations).toEqual([
      expect.objectContaining({ type: "HA_ADMISSION_CONTROL", subject: "clusters/c1" }),
    ]);
  });

  it("admits what keeps the guarantee, and leaves the snapshot as it was", () => {
    const { admission, policies, snapshot } = setup(cluster("c1", tolerateOne));
    const version = snapshot.node("n2")!.allocated;
    admission.admit(policies, vm("c", 1024, { nodeId: "n2" }), "n2", "start");
    expect(snapshot.node("n2")!.allocated).toEqual(version);
    expect(snapshot.vm("c")).toBeUndefined();
  });

  it("holds no VM without HA, and no VM of a cluster with HA off or admission control disabled", () => {
    const big = vm("c", 6144, { nodeId: "n2" });
    const on = setup(cluster("c1", tolerateOne));
    on.admission.admit(
      on.policies,
      { ...big, spec: { ...big.spec, ha: { ...big.spec.ha, enabled: false } } },
      "n2",
      "start",
    );
    const off = setup(cluster("c1", { enabled: false, ...tolerateOne }));
    expect(off.policies.size).toBe(0);
    off.admission.admit(off.policies, big, "n2", "start");
    const disabled = setup(cluster("c1", {}));
    expect(disabled.policies.size).toBe(0);
    disabled.admission.admit(disabled.policies, big, "n2", "start");
  });

  it("labels each policy with its figures", () => {
    const c = cluster("c1", {});
    expect(c.spec.ha.admissionControl.policy).toBe("disabled");
    expect(policyLabel(c.spec.ha.admissionControl)).toBe("disabled");
    expect(
      policyLabel({
        ...c.spec.ha.admissionControl,
        policy: "tolerate-host-failures",
        hostFailuresToTolerate: 2,
      }),
    ).toBe("tolerate-host-failures: 2");
    expect(
      policyLabel({
        ...c.spec.ha.admissionControl,
        policy: "reserve-percentage",
        cpuReservePercent: 10,
        memoryReservePercent: 30,
      }),
    ).toBe("reserve-percentage: cpu 10%, memory 30%");
  });
});
