import { DomainError, type HaSettings, type VirtualMachine } from "@limiquantix/domain";
import type { Scheduler } from "../scheduler";
import type { ClusterSnapshot, Reservation } from "../snapshot/cluster-snapshot";
import { inClusterScope } from "../snapshot/cluster-scope";
import type { NodeState } from "../snapshot/snapshot-types";
import { isProtected, planFailover } from "./failover-plan";

/** AdmissionRequest is a change that HA admission control must approve: a new VM, or powering one on. */
export interface AdmissionRequest {
  readonly kind: "create" | "power-on";
  /** The VM; when `status.nodeId` is set it is admitted there, else the scheduler places it. */
  readonly vm: VirtualMachine;
}

/** AdmissionOptions name the cluster and its admission-control settings (a cluster's `spec.ha.admissionControl`). */
export interface AdmissionOptions {
  readonly clusterId?: string;
  readonly settings?: Partial<HaSettings["admissionControl"]>;
}

/** AdmissionAmounts are CPU and memory, as the capacity figures of an admission decision count them. */
export interface AdmissionAmounts {
  readonly vcpus: number;
  readonly memoryMib: number;
}

/**
 * FailoverCapacity compares what failover would need with what the change leaves, over the hosts
 * the policy counts on: under tolerate-host-failures, the free capacity of the hosts that survive
 * against the demand of the protected VMs of the hosts assumed to fail; under reserve-percentage,
 * the cluster's free capacity against the share the policy reserves.
 */
export interface FailoverCapacity {
  /** Capacity left free once the change is made. */
  readonly available: AdmissionAmounts;
  /** Capacity failover needs. */
  readonly needed: AdmissionAmounts;
  /** How much is missing (needed less available, never below 0); with enough in total, a VM may still fit on no single host. */
  readonly shortfall: AdmissionAmounts;
}

/** AdmissionDecision says whether a change keeps the HA guarantee, and if not, why. */
export interface AdmissionDecision {
  readonly admitted: boolean;
  readonly policy: HaSettings["admissionControl"]["policy"];
  /** Why the change was refused (empty when admitted). */
  readonly reasons: readonly string[];
  /** Where the VM would run. */
  readonly nodeId: string | undefined;
  /** For tolerate-host-failures: the hosts assumed to fail. */
  readonly assumedFailedNodeIds: readonly string[];
  /** The failover capacity the change leaves, when the policy measures one (not under `disabled`, nor when the VM cannot be placed). */
  readonly capacity?: FailoverCapacity;
}

function capacityOf(available: AdmissionAmounts, needed: AdmissionAmounts): FailoverCapacity {
  return {
    available,
    needed,
    shortfall: {
      vcpus: Math.max(0, needed.vcpus - available.vcpus),
      memoryMib: Math.max(0, needed.memoryMib - available.memoryMib),
    },
  };
}

/** survivorCapacity is the free capacity of the in-scope hosts outside `failed`, and what the protected VMs of `failed` need. */
function survivorCapacity(
  snapshot: ClusterSnapshot,
  clusterId: string | undefined,
  failed: readonly string[],
): FailoverCapacity {
  const down = new Set(failed);
  let freeC = 0;
  let freeM = 0;
  let needC = 0;
  let needM = 0;
  for (const h of hostsOf(snapshot, clusterId)) {
    if (!down.has(h.id)) {
      freeC += Math.max(0, h.capacity.vcpus - h.allocated.vcpus);
      freeM += Math.max(0, h.capacity.memoryMib - h.allocated.memoryMib);
      continue;
    }
    for (const vm of snapshot.vmsOn(h.id))
      if (isProtected(vm.vm)) {
        needC += vm.demand.vcpus;
        needM += vm.demand.memoryMib;
      }
  }
  return capacityOf({ vcpus: freeC, memoryMib: freeM }, { vcpus: needC, memoryMib: needM });
}

function hostsOf(snapshot: ClusterSnapshot, clusterId: string | undefined): NodeState[] {
  return snapshot.nodes().filter((n) => inClusterScope(n, clusterId) && n.schedulable);
}

function protectedDemand(snapshot: ClusterSnapshot, nodeId: string): number {
  let m = 0;
  for (const vm of snapshot.vmsOn(nodeId)) if (isProtected(vm.vm)) m += vm.demand.memoryMib;
  return m;
}

/**
 * largestHosts picks the N hosts whose loss the tolerate-host-failures policy must survive: the
 * largest by capacity (memory, then CPU), and among equals those carrying the most protected memory.
 */
export function largestHosts(snapshot: ClusterSnapshot, clusterId: string | undefined, n: number): string[] {
  return hostsOf(snapshot, clusterId)
    .map((h) => ({ h, held: protectedDemand(snapshot, h.id) }))
    .sort(
      (a, b) =>
        b.h.capacity.memoryMib - a.h.capacity.memoryMib ||
        b.h.capacity.vcpus - a.h.capacity.vcpus ||
        b.held - a.held ||
        (a.h.id < b.h.id ? -1 : 1),
    )
    .slice(0, n)
    .map((x) => x.h.id);
}

function reserveCheck(
  snapshot: ClusterSnapshot,
  clusterId: string | undefined,
  cpuPct: number,
  memPct: number,
): { reasons: string[]; capacity: FailoverCapacity } {
  let capC = 0;
  let capM = 0;
  let useC = 0;
  let useM = 0;
  for (const h of hostsOf(snapshot, clusterId)) {
    capC += h.capacity.vcpus;
    capM += h.capacity.memoryMib;
    useC += h.allocated.vcpus;
    useM += h.allocated.memoryMib;
  }
  const out: string[] = [];
  const freeC = capC > 0 ? (1 - useC / capC) * 100 : 0;
  const freeM = capM > 0 ? (1 - useM / capM) * 100 : 0;
  if (freeC < cpuPct)
    out.push(`${freeC.toFixed(1)}% of cluster cpu would stay free; the policy reserves ${cpuPct}%`);
  if (freeM < memPct)
    out.push(`${freeM.toFixed(1)}% of cluster memory would stay free; the policy reserves ${memPct}%`);
  const capacity = capacityOf(
    { vcpus: Math.max(0, capC - useC), memoryMib: Math.max(0, capM - useM) },
    { vcpus: Math.ceil((capC * cpuPct) / 100), memoryMib: Math.ceil((capM * memPct) / 100) },
  );
  return { reasons: out, capacity };
}

/**
 * checkAdmission says whether creating or powering on a VM keeps the cluster's HA guarantee.
 * Under `tolerate-host-failures` every protected VM (HA enabled, meant to run) must still find a
 * host, by the same failover planning HA uses, if the N largest hosts fail; under
 * `reserve-percentage` the given share of cluster CPU and memory must stay unallocated. The
 * snapshot is left as it was given.
 */
export function checkAdmission(
  scheduler: Scheduler,
  snapshot: ClusterSnapshot,
  request: AdmissionRequest,
  options: AdmissionOptions = {},
): AdmissionDecision {
  const s = options.settings ?? {};
  const policy = s.policy ?? "tolerate-host-failures";
  const running: VirtualMachine = {
    ...request.vm,
    spec: { ...request.vm.spec, desiredPowerState: "RUNNING" },
  };
  const refuse = (
    reasons: string[],
    nodeId?: string,
    assumed: string[] = [],
    capacity?: FailoverCapacity,
  ): AdmissionDecision => ({
    admitted: reasons.length === 0,
    policy,
    reasons,
    nodeId,
    assumedFailedNodeIds: assumed,
    ...(capacity ? { capacity } : {}),
  });
  let reservation: Reservation | undefined;
  const at = request.vm.status.nodeId;
  try {
    if (at !== undefined && snapshot.node(at) !== undefined) reservation = snapshot.reserve(running, at);
    else {
      const outside = snapshot
        .nodes()
        .filter((n) => !inClusterScope(n, options.clusterId))
        .map((n) => n.id);
      try {
        reservation = scheduler.place(snapshot, running, {
          excludeNodeIds: outside,
          reserve: true,
        }).reservation;
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        return refuse([`vm "${request.vm.name}" cannot be placed: ${err.message}`]);
      }
    }
    const nodeId = reservation?.nodeId;
    if (policy === "disabled") return refuse([], nodeId);
    if (policy === "reserve-percentage") {
      const { reasons, capacity } = reserveCheck(
        snapshot,
        options.clusterId,
        s.cpuReservePercent ?? 25,
        s.memoryReservePercent ?? 25,
      );
      return refuse(reasons, nodeId, [], capacity);
    }
    const n = s.hostFailuresToTolerate ?? 1;
    const hosts = hostsOf(snapshot, options.clusterId).length;
    if (n >= hosts && n > 0) {
      const all = hostsOf(snapshot, options.clusterId).map((h) => h.id);
      return refuse(
        [`the cluster has ${hosts} host(s) and cannot tolerate ${n} host failure(s)`],
        nodeId,
        all,
        survivorCapacity(snapshot, options.clusterId, all),
      );
    }
    const assumed = largestHosts(snapshot, options.clusterId, n);
    const capacity = survivorCapacity(snapshot, options.clusterId, assumed);
    const plan = planFailover(scheduler, snapshot, assumed, { clusterId: options.clusterId });
    const reasons = plan.unplaced.map(
      (u) => `if ${n} largest host(s) failed, vm "${u.vmName}" could not restart: ${u.reason}`,
    );
    return refuse(reasons, nodeId, assumed, capacity);
  } finally {
    if (reservation !== undefined) snapshot.revert(reservation);
  }
}
