import type { Cluster, Node, StoragePool } from "@limiquantix/domain";
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
}

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
 * samplesOf reads the metrics of every node, pool and cluster. Decommissioned nodes are left out:
 * they are gone as far as alerts go, so what they raised resolves.
 */
export function samplesOf(
  nodes: readonly Node[],
  pools: readonly StoragePool[],
  clusters: readonly Cluster[],
): ResourceSample[] {
  const live = nodes.filter((n) => n.status.phase !== "DECOMMISSIONED");
  return [...live.map(nodeSample), ...pools.map(poolSample), ...clusters.map((c) => clusterSample(c, live))];
}
