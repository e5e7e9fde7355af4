import { type Node, failedPrecondition, isDomainError } from "@limiquantix/domain";
import { type ClusterSnapshot, planDrain, type Scheduler } from "@limiquantix/scheduler";
import type { CallContext } from "../context/call-context";
import type { PlacementService } from "./placement-service";
import type { NodeService } from "./node-service";
import type { ServiceDeps } from "../shared/service-deps";
import type { MigrationOutcome, VmMigrationService } from "./vm-migration-service";
import type { VmPowerService } from "./vm-power-service";

/** DrainPlanEntry says where a VM of a draining node goes, or why it cannot move. */
export interface DrainPlanEntry {
  readonly vmId: string;
  readonly vmName: string;
  readonly targetNodeId?: string;
  readonly reason?: string;
}

/** DrainResult is the plan a drain follows and a promise of when every move has ended. */
export interface DrainResult {
  readonly node: Node;
  readonly plan: readonly DrainPlanEntry[];
  /** stoppedVmIds are the VMs that could not move and were stopped because the drain was forced. */
  readonly stoppedVmIds: readonly string[];
  readonly done: Promise<readonly MigrationOutcome[]>;
}

/** DrainOptions say what to do with VMs that cannot move: refuse the drain (default), or stop them (force). */
export interface DrainOptions {
  readonly force?: boolean;
}

/**
 * DrainService empties a node: it cordons it, asks the DRS engine for a maintenance plan (a
 * target for every VM that passes every placement rule, capacity reserved as the plan goes,
 * or the reason a VM cannot move), and carries the moves out. When every VM has left, the node
 * enters MAINTENANCE.
 */
export class DrainService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly nodes: NodeService,
    private readonly migrations: VmMigrationService,
    private readonly power: VmPowerService,
    private readonly placement: PlacementService,
    private readonly scheduler: Scheduler,
    private readonly snapshot: ClusterSnapshot,
  ) {}

  /**
   * drain cordons a node and starts moving its VMs; it returns the plan at once. VMs that cannot
   * move make the drain fail (the node stays cordoned) unless it is forced, which stops them.
   */
  async drain(ctx: CallContext, nodeId: string, options: DrainOptions = {}): Promise<DrainResult> {
    const node = await this.nodes.cordon(ctx, nodeId, true);
    // The snapshot may not have seen the cordon yet; the plan excludes the draining node anyway.
    const drainPlan = await this.placement.exclusive(async () => planDrain(this.scheduler, this.snapshot, nodeId));
    const plan: DrainPlanEntry[] = drainPlan.blocked.map((b) => ({ vmId: b.vmId, vmName: b.vmName, reason: b.reason }));
    const moves: Promise<MigrationOutcome>[] = [];
    for (const move of drainPlan.moves) {
      try {
        const vm = await this.deps.repos.vms.get(move.vmId);
        const started = await this.migrations.migrate(ctx, move.vmId, {
          targetNodeId: move.targetNodeId,
          live: vm.status.powerState === "RUNNING",
        });
        plan.push({ vmId: move.vmId, vmName: move.vmName, targetNodeId: started.vm.status.migration?.targetNodeId });
        moves.push(started.done);
      } catch (e) {
        plan.push({ vmId: move.vmId, vmName: move.vmName, reason: isDomainError(e) ? e.message : String(e) });
      }
    }
    const stuck = DrainService.unmovable(plan);
    if (stuck.length > 0 && !options.force)
      throw failedPrecondition(
        `node stays cordoned, but ${stuck.length} VM(s) cannot move: ${stuck.map((p) => `${p.vmName} (${p.reason})`).join("; ")}; drain with force to stop them`,
        { resource: { kind: "Node", id: nodeId, name: node.name }, unmovable: stuck.map((p) => p.vmId) },
      );
    for (const p of stuck) await this.power.stop(ctx, p.vmId, "force");
    const done = Promise.all(moves).then(async (outcomes) => {
      const left = await this.deps.repos.vms.listByNode(nodeId);
      if (left.length === 0) await this.nodes.setPhase(ctx, nodeId, "MAINTENANCE", "drained").catch(() => undefined);
      return outcomes;
    });
    return { node, plan, stoppedVmIds: stuck.map((p) => p.vmId), done };
  }

  /** unmovable lists the VMs of a plan that stay behind. */
  static unmovable(plan: readonly DrainPlanEntry[]): DrainPlanEntry[] {
    return plan.filter((p) => p.targetNodeId === undefined);
  }
}

