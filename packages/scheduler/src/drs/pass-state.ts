import type { RecommendationPriority } from "@limiquantix/domain";
import type { Scheduler } from "../scheduler";
import type { ClusterSnapshot, Reservation } from "../snapshot/cluster-snapshot";
import type { VmState } from "../snapshot/snapshot-types";
import type { BlockedMove, DrsProposal } from "./drs-types";
import type { LoadModel } from "./load-model";

const REASON_LIMIT = 1024;

/**
 * PassState is what one DRS pass works on: the snapshot (moves are reserved on it as they are
 * chosen, and reverted at the end), the load model kept in step, and what has been proposed.
 */
export class PassState {
  readonly proposals: DrsProposal[] = [];
  readonly blocked: BlockedMove[] = [];
  /** VMs that may not move for balance: moved in this pass, or recently by history. */
  readonly frozen: Set<string>;
  private readonly reservations: Reservation[] = [];
  moves = 0;

  constructor(
    readonly scheduler: Scheduler,
    readonly snapshot: ClusterSnapshot,
    readonly model: LoadModel,
    readonly clusterId: string,
    /** Nodes being emptied: never a target. */
    readonly evacuating: ReadonlySet<string>,
    frozen: Iterable<string>,
  ) {
    this.frozen = new Set(frozen);
  }

  /** commit proposes moving a VM from its node to host t of the model, and reserves the move so later choices see it. */
  commit(vm: VmState, t: number, priority: RecommendationPriority, reason: string): void {
    const source = vm.nodeId;
    if (source === undefined) return;
    const s = this.model.index.get(source) ?? -1;
    const before = this.model.imbalance();
    this.model.move(vm, s, t);
    const targetId = this.model.ids[t]!;
    this.reservations.push(this.snapshot.reserve(vm.vm, targetId));
    this.frozen.add(vm.id);
    this.moves++;
    this.proposals.push({
      clusterId: this.clusterId,
      priority,
      type: "MIGRATE",
      vmId: vm.id,
      sourceNodeId: source,
      targetNodeId: targetId,
      reason: reason.length > REASON_LIMIT ? `${reason.slice(0, REASON_LIMIT - 1)}…` : reason,
      impact: { imbalanceBefore: before, imbalanceAfter: this.model.imbalance() },
    });
  }

  /** nameOf is a node's display name (its id when unknown). */
  nameOf(nodeId: string): string {
    return this.snapshot.node(nodeId)?.name ?? nodeId;
  }

  /** revertAll undoes every reservation of the pass, leaving the snapshot as the caller gave it. */
  revertAll(): void {
    for (let i = this.reservations.length - 1; i >= 0; i--) this.snapshot.revert(this.reservations[i]!);
    this.reservations.length = 0;
  }
}
