import {
  ErrorCode,
  hasErrorCode,
  type LabelSelector,
  type Page,
  type PageRequest,
  type VirtualMachine,
  type VmSnapshot,
  failedPrecondition,
} from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import type { ServiceDeps } from "../shared/service-deps";
import type { AgentDirectory } from "./agent-directory";
import type { PowerIntentSink } from "./vm-power-service";
import type { VmService } from "./vm-service";

/** SnapshotOptions describe a VM snapshot to take. */
export interface SnapshotOptions {
  readonly description?: string;
  readonly includeMemory?: boolean;
}

/** VmSnapshotService takes, lists, reverts to and deletes the snapshots of a VM, through the VM's agent. */
export class VmSnapshotService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly vms: VmService,
    private readonly agents: AgentDirectory,
    private readonly reconciler: PowerIntentSink,
  ) {}

  /**
   * create asks the VM's agent for a snapshot and records it READY. When the agent fails, nothing
   * is kept (the name stays free for a retry) and the agent's reason is the error.
   */
  async create(
    _ctx: CallContext,
    vmId: string,
    name: string,
    options: SnapshotOptions = {},
  ): Promise<VmSnapshot> {
    const vm = await this.deps.repos.vms.get(vmId);
    if (options.includeMemory && vm.status.powerState !== "RUNNING")
      throw failedPrecondition(
        `vm "${vm.name}" is ${vm.status.powerState}: a memory snapshot needs a RUNNING VM`,
      );
    const snap = await this.deps.repos.vmSnapshots.create({
      id: this.deps.ids.next(),
      name,
      projectId: vm.projectId,
      vmId,
      description: options.description ?? "",
      includeMemory: options.includeMemory ?? false,
      status: { phase: "CREATING" },
    });
    try {
      if (vm.status.nodeId) {
        const agent = await this.agents.forNode(vm.status.nodeId);
        await agent.createSnapshot(vmId, { id: snap.id, name, includeMemory: snap.includeMemory });
      }
    } catch (e) {
      await this.deps.repos.vmSnapshots.delete(snap.id);
      throw failedPrecondition(`snapshot of vm "${vm.name}" failed: ${(e as Error).message}`);
    }
    const done = await this.deps.repos.vmSnapshots.update({
      ...snap,
      status: { ...snap.status, phase: "READY" },
    });
    return done;
  }

  /** list returns one page of a VM's snapshots, oldest first; a VM that does not exist is NotFound, not an empty page. */
  async list(
    _ctx: CallContext,
    vmId: string,
    options: { labelSelector?: string | LabelSelector } = {},
    page?: PageRequest,
  ): Promise<Page<VmSnapshot>> {
    await this.deps.repos.vms.get(vmId);
    return this.deps.repos.vmSnapshots.list(
      { vmId, ...(options.labelSelector !== undefined ? { labelSelector: options.labelSelector } : {}) },
      page,
    );
  }

  /**
   * revert rolls a VM back to a READY snapshot of its own. The VM then comes up in the power state
   * the snapshot holds; when the user wants it RUNNING, the reconciler is woken at once.
   */
  async revert(ctx: CallContext, vmId: string, snapshotId: string): Promise<VirtualMachine> {
    const vm = await this.deps.repos.vms.get(vmId);
    const snap = await this.deps.repos.vmSnapshots.get(snapshotId);
    if (snap.vmId !== vmId) throw failedPrecondition(`snapshot "${snap.name}" belongs to another VM`);
    if (snap.status.phase !== "READY")
      throw failedPrecondition(`snapshot "${snap.name}" is ${snap.status.phase}, not READY`);
    if (!vm.status.nodeId) throw failedPrecondition(`vm "${vm.name}" is not placed on a node`);
    const agent = await this.agents.forNode(vm.status.nodeId);
    const status = await agent.revertSnapshot(vmId, snapshotId);
    const reverted = await this.vms.patchStatus(ctx, vmId, (v) => ({
      ...v.status,
      powerState: status.powerState,
    }));
    if (reverted.spec.desiredPowerState !== reverted.status.powerState) this.reconciler.enqueue(vmId);
    return reverted;
  }

  /** delete removes a snapshot from its agent and from the store. */
  async delete(_ctx: CallContext, vmId: string, snapshotId: string): Promise<void> {
    const snap = await this.deps.repos.vmSnapshots.get(snapshotId);
    if (snap.vmId !== vmId) throw failedPrecondition(`snapshot "${snap.name}" belongs to another VM`);
    const vm = await this.deps.repos.vms.get(vmId);
    if (vm.status.nodeId && snap.status.phase === "READY") {
      const agent = await this.agents.forNode(vm.status.nodeId);
      await agent.deleteSnapshot(vmId, snapshotId).catch((e: unknown) => {
        if (!hasErrorCode(e, ErrorCode.NotFound)) throw e;
      });
    }
    await this.deps.repos.vmSnapshots.delete(snapshotId);
  }
}
