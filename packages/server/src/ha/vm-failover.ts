import {
  DomainError,
  ErrorCode,
  type Node,
  type Repositories,
  type VirtualMachine,
} from "@limiquantix/domain";
import {
  type ClusterSnapshot,
  type FailoverRestart,
  planFailover,
  type Scheduler,
} from "@limiquantix/scheduler";
import { chargeNode, demandOf, type PlacementService } from "../compute/placement-service";
import { withCondition } from "../shared/conditions";
import { readModifyWrite } from "../shared/read-modify-write";
import type { ServiceDeps } from "../shared/service-deps";

/** HA_RESTART_CONDITION is the VM condition that tells whether HA restarted it elsewhere, or why not yet. */
export const HA_RESTART_CONDITION = "HaRestarted";

/** FailoverReport is what one failover pass did. */
export interface FailoverReport {
  /** VMs moved to a surviving node (the reconciler starts them there), in restart order. */
  readonly restarted: readonly { vmId: string; from: string; to: string; priority: string }[];
  /** HA VMs no node could take; they stay on the failed node, pending, and are tried again next pass. */
  readonly pending: readonly { vmId: string; reason: string }[];
  /** VMs HA does not restart (HA disabled, or not meant to run), marked STOPPED with the reason. */
  readonly stopped: readonly string[];
}

/**
 * VmFailover restarts the protected VMs of FAILED (fenced) nodes elsewhere, by the HA engine's
 * failover plan: high priority first, each placed by the scheduler with every rule respected. Each
 * move is one unit of work that checks the old node is still FAILED, charges the new node (its
 * stored allocation decides, as when a VM is created), releases the old one and changes the VM's
 * node — so a VM is never placed on two nodes, and never moved off a node that is not fenced. The
 * reconciler then defines and starts it on its new node.
 */
export class VmFailover {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly scheduler: Scheduler,
    private readonly snapshot: ClusterSnapshot,
    private readonly placement: Pick<PlacementService, "exclusive" | "refreshNode">,
  ) {}

  /** run plans and carries out the failover of the given FAILED nodes (all of one cluster, or none). */
  async run(failed: readonly Node[], clusterId: string | undefined): Promise<FailoverReport> {
    const restarted: { vmId: string; from: string; to: string; priority: string }[] = [];
    const pending: { vmId: string; reason: string }[] = [];
    const stopped: string[] = [];
    const names = new Map(failed.map((n) => [n.id, n.name]));
    for (const n of failed) await this.placement.refreshNode(n.id);
    await this.placement.exclusive(async () => {
      const plan = planFailover(
        this.scheduler,
        this.snapshot,
        failed.map((n) => n.id),
        clusterId !== undefined ? { clusterId } : {},
      );
      for (const r of plan.restarts) {
        const moved = await this.move(r, names.get(r.failedNodeId) ?? r.failedNodeId);
        if (moved)
          restarted.push({ vmId: r.vmId, from: r.failedNodeId, to: r.targetNodeId, priority: r.priority });
        else
          pending.push({
            vmId: r.vmId,
            reason: `node "${r.targetNodeName}" no longer had room; trying again`,
          });
      }
      for (const u of plan.unplaced) {
        pending.push({ vmId: u.vmId, reason: u.reason });
        await this.markPending(u.vmId, u.failedNodeId, names.get(u.failedNodeId) ?? u.failedNodeId, u.reason);
      }
      for (const s of plan.skipped) {
        const vm = this.snapshot.vm(s.vmId)?.vm;
        const from = vm?.status.nodeId;
        if (await this.markStopped(s.vmId, names.get(from ?? "") ?? from ?? "", s.reason))
          stopped.push(s.vmId);
      }
    });
    return { restarted, pending, stopped };
  }

  /** move commits one restart; false when the target filled up meanwhile (another replica placed there). */
  private async move(r: FailoverRestart, failedName: string): Promise<boolean> {
    const now = this.deps.clock.now().toISOString();
    try {
      const vm = await this.deps.uow.run(async (tx) => {
        const current = await tx.vms.get(r.vmId);
        const old = await tx.nodes.find(r.failedNodeId);
        // Never restart a VM whose node is not fenced (it came back, or an operator changed it).
        if (current.status.nodeId !== r.failedNodeId || old?.status.phase !== "FAILED") return undefined;
        await this.charge(tx, r.targetNodeId, current);
        await tx.nodes.updateStatus(old.id, chargeNode(old, current, -1), old.resourceVersion);
        return tx.vms.update({
          ...current,
          status: {
            ...current.status,
            nodeId: r.targetNodeId,
            powerState: "STOPPED",
            ipAddresses: [],
            lastTransitionAt: now,
            message: `restarting on node "${r.targetNodeName}": node "${failedName}" failed and was fenced`,
            conditions: withCondition(
              current.status.conditions,
              {
                type: HA_RESTART_CONDITION,
                status: "True",
                reason: "RestartedElsewhere",
                message: `restarted by HA (${r.priority} priority) on node "${r.targetNodeName}" after node "${failedName}" failed`,
              },
              now,
            ),
          },
        });
      });
      if (!vm) return false;
      this.snapshot.upsertVm(vm);
      this.deps.logger.warn(
        { vm: r.vmName, from: failedName, to: r.targetNodeName, priority: r.priority },
        "HA restarts a VM of a failed node elsewhere",
      );
      return true;
    } catch (e) {
      if (e instanceof DomainError && e.code === ErrorCode.Conflict) {
        await this.placement.refreshNode(r.targetNodeId);
        return false;
      }
      throw e;
    }
  }

  private async charge(tx: Repositories, nodeId: string, vm: VirtualMachine): Promise<void> {
    const node = await tx.nodes.get(nodeId);
    const capacity = this.snapshot.node(nodeId)?.capacity;
    const d = demandOf(vm);
    const a = node.status.allocated;
    if (!capacity || a.vcpus + d.vcpus > capacity.vcpus || a.memoryMib + d.memoryMib > capacity.memoryMib)
      throw new DomainError(ErrorCode.Conflict, `node "${node.name}" no longer has room for vm "${vm.name}"`);
    await tx.nodes.updateStatus(node.id, chargeNode(node, vm, 1), node.resourceVersion);
  }

  private async markPending(
    vmId: string,
    failedNodeId: string,
    failedName: string,
    reason: string,
  ): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    const message = `waiting for capacity to restart after node "${failedName}" failed: ${reason}`.slice(
      0,
      1024,
    );
    const stored = await this.deps.repos.vms.find(vmId);
    if (!stored || stored.status.nodeId !== failedNodeId || stored.status.message === message) return;
    const vm = await readModifyWrite(this.deps.repos.vms, vmId, (v) =>
      v.status.nodeId !== failedNodeId
        ? v
        : {
            ...v,
            status: {
              ...v.status,
              powerState: v.status.powerState === "STOPPED" ? v.status.powerState : "STOPPED",
              ipAddresses: [],
              message,
              conditions: withCondition(
                v.status.conditions,
                { type: HA_RESTART_CONDITION, status: "False", reason: "NoCapacity", message },
                now,
              ),
            },
          },
    );
    this.snapshot.upsertVm(vm);
  }

  /** markStopped records that a VM HA does not restart is STOPPED (and wanted so), with why; false when it already was. */
  private async markStopped(vmId: string, failedName: string, reason: string): Promise<boolean> {
    const now = this.deps.clock.now().toISOString();
    const message = `stopped: node "${failedName}" failed and was fenced; not restarted (${reason})`;
    const stored = await this.deps.repos.vms.find(vmId);
    if (!stored || (stored.status.powerState === "STOPPED" && stored.spec.desiredPowerState === "STOPPED"))
      return false;
    const vm = await readModifyWrite(this.deps.repos.vms, vmId, (v) => {
      return {
        ...v,
        spec: { ...v.spec, desiredPowerState: "STOPPED" as const },
        status: {
          ...v.status,
          powerState: "STOPPED" as const,
          ipAddresses: [],
          lastTransitionAt: now,
          message,
          conditions: withCondition(
            v.status.conditions,
            { type: HA_RESTART_CONDITION, status: "False", reason: "NotProtected", message },
            now,
          ),
        },
      };
    });
    this.snapshot.upsertVm(vm);
    return true;
  }
}
