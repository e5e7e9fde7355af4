import { DomainError } from "@limiquantix/domain";
import type { PlacementFailureDetails } from "../framework/explain";
import type { Scheduler } from "../scheduler";
import type { ClusterSnapshot, Reservation } from "../snapshot/cluster-snapshot";
import { inClusterScope } from "../snapshot/cluster-scope";
import type { VmState } from "../snapshot/snapshot-types";

/** DrainOptions tune a maintenance plan. */
export interface DrainOptions {
  /** Keep targets inside this cluster (and nodes with none); default: the draining node's cluster. */
  readonly clusterId?: string;
  /** Leave the plan's reservations in the snapshot (revert them with `snapshot.revert`) instead of undoing them. */
  readonly keepReservations?: boolean;
}

/** DrainMove is one VM of a drain plan and the node it goes to. */
export interface DrainMove {
  readonly vmId: string;
  readonly vmName: string;
  readonly sourceNodeId: string;
  readonly targetNodeId: string;
  readonly targetNodeName: string;
}

/** DrainBlocker is a VM no other node can take, with the scheduler's explanation. */
export interface DrainBlocker {
  readonly vmId: string;
  readonly vmName: string;
  /** The summary, e.g. `0/12 nodes fit: 7 insufficient memory (need 8192 MiB), …`. */
  readonly reason: string;
  readonly details: PlacementFailureDetails | undefined;
}

/** DrainPlan says where every VM of a node entering maintenance goes, or why it cannot go. */
export interface DrainPlan {
  readonly nodeId: string;
  readonly moves: readonly DrainMove[];
  readonly blocked: readonly DrainBlocker[];
  /** True when every VM has a target, so the node can enter maintenance once the moves are done. */
  readonly complete: boolean;
  /** The reservations made, in order, when `keepReservations` was asked for. */
  readonly reservations: readonly Reservation[];
}

function bySize(a: VmState, b: VmState): number {
  return (
    b.demand.memoryMib - a.demand.memoryMib ||
    b.demand.vcpus - a.demand.vcpus ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * planDrain plans the evacuation of a node entering maintenance: each of its VMs, largest first,
 * is placed by the scheduler on another node of the cluster with capacity reserved as the plan
 * goes, so later VMs see earlier ones and no target is overcommitted. A VM no node can take is
 * listed with the scheduler's explanation instead.
 */
export function planDrain(
  scheduler: Scheduler,
  snapshot: ClusterSnapshot,
  nodeId: string,
  options: DrainOptions = {},
): DrainPlan {
  const clusterId = options.clusterId ?? snapshot.node(nodeId)?.node.clusterId;
  const excluded = [
    nodeId,
    ...snapshot
      .nodes()
      .filter((n) => !inClusterScope(n, clusterId))
      .map((n) => n.id),
  ];
  const moves: DrainMove[] = [];
  const blocked: DrainBlocker[] = [];
  const reservations: Reservation[] = [];
  for (const vm of [...snapshot.vmsOn(nodeId)].sort(bySize)) {
    try {
      const p = scheduler.place(snapshot, vm.vm, { excludeNodeIds: excluded, reserve: true });
      if (p.reservation !== undefined) reservations.push(p.reservation);
      moves.push({
        vmId: vm.id,
        vmName: vm.name,
        sourceNodeId: nodeId,
        targetNodeId: p.nodeId,
        targetNodeName: p.nodeName,
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      blocked.push({
        vmId: vm.id,
        vmName: vm.name,
        reason: err.message,
        details: err.code === "ResourceExhausted" ? (err.details as PlacementFailureDetails) : undefined,
      });
    }
  }
  if (options.keepReservations !== true) {
    for (let i = reservations.length - 1; i >= 0; i--) snapshot.revert(reservations[i]!);
  }
  return {
    nodeId,
    moves,
    blocked,
    complete: blocked.length === 0,
    reservations: options.keepReservations === true ? reservations : [],
  };
}
