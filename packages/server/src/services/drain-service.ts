import { type Node, isDomainError } from "@limiquantix/domain";
import type { NodeService } from "./node-service";
import type { ServiceDeps } from "./service-deps";
import type { MigrationOutcome, VmMigrationService } from "./vm-migration-service";

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
  readonly done: Promise<readonly MigrationOutcome[]>;
}

/**
 * DrainService empties a node: it cordons it, moves each VM to a node that passes every
 * placement rule, and names the VMs that cannot move and why. When every VM has left, the node
 * enters MAINTENANCE.
 */
export class DrainService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly nodes: NodeService,
    private readonly migrations: VmMigrationService,
  ) {}

  /** drain cordons a node and starts moving its VMs; it returns the plan at once. */
  async drain(nodeId: string): Promise<DrainResult> {
    const node = await this.nodes.cordon(nodeId, true);
    const vms = await this.deps.repos.vms.listByNode(nodeId);
    const plan: DrainPlanEntry[] = [];
    const moves: Promise<MigrationOutcome>[] = [];
    for (const vm of vms) {
      try {
        const started = await this.migrations.migrate(vm.id, { live: vm.status.powerState === "RUNNING" });
        plan.push({ vmId: vm.id, vmName: vm.name, targetNodeId: started.vm.status.migration?.targetNodeId });
        moves.push(started.done);
      } catch (e) {
        plan.push({ vmId: vm.id, vmName: vm.name, reason: isDomainError(e) ? e.message : String(e) });
      }
    }
    const done = Promise.all(moves).then(async (outcomes) => {
      const left = await this.deps.repos.vms.listByNode(nodeId);
      if (left.length === 0) await this.nodes.setPhase(nodeId, "MAINTENANCE", "drained").catch(() => undefined);
      return outcomes;
    });
    return { node, plan, done };
  }

  /** unmovable lists the VMs of a plan that stay behind. */
  static unmovable(plan: readonly DrainPlanEntry[]): DrainPlanEntry[] {
    return plan.filter((p) => p.targetNodeId === undefined);
  }
}

