import { type Node, failedPrecondition, isDomainError } from "@limiquantix/domain";
import { type ClusterSnapshot, planDrain, type Scheduler } from "@limiquantix/scheduler";
import type { CallContext } from "../context/call-context";
import type { PlacementService } from "./placement-service";
import type { NodeService } from "./node-service";
import type { ServiceDeps } from "../shared/service-deps";
import type { VmMigrationService } from "./vm-migration-service";
import type { VmPowerService } from "./vm-power-service";

/** DrainPlanEntry says where a VM of a draining node goes, or why it cannot move. */
export interface DrainPlanEntry {
  readonly vmId: string;
  readonly vmName: string;
  readonly targetNodeId?: string;
  readonly reason?: string;
}

/** DrainResult is what a drain did: the node (in MAINTENANCE once empty), where each VM went, and which VMs it stopped. */
export interface DrainResult {
  readonly node: Node;
  readonly plan: readonly DrainPlanEntry[];
  /** stoppedVmIds are the VMs that could not move and were stopped because the drain was forced. */
  readonly stoppedVmIds: readonly string[];
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
   * drain cordons a node, moves its VMs away and answers when every move has ended: with the
   * node in MAINTENANCE, or with an error naming each VM that could not move (the node stays
   * cordoned, the VMs that did move stay moved). VMs no node can take make the drain fail before
   * anything moves, unless it is forced, which stops them.
   */
  async drain(ctx: CallContext, nodeId: string, options: DrainOptions = {}): Promise<DrainResult> {
    const node = await this.nodes.cordon(ctx, nodeId, true);
    // The snapshot may not have seen the cordon yet; the plan excludes the draining node anyway.
    const drainPlan = await this.placement.exclusive(async () =>
      planDrain(this.scheduler, this.snapshot, nodeId),
    );
    const stuck: DrainPlanEntry[] = drainPlan.blocked.map((b) => ({
      vmId: b.vmId,
      vmName: b.vmName,
      reason: b.reason,
    }));
    if (stuck.length > 0 && !options.force)
      throw failedPrecondition(
        `node stays cordoned, but ${stuck.length} VM(s) cannot move: ${stuck.map((p) => `${p.vmName} (${p.reason})`).join("; ")}; drain with force to stop them`,
        { resource: { kind: "Node", id: nodeId, name: node.name }, unmovable: stuck.map((p) => p.vmId) },
      );
    for (const p of stuck) await this.power.stop(ctx, p.vmId, "force");
    const plan: DrainPlanEntry[] = [...stuck];
    const moves: Promise<void>[] = [];
    const failed: { vmName: string; reason: string }[] = [];
    for (const move of drainPlan.moves) {
      try {
        const vm = await this.deps.repos.vms.get(move.vmId);
        const started = await this.migrations.migrate(ctx, move.vmId, {
          targetNodeId: move.targetNodeId,
          live: vm.status.powerState === "RUNNING",
        });
        plan.push({ vmId: move.vmId, vmName: move.vmName, targetNodeId: move.targetNodeId });
        moves.push(
          started.done.then((o) => {
            if (!o.ok) failed.push({ vmName: move.vmName, reason: o.error ?? "unknown" });
          }),
        );
      } catch (e) {
        failed.push({ vmName: move.vmName, reason: isDomainError(e) ? e.message : String(e) });
      }
    }
    await Promise.all(moves);
    if (failed.length > 0)
      throw failedPrecondition(
        `node stays cordoned, but ${failed.length} VM(s) did not move: ${failed.map((f) => `${f.vmName} (${f.reason})`).join("; ")}; drain again once that is fixed`,
        { resource: { kind: "Node", id: nodeId, name: node.name } },
      );
    const left = await this.deps.repos.vms.listByNode(nodeId);
    const drained =
      left.length === 0
        ? await this.nodes.setPhase(ctx, nodeId, "MAINTENANCE", "drained")
        : await this.nodes.get(ctx, nodeId);
    return { node: drained, plan, stoppedVmIds: stuck.map((p) => p.vmId) };
  }

  /** unmovable lists the VMs of a plan that stay behind. */
  static unmovable(plan: readonly DrainPlanEntry[]): DrainPlanEntry[] {
    return plan.filter((p) => p.targetNodeId === undefined);
  }
}
