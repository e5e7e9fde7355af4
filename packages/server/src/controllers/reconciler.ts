import {
  type AgentVmStatus,
  ErrorCode,
  type HypervisorAgent,
  hasErrorCode,
  type PowerState,
  type VirtualMachine,
} from "@limiquantix/domain";
import { systemContext } from "../context/call-context";
import { runInCallScope } from "../context/call-scope";
import type { ChangeRelay } from "../events/change-relay";
import type { ServerMetrics } from "../observability/metrics";
import type { AgentDirectory } from "../compute/agent-directory";
import { KeyedMutex } from "../shared/keyed-mutex";
import type { ServiceDeps } from "../shared/service-deps";
import type { VmService } from "../compute/vm-service";
import { agentDefinitionOf } from "./agent-vm-definition";
import type { Controller } from "./controller";

/** ReconcilerOptions bound the reconciler's work. */
export interface ReconcilerOptions {
  readonly concurrency: number;
  readonly resyncIntervalMs: number;
  readonly maxBackoffMs: number;
  /** How long a graceful stop may take before the VM is forced off. */
  readonly gracefulStopTimeoutSec?: number;
  /** How soon to look again at a VM in a transitional state (STARTING, STOPPING, MIGRATING). */
  readonly pollMs?: number;
  /**
   * knownVms yields every VM the control plane knows, for the periodic resync. The live placement
   * snapshot (kept current by change events) serves it without reading the store; each VM that
   * needs work is read afresh before it is reconciled.
   */
  readonly knownVms: () => Iterable<VirtualMachine>;
  /**
   * changes, when given, is followed while this replica leads: a VM changed through any replica
   * (a StartVM served elsewhere) is reconciled at once instead of at the next resync.
   */
  readonly changes?: Pick<ChangeRelay, "subscribe">;
}

const RECONCILER_CONTEXT = systemContext("reconciler");

/** UNKNOWN_TO_AGENT_OK are the power states a VM may claim without its agent knowing it (never defined there, or gone). */
export const UNKNOWN_TO_AGENT_OK: ReadonlySet<PowerState> = new Set([
  "STOPPED",
  "PENDING",
  "FAILED",
  "DELETING",
]);

const TRANSITIONAL: ReadonlySet<PowerState> = new Set(["STARTING", "STOPPING", "MIGRATING", "PENDING"]);

/**
 * Reconciler drives each VM's agent toward the VM's desired power state: idempotently, one VM at
 * a time under a per-VM lock, at most `concurrency` VMs at once, retrying failures with
 * exponential backoff, and recording in status what the agent reports.
 */
export class Reconciler implements Controller {
  readonly name = "reconciler";
  private readonly locks = new KeyedMutex();
  private readonly queued = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = 0;
  private signal: AbortSignal | undefined;
  private resync: NodeJS.Timeout | undefined;
  private idle: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;
  private unfollow: (() => void) | undefined;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly vms: VmService,
    private readonly agents: AgentDirectory,
    private readonly options: ReconcilerOptions,
    private readonly metrics?: ServerMetrics,
  ) {}

  /** enqueue asks for a VM to be reconciled soon; repeated requests for a queued VM collapse into one. */
  enqueue(vmId: string): void {
    // Only the leader reconciles; it learns of every change from the log, so a standby keeps nothing.
    if (!this.signal || this.signal.aborted) return;
    this.queued.add(vmId);
    this.metrics?.reconcilerQueueDepth.set(this.queued.size);
    this.pump();
  }

  /**
   * agentRegistered re-checks every VM placed on a node whose agent has just (re)registered: an
   * agent that restarted may have lost its VMs, so a VM it does not report stops claiming a power
   * state no agent reports, and each VM is driven toward its desired state again at once.
   */
  agentRegistered(nodeId: string): void {
    if (!this.signal || this.signal.aborted) return;
    void runInCallScope(RECONCILER_CONTEXT, () => this.recheckNode(nodeId)).catch((e: unknown) =>
      this.deps.logger.warn(
        { err: e, nodeId },
        "re-checking the VMs of a registered node failed; the resync will retry",
      ),
    );
  }

  private async recheckNode(nodeId: string): Promise<void> {
    const placed = await this.deps.repos.vms.listByNode(nodeId);
    if (placed.length === 0) return;
    const reported = await this.agents
      .forNode(nodeId)
      .then((agent) => agent.listVms())
      .then(
        (list) => new Set(list.map((v) => v.vmId)),
        () => undefined,
      );
    for (const vm of placed) {
      if (
        reported &&
        !reported.has(vm.id) &&
        !vm.status.migration &&
        !UNKNOWN_TO_AGENT_OK.has(vm.status.powerState)
      )
        await this.locks.run(vm.id, () =>
          this.record(
            vm,
            { vmId: vm.id, powerState: "STOPPED", ipAddresses: [] },
            "its node's agent does not report it (the agent restarted)",
          ),
        );
      this.enqueue(vm.id);
    }
  }

  /** queueDepth is how many VMs wait for reconciliation. */
  get queueDepth(): number {
    return this.queued.size;
  }

  async start(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    this.unfollow = this.options.changes?.subscribe({
      change: (entry) => {
        if (entry.kind === "VirtualMachine" && entry.type !== "DELETED" && this.needsWork(entry.object))
          this.enqueue(entry.id);
      },
    });
    await this.resyncAll();
    this.resync = setInterval(() => void this.resyncAll(), this.options.resyncIntervalMs);
    this.resync.unref();
    this.pump();
  }

  async stop(): Promise<void> {
    this.unfollow?.();
    this.unfollow = undefined;
    if (this.resync) clearInterval(this.resync);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    while (this.running > 0) await this.idle;
  }

  private async resyncAll(): Promise<void> {
    try {
      for (const vm of this.options.knownVms()) if (this.needsWork(vm)) this.queued.add(vm.id);
      this.pump();
    } catch (e) {
      this.deps.logger.warn({ err: e }, "reconciler resync failed; will try again");
    }
  }

  private needsWork(vm: VirtualMachine): boolean {
    return (
      vm.status.nodeId !== undefined &&
      vm.status.migration === undefined &&
      (vm.status.powerState !== vm.spec.desiredPowerState || TRANSITIONAL.has(vm.status.powerState))
    );
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queued.size > 0 && !this.signal?.aborted) {
      const vmId = this.queued.values().next().value as string;
      this.queued.delete(vmId);
      this.metrics?.reconcilerQueueDepth.set(this.queued.size);
      this.running++;
      if (this.running === 1)
        this.idle = new Promise((resolve) => {
          this.wake = resolve;
        });
      // A VM enqueued by an API call is reconciled in the reconciler's own scope, not the call's:
      // the call has answered, and the writes are the reconciler's.
      void runInCallScope(RECONCILER_CONTEXT, () => this.locks.run(vmId, () => this.reconcile(vmId))).finally(
        () => {
          this.running--;
          if (this.running === 0) this.wake?.();
          this.pump();
        },
      );
    }
  }

  private later(vmId: string, delayMs: number): void {
    if (this.signal?.aborted) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.enqueue(vmId);
    }, delayMs);
    t.unref();
    this.timers.add(t);
  }

  /** reconcile brings one VM's agent one step toward its desired state and records what the agent reports. */
  private async reconcile(vmId: string): Promise<void> {
    let vm: VirtualMachine | undefined;
    try {
      vm = await this.deps.repos.vms.find(vmId);
      if (!vm?.status.nodeId) return;
      // A VM on the move belongs to its migration, which records its status; look again after.
      if (vm.status.migration) {
        this.later(vmId, this.options.pollMs ?? 250);
        return;
      }
      // The VMs of a node being fenced, or fenced, are HA's: its agent is gone, and they restart elsewhere.
      const node = await this.deps.repos.nodes.find(vm.status.nodeId);
      if (node?.status.phase === "FENCING" || node?.status.phase === "FAILED") return;
      const agent = await this.agents.forNode(node ?? vm.status.nodeId);
      const observed = await this.step(agent, vm);
      await this.record(vm, observed, "");
      this.attempts.delete(vmId);
      this.metrics?.reconcileTotal.inc({ outcome: "ok" });
      if (TRANSITIONAL.has(observed.powerState) || observed.powerState !== vm.spec.desiredPowerState)
        this.later(vmId, this.options.pollMs ?? 250);
    } catch (e) {
      const n = (this.attempts.get(vmId) ?? 0) + 1;
      this.attempts.set(vmId, n);
      const delay = Math.min(this.options.maxBackoffMs, 250 * 2 ** Math.min(n, 16));
      this.metrics?.reconcileTotal.inc({ outcome: "error" });
      this.deps.logger.warn({ err: e, vmId, attempt: n, retryInMs: delay }, "reconcile failed");
      if (vm && !hasErrorCode(e, ErrorCode.NotFound))
        await this.record(vm, undefined, (e as Error).message).catch(() => undefined);
      this.later(vmId, delay);
    }
  }

  private async step(agent: HypervisorAgent, vm: VirtualMachine): Promise<AgentVmStatus> {
    let st: AgentVmStatus;
    try {
      st = await agent.getVmStatus(vm.id);
    } catch (e) {
      if (!hasErrorCode(e, ErrorCode.NotFound)) throw e;
      st = await agent.createVm(await agentDefinitionOf(this.deps.repos, vm));
    }
    const desired = vm.spec.desiredPowerState;
    const s = st.powerState;
    if (TRANSITIONAL.has(s) && s !== "PENDING") return st;
    switch (desired) {
      case "RUNNING":
        if (s === "STOPPED" || s === "FAILED" || s === "PENDING") return agent.startVm(vm.id);
        if (s === "PAUSED" || s === "SUSPENDED") return agent.resumeVm(vm.id);
        return st;
      case "STOPPED": {
        if (s !== "RUNNING" && s !== "PAUSED" && s !== "SUSPENDED") return st;
        // The stop mode is kept in the VM's spec, so a leader that took over carries it out as asked.
        const mode = s === "RUNNING" ? vm.spec.stopMode : "force";
        return agent.stopVm(vm.id, { mode, timeoutSec: this.options.gracefulStopTimeoutSec ?? 60 });
      }
      case "PAUSED":
        if (s === "RUNNING") return agent.pauseVm(vm.id);
        if (s === "STOPPED" || s === "PENDING") return agent.startVm(vm.id);
        if (s === "SUSPENDED") return agent.resumeVm(vm.id);
        return st;
      case "SUSPENDED":
        if (s === "RUNNING") return agent.suspendVm(vm.id);
        if (s === "PAUSED") return agent.resumeVm(vm.id);
        return st;
    }
  }

  private async record(
    vm: VirtualMachine,
    observed: AgentVmStatus | undefined,
    message: string,
  ): Promise<void> {
    const same =
      (!observed ||
        (observed.powerState === vm.status.powerState &&
          observed.ipAddresses.join() === vm.status.ipAddresses.join())) &&
      message === vm.status.message;
    if (same) return;
    const now = this.deps.clock.now().toISOString();
    await this.vms.patchStatus(RECONCILER_CONTEXT, vm.id, (current) =>
      // The VM moved (HA restarted it elsewhere) while its old node's agent was asked: not its status.
      current.status.nodeId !== vm.status.nodeId
        ? undefined
        : {
            ...current.status,
            ...(observed
              ? {
                  powerState: observed.powerState,
                  ipAddresses: [...observed.ipAddresses],
                  ...(observed.powerState !== current.status.powerState ? { lastTransitionAt: now } : {}),
                }
              : {}),
            message,
          },
    );
  }
}
