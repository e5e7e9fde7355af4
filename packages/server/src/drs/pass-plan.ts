import type { Cluster, DrsRecommendation } from "@limiquantix/domain";
import {
  type ClusterSnapshot,
  type DrsProposal,
  type DrsResult,
  type MigrationRecord,
  planDrs,
  type Reservation,
  type Scheduler,
} from "@limiquantix/scheduler";
import { inCluster, migrationsInFlight } from "./cluster-load";

const MOVABLE = new Set(["RUNNING", "STOPPED"]);

/** PassInput is what a pass plans from besides the snapshot: the moves to respect and the time. */
export interface PassInput {
  /** Moves applied or rejected within the cooldown (see cooldownHistory). */
  readonly history: readonly MigrationRecord[];
  /** Recommendations already decided on and not finished (approved, applying): their VMs are left to them. */
  readonly decided: readonly DrsRecommendation[];
  readonly nowMs: number;
  readonly cooldownMs: number;
}

/** PassPlan is the engine's result and the proposals the pass may stand behind. */
export interface PassPlan {
  readonly result: DrsResult;
  /** The engine's proposals less those for busy VMs (migrating, decided on, or neither running nor stopped). */
  readonly proposals: readonly DrsProposal[];
}

/**
 * planPass runs the DRS engine over a cluster of the live snapshot: migrations in flight count as
 * done (their VMs reserved on their targets), and busy VMs — migrating, with an approved or
 * applying recommendation, or neither running nor stopped — are frozen like VMs moved within the
 * cooldown, and dropped from mandatory moves too. Host power changes are not planned. The
 * snapshot is left as it was given; nothing awaits in between, so no other work sees it changed.
 */
export function planPass(
  scheduler: Scheduler,
  snapshot: ClusterSnapshot,
  cluster: Cluster,
  input: PassInput,
): PassPlan {
  const busy = new Set(input.decided.flatMap((r) => (r.vmId ? [r.vmId] : [])));
  const inFlight = migrationsInFlight(snapshot, cluster.id);
  for (const id of inFlight.vmIds) busy.add(id);
  for (const vm of snapshot.vms()) {
    const node = vm.nodeId === undefined ? undefined : snapshot.node(vm.nodeId);
    if (node && inCluster(node, cluster.id) && !MOVABLE.has(vm.vm.status.powerState)) busy.add(vm.id);
  }
  const frozen = [...busy].map((vmId) => ({ vmId, sourceNodeId: "", targetNodeId: "", at: input.nowMs }));
  const reservations: Reservation[] = [];
  try {
    for (const id of inFlight.vmIds) {
      const vm = snapshot.vm(id)?.vm;
      const target = vm?.status.migration?.targetNodeId;
      if (vm && target && snapshot.node(target)) reservations.push(snapshot.reserve(vm, target));
    }
    const result = planDrs(scheduler, snapshot, {
      clusterId: cluster.id,
      settings: cluster.spec.drs,
      history: [...input.history, ...frozen],
      now: input.nowMs,
      // Busy VMs are frozen "now": a window of at least 1 ms keeps them frozen with a zero cooldown.
      historyWindowMs: Math.max(1, input.cooldownMs),
      power: { enabled: false },
    });
    const proposals = result.recommendations.filter((p) => p.vmId === undefined || !busy.has(p.vmId));
    return { result, proposals };
  } finally {
    for (let i = reservations.length - 1; i >= 0; i--) snapshot.revert(reservations[i]!);
  }
}

/** cooldownHistory is every DRS move applied, and every move rejected, within the cooldown: those VMs stay put. */
export function cooldownHistory(
  finished: readonly DrsRecommendation[],
  nowMs: number,
  cooldownMs: number,
): MigrationRecord[] {
  const out: MigrationRecord[] = [];
  for (const r of finished) {
    const at = r.state === "APPLIED" ? r.appliedAt : r.state === "REJECTED" ? r.decidedAt : undefined;
    if (at === undefined || !r.vmId || nowMs - Date.parse(at) >= cooldownMs) continue;
    out.push({ vmId: r.vmId, sourceNodeId: r.sourceNodeId ?? "", targetNodeId: r.targetNodeId ?? "", at });
  }
  return out;
}
