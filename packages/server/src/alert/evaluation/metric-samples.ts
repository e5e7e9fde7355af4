import type {
  AgentVmStatus,
  Cluster,
  Node,
  PowerState,
  StoragePool,
  VirtualMachine,
} from "@limiquantix/domain";
import type { MetricKind } from "./metric-catalog";

/** ResourceSample is what one resource's metrics read now. */
export interface ResourceSample {
  readonly kind: MetricKind;
  readonly id: string;
  readonly name: string;
  readonly clusterId?: string;
  readonly projectId?: string;
  /** values by metric name; a metric absent here is unknown now (a node that is not READY has no fresh usage). */
  readonly values: Readonly<Record<string, number>>;
  /** inactive says why the resource has no such metrics at all now (a VM that is not running): its alerts resolve. */
  readonly inactive?: string;
}

/** VmUsage is what a node's agent reported of one VM's use (each figure absent when the agent does not measure it). */
export type VmUsage = Pick<AgentVmStatus, "cpuPercent" | "memoryUsedMib" | "diskUsedGib" | "diskCapacityGib">;

/** VM_UP_STATES are the power states in which a VM has usage; in the others it has none, and its alerts resolve. */
const VM_UP_STATES: ReadonlySet<PowerState> = new Set([
  "RUNNING",
  "PAUSED",
  "MIGRATING",
  "STARTING",
  "STOPPING",
]);

/** FAILED_PHASES are the node phases HA gives a host it has found dead (none is set without HA). */
const FAILED_PHASES: ReadonlySet<string> = new Set(["FAILED", "FENCING", "FENCED"]);

const round = (n: number) => Math.round(n * 100) / 100;

/** liveUsage is a node's latest usage when it still counts: the node is READY and has reported some. */
function liveUsage(n: Node): Node["status"]["usage"] {
  return n.status.phase === "READY" ? n.status.usage : undefined;
}

/** nodeSample reads a node's metrics: its phase flags always, its usage while it is READY. */
export function nodeSample(n: Node): ResourceSample {
  const usage = liveUsage(n);
  const phase: string = n.status.phase;
  return {
    kind: "Node",
    id: n.id,
    name: n.name,
    ...(n.clusterId ? { clusterId: n.clusterId } : {}),
    values: {
      "node.not_ready": phase === "NOT_READY" ? 1 : 0,
      "node.failed": FAILED_PHASES.has(phase) ? 1 : 0,
      ...(usage
        ? {
            "node.cpu.percent": round(usage.cpuPercent),
            "node.memory.percent": round(Math.min(100, (usage.memoryUsedMib / n.spec.memoryMib) * 100)),
          }
        : {}),
    },
  };
}

/** poolSample reads a storage pool's space figures. */
export function poolSample(p: StoragePool): ResourceSample {
  const capacity = p.spec.capacityGib;
  const used = capacity > 0 ? Math.min(100, (p.status.usedGib / capacity) * 100) : 0;
  const allowed = capacity * p.spec.overprovisionRatio;
  const allocated = allowed > 0 ? Math.min(100, (p.status.allocatedGib / allowed) * 100) : 0;
  return {
    kind: "StoragePool",
    id: p.id,
    name: p.name,
    ...(p.clusterId ? { clusterId: p.clusterId } : {}),
    ...(p.projectId ? { projectId: p.projectId } : {}),
    values: {
      "pool.used.percent": round(used),
      "pool.free.percent": round(100 - used),
      "pool.allocated.percent": round(allocated),
    },
  };
}

/** clusterSample adds up a cluster's READY nodes that reported usage; with none, its metrics are unknown. */
export function clusterSample(c: Cluster, nodes: readonly Node[]): ResourceSample {
  let cpu = 0;
  let used = 0;
  let total = 0;
  let counted = 0;
  for (const n of nodes) {
    const usage = n.clusterId === c.id ? liveUsage(n) : undefined;
    if (!usage) continue;
    cpu += usage.cpuPercent;
    used += usage.memoryUsedMib;
    total += n.spec.memoryMib;
    counted++;
  }
  return {
    kind: "Cluster",
    id: c.id,
    name: c.name,
    clusterId: c.id,
    values:
      counted > 0
        ? {
            "cluster.cpu.percent": round(cpu / counted),
            "cluster.memory.percent": round(Math.min(100, (used / total) * 100)),
          }
        : {},
  };
}

/**
 * vmSample reads a VM's metrics from what its node's agent reported: known only while the VM runs
 * on a READY node whose agent answered; a VM that is not running (stopped, suspended, failed) is
 * inactive. It belongs to the VM's project and to the cluster of its node.
 */
export function vmSample(
  vm: VirtualMachine,
  node: Node | undefined,
  usage: VmUsage | undefined,
): ResourceSample {
  const base = {
    kind: "VirtualMachine" as const,
    id: vm.id,
    name: vm.name,
    projectId: vm.projectId,
    ...(node?.clusterId ? { clusterId: node.clusterId } : {}),
  };
  if (!VM_UP_STATES.has(vm.status.powerState))
    return { ...base, values: {}, inactive: `is ${vm.status.powerState.toLowerCase()}` };
  if (!usage || node?.status.phase !== "READY") return { ...base, values: {} };
  const values: Record<string, number> = {};
  if (usage.cpuPercent !== undefined)
    values["vm.cpu.percent"] = round(Math.min(100, Math.max(0, usage.cpuPercent)));
  if (usage.memoryUsedMib !== undefined && vm.spec.memory.sizeMib > 0)
    values["vm.memory.percent"] = round(Math.min(100, (usage.memoryUsedMib / vm.spec.memory.sizeMib) * 100));
  if (usage.diskUsedGib !== undefined && usage.diskCapacityGib)
    values["vm.disk.percent"] = round(Math.min(100, (usage.diskUsedGib / usage.diskCapacityGib) * 100));
  return { ...base, values };
}

/** VmReadings are the VMs to sample and what their agents reported, by VM id. */
export interface VmReadings {
  readonly vms: readonly VirtualMachine[];
  readonly usage: ReadonlyMap<string, VmUsage>;
}

/**
 * samplesOf reads the metrics of every node, pool and cluster, and of every VM when given.
 * Decommissioned nodes are left out: they are gone as far as alerts go, so what they raised resolves.
 */
export function samplesOf(
  nodes: readonly Node[],
  pools: readonly StoragePool[],
  clusters: readonly Cluster[],
  vms?: VmReadings,
): ResourceSample[] {
  const live = nodes.filter((n) => n.status.phase !== "DECOMMISSIONED");
  const byId = new Map(live.map((n) => [n.id, n]));
  return [
    ...live.map(nodeSample),
    ...pools.map(poolSample),
    ...clusters.map((c) => clusterSample(c, live)),
    ...(vms?.vms ?? []).map((vm) =>
      vmSample(vm, vm.status.nodeId ? byId.get(vm.status.nodeId) : undefined, vms?.usage.get(vm.id)),
    ),
  ];
}
