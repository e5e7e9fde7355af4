import {
  ErrorCode,
  type VirtualMachine,
  failedPrecondition,
  hasErrorCode,
  invalidArgument,
} from "@limiquantix/domain";
import type { Scheduler, ClusterSnapshot } from "@limiquantix/scheduler";
import { type CallContext, systemContext } from "../context/call-context";
import { runInCallScope } from "../context/call-scope";
import type { AgentDirectory } from "./agent-directory";
import { chargeNode } from "./placement-service";
import type { PlacementService } from "./placement-service";
import type { ServiceDeps } from "../shared/service-deps";

const MIGRATION_CONTEXT = systemContext("migration");

/** MigrationOutcome is how a background migration ended. */
export interface MigrationOutcome {
  readonly vmId: string;
  readonly ok: boolean;
  readonly error?: string;
}

/**
 * VmMigrationService moves VMs between nodes: it checks the target against every placement rule
 * (or lets the scheduler choose one), reserves the target's capacity, runs the agent migration
 * in the background, and then moves the VM's placement — or releases the reservation on failure.
 */
export class VmMigrationService {
  private readonly running = new Map<string, Promise<MigrationOutcome>>();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly placement: PlacementService,
    private readonly scheduler: Scheduler,
    private readonly snapshot: ClusterSnapshot,
    private readonly agents: AgentDirectory,
  ) {}

  /**
   * migrateAndWait moves a VM and answers with the outcome: the VM on its new node, or an error
   * saying why the move failed (the VM then stays on its node, the target's reservation released).
   * A move outlives a call that gives up waiting: it is not cancelled with the call.
   */
  async migrateAndWait(
    ctx: CallContext,
    vmId: string,
    options: { targetNodeId?: string; live?: boolean } = {},
  ): Promise<VirtualMachine> {
    const { vm, done } = await this.migrate(ctx, vmId, options);
    const outcome = await done;
    if (!outcome.ok)
      throw failedPrecondition(
        `migration of vm "${vm.name}" failed and it stays on its node: ${outcome.error}`,
        {
          resource: { kind: "VirtualMachine", id: vm.id, name: vm.name },
        },
      );
    return this.deps.repos.vms.get(vmId);
  }

  /** migrate starts moving a VM and returns it in its MIGRATING state; `done` resolves when the move ends. */
  async migrate(
    _ctx: CallContext,
    vmId: string,
    options: { targetNodeId?: string; live?: boolean } = {},
  ): Promise<{ vm: VirtualMachine; done: Promise<MigrationOutcome> }> {
    const started = await this.placement.exclusive(async () => {
      const vm = await this.deps.repos.vms.get(vmId);
      const source = vm.status.nodeId;
      if (!source) throw failedPrecondition(`vm "${vm.name}" is not placed on a node`);
      if (vm.status.migration || this.running.has(vmId))
        throw failedPrecondition(`vm "${vm.name}" is already migrating`);
      if (vm.status.powerState !== "RUNNING" && vm.status.powerState !== "STOPPED")
        throw failedPrecondition(
          `vm "${vm.name}" is ${vm.status.powerState}: only RUNNING or STOPPED VMs migrate`,
        );
      if (options.live === true && vm.status.powerState !== "RUNNING")
        throw failedPrecondition(
          `vm "${vm.name}" is ${vm.status.powerState}: a live migration moves a RUNNING VM; migrate it with live=false (a cold move)`,
        );
      const target =
        options.targetNodeId ?? this.scheduler.place(this.snapshot, vm, { excludeNodeIds: [source] }).nodeId;
      if (target === source)
        throw invalidArgument([
          { field: "targetNodeId", description: `is the node the VM already runs on (got ${target})` },
        ]);
      const reasons = this.placement.check(vm, target);
      if (reasons.length > 0)
        throw failedPrecondition(`vm "${vm.name}" cannot move to node ${target}: ${reasons.join("; ")}`, {
          reasons,
        });
      const now = this.deps.clock.now().toISOString();
      return this.deps.uow.run(async (tx) => {
        const node = await tx.nodes.get(target);
        await tx.nodes.updateStatus(node.id, chargeNode(node, vm, 1), node.resourceVersion);
        const current = await tx.vms.get(vmId);
        return tx.vms.update({
          ...current,
          status: {
            ...current.status,
            ...(current.status.powerState === "RUNNING" ? { powerState: "MIGRATING" as const } : {}),
            migration: { targetNodeId: target, progressPercent: 0, startedAt: now },
          },
        });
      });
    });
    // The move outlives the call that started it: it runs in its own scope, not cancelled with that call.
    const done = runInCallScope(MIGRATION_CONTEXT, () =>
      this.run(started, options.live ?? started.status.powerState === "MIGRATING"),
    );
    this.running.set(vmId, done);
    void done.finally(() => this.running.delete(vmId));
    return { vm: started, done };
  }

  /** inFlight is the number of migrations under way. */
  get inFlight(): number {
    return this.running.size;
  }

  private async run(vm: VirtualMachine, live: boolean): Promise<MigrationOutcome> {
    const source = vm.status.nodeId!;
    const target = vm.status.migration!.targetNodeId;
    const wasRunning = vm.status.powerState === "MIGRATING";
    try {
      const agent = await this.agents.forNode(source);
      const endpoint = await this.agents.endpointOf(target);
      // A VM that never ran is not defined on its agent yet: only its placement moves.
      const defined = await agent.getVmStatus(vm.id).then(
        () => true,
        (e: unknown) => {
          if (hasErrorCode(e, ErrorCode.NotFound)) return false;
          throw e;
        },
      );
      let lastReported = 0;
      if (defined)
        await agent.migrateVm(vm.id, endpoint, {
          live,
          onProgress: (p) => {
            if (p.percent - lastReported < 20 && p.percent < 100) return;
            lastReported = p.percent;
            void this.progress(vm.id, p.percent);
          },
        });
      await this.finish(vm.id, source, target, wasRunning ? "RUNNING" : "STOPPED", "");
      return { vmId: vm.id, ok: true };
    } catch (e) {
      const message = (e as Error).message;
      this.deps.logger.warn({ err: e, vmId: vm.id, source, target }, "migration failed");
      await this.finish(
        vm.id,
        target,
        source,
        wasRunning ? "RUNNING" : "STOPPED",
        `migration to ${target} failed: ${message}`,
      ).catch((err: unknown) =>
        this.deps.logger.error({ err, vmId: vm.id }, "could not roll back a failed migration"),
      );
      return { vmId: vm.id, ok: false, error: message };
    }
  }

  private async progress(vmId: string, percent: number): Promise<void> {
    try {
      const vm = await this.deps.repos.vms.get(vmId);
      if (!vm.status.migration) return;
      await this.deps.repos.vms.updateStatus(
        vmId,
        {
          ...vm.status,
          migration: { ...vm.status.migration, progressPercent: Math.min(100, percent) },
        },
        vm.resourceVersion,
      );
    } catch {
      // Progress is advisory; a lost race with the final update is harmless.
    }
  }

  /** finish releases `from`, places the VM on `to` (its capacity was reserved at the start) and clears the migration. */
  private async finish(
    vmId: string,
    from: string,
    to: string,
    powerState: "RUNNING" | "STOPPED",
    message: string,
  ): Promise<void> {
    const updated = await this.placement.exclusive(() =>
      this.deps.uow.run(async (tx) => {
        const vm = await tx.vms.get(vmId);
        const node = await tx.nodes.find(from);
        if (node) await tx.nodes.updateStatus(node.id, chargeNode(node, vm, -1), node.resourceVersion);
        const { migration: _done, ...rest } = vm.status;
        return tx.vms.update({ ...vm, status: { ...rest, nodeId: to, powerState, message } });
      }),
    );
    this.placement.noteVm(updated);
  }
}
