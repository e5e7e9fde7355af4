import { DomainError, type RestartPriority, type VirtualMachine } from "@limiquantix/domain";
import type { PlacementFailureDetails } from "../framework/explain";
import type { Scheduler } from "../scheduler";
import type { ClusterSnapshot, Reservation } from "../snapshot/cluster-snapshot";
import { inClusterScope } from "../snapshot/cluster-scope";
import type { VmState } from "../snapshot/snapshot-types";

/** FailoverOptions tune a failover plan. */
export interface FailoverOptions {
  /** Restart only on nodes of this cluster (and nodes with none); default every node. */
  readonly clusterId?: string;
  /** Leave the restarts reserved in the snapshot instead of undoing them (the failed VMs then stay unplaced). */
  readonly keepReservations?: boolean;
}

/** FailoverRestart is one VM to restart and where. */
export interface FailoverRestart {
  readonly vmId: string;
  readonly vmName: string;
  readonly priority: RestartPriority;
  readonly failedNodeId: string;
  readonly targetNodeId: string;
  readonly targetNodeName: string;
}

/** FailoverBlocker is an HA VM no surviving node can take, with the scheduler's explanation. */
export interface FailoverBlocker {
  readonly vmId: string;
  readonly vmName: string;
  readonly priority: RestartPriority;
  readonly failedNodeId: string;
  readonly reason: string;
  readonly details: PlacementFailureDetails | undefined;
}

/** FailoverSkip is a VM of a failed node that HA does not restart, and why. */
export interface FailoverSkip {
  readonly vmId: string;
  readonly vmName: string;
  readonly reason: string;
}

/** FailoverPlan is what to do after nodes fail: fence them, then restart their HA VMs in order. */
export interface FailoverPlan {
  /** Every failed node must be fenced (powered off or cut from storage) before any restart begins. */
  readonly fence: readonly { readonly nodeId: string; readonly reason: string }[];
  /** Restarts in the order to start them: high, then medium, then low priority. */
  readonly restarts: readonly FailoverRestart[];
  readonly unplaced: readonly FailoverBlocker[];
  readonly skipped: readonly FailoverSkip[];
  /** The reservations made, in order, when `keepReservations` was asked for. */
  readonly reservations: readonly Reservation[];
}

/** RESTART_ORDER ranks restart priorities, most urgent first. */
export const RESTART_ORDER: Readonly<Record<RestartPriority, number>> = { high: 0, medium: 1, low: 2 };

function restartOrder(a: VmState, b: VmState): number {
  return (
    RESTART_ORDER[a.vm.spec.ha.restartPriority] - RESTART_ORDER[b.vm.spec.ha.restartPriority] ||
    b.demand.memoryMib - a.demand.memoryMib ||
    b.demand.vcpus - a.demand.vcpus ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** isProtected says whether HA restarts a VM when its node fails: HA enabled and meant to be running. */
export function isProtected(vm: VirtualMachine): boolean {
  return vm.spec.ha.enabled && vm.spec.desiredPowerState === "RUNNING";
}

/**
 * planFailover plans the restart of the protected VMs of failed nodes on the surviving nodes,
 * high priority first (then larger first), each placed by the scheduler with every placement
 * rule and capacity respected and reserved as the plan goes. The failed VMs are taken off their
 * dead nodes first, so they hold neither capacity nor affinity there. A VM no node takes is
 * listed with the scheduler's explanation. The snapshot is left as it was given unless
 * `keepReservations` is set.
 */
export function planFailover(
  scheduler: Scheduler,
  snapshot: ClusterSnapshot,
  failedNodeIds: readonly string[],
  options: FailoverOptions = {},
): FailoverPlan {
  const failed = [...new Set(failedNodeIds)].sort();
  const failedSet = new Set(failed);
  const excluded = [
    ...failed,
    ...snapshot
      .nodes()
      .filter((n) => !failedSet.has(n.id) && !inClusterScope(n, options.clusterId))
      .map((n) => n.id),
  ];
  const originals: VirtualMachine[] = [];
  const toRestart: VmState[] = [];
  const skipped: FailoverSkip[] = [];
  const failedNodeOf = new Map<string, string>();
  for (const nodeId of failed)
    for (const vm of [...snapshot.vmsOn(nodeId)]) {
      if (!isProtected(vm.vm)) {
        skipped.push({
          vmId: vm.id,
          vmName: vm.name,
          reason: vm.vm.spec.ha.enabled ? "not meant to be running" : "HA disabled for the VM",
        });
        continue;
      }
      originals.push(vm.vm);
      failedNodeOf.set(vm.id, nodeId);
      snapshot.upsertVm({ ...vm.vm, status: { ...vm.vm.status, nodeId: undefined } });
      toRestart.push(snapshot.vm(vm.id)!);
    }
  toRestart.sort(restartOrder);
  const restarts: FailoverRestart[] = [];
  const unplaced: FailoverBlocker[] = [];
  const reservations: Reservation[] = [];
  for (const vm of toRestart) {
    const priority = vm.vm.spec.ha.restartPriority;
    const failedNodeId = failedNodeOf.get(vm.id)!;
    try {
      const p = scheduler.place(snapshot, vm.vm, { excludeNodeIds: excluded, reserve: true });
      if (p.reservation !== undefined) reservations.push(p.reservation);
      restarts.push({
        vmId: vm.id,
        vmName: vm.name,
        priority,
        failedNodeId,
        targetNodeId: p.nodeId,
        targetNodeName: p.nodeName,
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      unplaced.push({
        vmId: vm.id,
        vmName: vm.name,
        priority,
        failedNodeId,
        reason: err.message,
        details: err.code === "ResourceExhausted" ? (err.details as PlacementFailureDetails) : undefined,
      });
    }
  }
  const keep = options.keepReservations === true;
  if (!keep) {
    for (let i = reservations.length - 1; i >= 0; i--) snapshot.revert(reservations[i]!);
    for (const vm of originals) snapshot.upsertVm(vm);
  }
  return {
    fence: failed.map((nodeId) => ({
      nodeId,
      reason: `fence node "${snapshot.node(nodeId)?.name ?? nodeId}" before restarting its VMs, so no VM runs twice`,
    })),
    restarts,
    unplaced,
    skipped,
    reservations: keep ? reservations : [],
  };
}
