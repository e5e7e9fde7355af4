import { ErrorCode, hasErrorCode, type VirtualMachine } from "@limiquantix/domain";
import { systemContext } from "../context/call-context";
import { runInCallScope } from "../context/call-scope";
import type { ServiceDeps } from "../shared/service-deps";
import type { AgentDirectory } from "./agent-directory";

const SWEEPER_CONTEXT = systemContext("stray-vm-sweeper");

/** StrayVm is a VM a node's agent holds that the control plane does not place on that node, and why. */
export interface StrayVm {
  readonly vmId: string;
  /** Where the control plane places the VM now (`undefined`: the VM was deleted). */
  readonly placedOn: string | undefined;
}

/**
 * isStrayOn says whether a node's agent must not keep a VM it reports: the VM is deleted, or placed
 * on another node and not migrating to this one (a migration's target holds the VM before the
 * control plane moves it there).
 */
export function isStrayOn(nodeId: string, vm: VirtualMachine | undefined): boolean {
  if (vm === undefined) return true;
  return vm.status.nodeId !== nodeId && vm.status.migration?.targetNodeId !== nodeId;
}

/**
 * StrayVmSweeper removes from a node's agent the VMs the control plane does not place there, so a
 * VM never runs in two places: the VMs HA restarted elsewhere while the node was fenced, and those
 * deleted while its agent could not be reached, come back with the host, and are stopped (by force)
 * and undefined as soon as its agent reports them. The store decides, read when the sweep runs; a
 * sweep runs detached from the report that prompted it, once per VM at a time.
 */
export class StrayVmSweeper {
  private readonly sweeping = new Set<string>();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly agents: AgentDirectory,
  ) {}

  /** sweepReported sweeps, in the background, the VMs an agent reported that are not placed on its node by the caller's read. */
  sweepReported(nodeId: string, candidates: readonly string[]): void {
    const fresh = candidates.filter((id) => !this.sweeping.has(`${nodeId}/${id}`));
    if (fresh.length === 0) return;
    for (const id of fresh) this.sweeping.add(`${nodeId}/${id}`);
    void runInCallScope(SWEEPER_CONTEXT, () => this.sweep(nodeId, fresh))
      .catch((e: unknown) =>
        this.deps.logger.warn(
          { err: e, nodeId },
          "removing stray VMs from a node's agent failed; its next report retries",
        ),
      )
      .finally(() => {
        for (const id of fresh) this.sweeping.delete(`${nodeId}/${id}`);
      });
  }

  /** sweepNode asks a node's agent which VMs it holds and sweeps the strays, in the background (after its agent registered again). */
  sweepNode(nodeId: string): void {
    void runInCallScope(SWEEPER_CONTEXT, async () => {
      const agent = await this.agents.forNode(nodeId);
      const held = (await agent.listVms()).map((v) => v.vmId);
      const placed = new Set((await this.deps.repos.vms.listByNode(nodeId)).map((v) => v.id));
      this.sweepReported(
        nodeId,
        held.filter((id) => !placed.has(id)),
      );
    }).catch((e: unknown) =>
      this.deps.logger.debug(
        { err: e, nodeId },
        "could not list a registered node's VMs; its heartbeats report them",
      ),
    );
  }

  /** sweep stops and undefines, on the node's agent, each candidate the store says is not the node's; it returns what it removed. */
  async sweep(nodeId: string, candidates: readonly string[]): Promise<StrayVm[]> {
    const removed: StrayVm[] = [];
    for (const vmId of candidates) {
      const vm = await this.deps.repos.vms.find(vmId);
      if (!isStrayOn(nodeId, vm)) continue;
      const agent = await this.agents.forNode(nodeId);
      this.deps.logger.warn(
        { nodeId, vmId, vm: vm?.name, placedOn: vm?.status.nodeId },
        vm
          ? "a node's agent holds a VM placed on another node: stopping and undefining its copy"
          : "a node's agent holds a deleted VM: stopping and undefining it",
      );
      await agent.stopVm(vmId, { mode: "force", timeoutSec: 0 }).catch(ignoreNotFound);
      await agent.deleteVm(vmId).catch(ignoreNotFound);
      removed.push({ vmId, placedOn: vm?.status.nodeId });
    }
    return removed;
  }
}

function ignoreNotFound(e: unknown): undefined {
  if (!hasErrorCode(e, ErrorCode.NotFound)) throw e;
  return undefined;
}
