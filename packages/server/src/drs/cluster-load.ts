import type { DrsSettings } from "@limiquantix/domain";
import { type ClusterSnapshot, LoadModel, type NodeState } from "@limiquantix/scheduler";
import type { DrsRuntimeSettings } from "./drs-settings";

/** MigrationLoad is what migrates in a cluster now: how many moves, how many each node takes part in, and which VMs. */
export interface MigrationLoad {
  readonly total: number;
  /** Moves per node, counting both the node a VM leaves and the node it goes to. */
  readonly byNode: ReadonlyMap<string, number>;
  readonly vmIds: ReadonlySet<string>;
}

/** inCluster says whether a node counts for a cluster: its own, or one with no cluster (as the DRS engine counts them). */
export function inCluster(node: NodeState, clusterId: string): boolean {
  return node.node.clusterId === undefined || node.node.clusterId === clusterId;
}

/** migrationsInFlight counts the migrations under way from the cluster's nodes, whoever started them, as the snapshot holds them. */
export function migrationsInFlight(snapshot: ClusterSnapshot, clusterId: string): MigrationLoad {
  const byNode = new Map<string, number>();
  const vmIds = new Set<string>();
  const bump = (id: string) => byNode.set(id, (byNode.get(id) ?? 0) + 1);
  for (const vm of snapshot.vms()) {
    const migration = vm.vm.status.migration;
    if (!migration || vm.nodeId === undefined) continue;
    const source = snapshot.node(vm.nodeId);
    if (source === undefined || !inCluster(source, clusterId)) continue;
    vmIds.add(vm.id);
    bump(vm.nodeId);
    bump(migration.targetNodeId);
  }
  return { total: vmIds.size, byNode, vmIds };
}

/** capRefusal says why one more migration from source to target would break the caps, or undefined when it fits. */
export function capRefusal(
  snapshot: ClusterSnapshot,
  load: MigrationLoad,
  caps: Pick<DrsRuntimeSettings, "parallelPerCluster" | "parallelPerNode">,
  sourceNodeId: string,
  targetNodeId: string,
): string | undefined {
  if (load.total >= caps.parallelPerCluster)
    return `the cluster has ${load.total} migrations in flight (drs.parallelMigrationsPerCluster is ${caps.parallelPerCluster})`;
  for (const id of [sourceNodeId, targetNodeId]) {
    const n = load.byNode.get(id) ?? 0;
    if (n >= caps.parallelPerNode)
      return `node ${snapshot.node(id)?.name ?? id} takes part in ${n} migrations (drs.parallelMigrationsPerNode is ${caps.parallelPerNode})`;
  }
  return undefined;
}

/** currentImbalance is the cluster's load imbalance as the snapshot stands, by the DRS engine's metric. */
export function currentImbalance(
  snapshot: ClusterSnapshot,
  clusterId: string,
  settings: Pick<DrsSettings, "cpuThresholdPercent" | "memoryThresholdPercent">,
): number {
  const hosts = snapshot
    .nodes()
    .filter(
      (n) =>
        inCluster(n, clusterId) && n.node.status.phase === "READY" && n.node.spec.roles.includes("compute"),
    );
  const model = new LoadModel(
    hosts,
    { cpu: 1, memory: 1 },
    { cpu: settings.cpuThresholdPercent / 100, memory: settings.memoryThresholdPercent / 100 },
  );
  return model.imbalance();
}
