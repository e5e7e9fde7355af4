import {
  type AgentDisk,
  type AgentEvent,
  type AgentHealth,
  type AgentNodeInfo,
  type AgentVmDefinition,
  type AgentVmStatus,
  alreadyExists,
  assertTransition,
  canTransition,
  type Clock,
  failedPrecondition,
  type HypervisorAgent,
  invalidArgument,
  type MigrationProgress,
  type MigrationTarget,
  notFound,
  nowIso,
  type PowerState,
  type StopOptions,
  type Subscription,
  unavailable,
  VM_POWER_MACHINE,
} from "@limiquantix/domain";

/** SimulatedVm is a VM as the memory hypervisor keeps it. */
interface SimulatedVm {
  definition: AgentVmDefinition;
  powerState: PowerState;
  disks: AgentDisk[];
  snapshots: Map<string, { name: string; includeMemory: boolean; powerState: PowerState }>;
}

/** AgentLookup finds another node's agent, for migrations. */
export type AgentLookup = (nodeId: string) => MemoryAgent;

/**
 * MemoryAgent is a fake hypervisor for one node: it keeps each VM's power state, moves it only
 * along VM_POWER_MACHINE (an illegal operation is FailedPrecondition), streams vm-state events,
 * and can be made unreachable or unhealthy to test failure handling.
 */
export class MemoryAgent implements HypervisorAgent {
  private readonly vms = new Map<string, SimulatedVm>();
  private readonly listeners = new Set<(event: AgentEvent) => void>();
  private readonly usage = new Map<
    string,
    Pick<AgentVmStatus, "cpuPercent" | "memoryUsedMib" | "diskUsedGib" | "diskCapacityGib"> | undefined
  >();
  private reachable = true;
  private health: AgentHealth = { healthy: true, message: "ok" };

  constructor(
    readonly nodeId: string,
    private info: AgentNodeInfo,
    private readonly clock: Clock,
    private readonly lookup: AgentLookup,
  ) {}

  /** setReachable simulates losing (false) or regaining (true) the connection to the agent. */
  setReachable(reachable: boolean): void {
    this.reachable = reachable;
  }

  /**
   * setVmUsage sets the usage a VM reports while it runs (CPU percent, memory used, disk written
   * and size); undefined restores the default (5 % CPU, half its memory, no disk figures).
   */
  setVmUsage(
    vmId: string,
    usage:
      | Pick<AgentVmStatus, "cpuPercent" | "memoryUsedMib" | "diskUsedGib" | "diskCapacityGib">
      | undefined,
  ): void {
    this.usage.set(vmId, usage);
    if (!usage) this.usage.delete(vmId);
  }

  /** setHealth sets what healthCheck reports. */
  setHealth(health: AgentHealth): void {
    this.health = health;
  }

  /** repoint changes the node information after a reconnect. */
  repoint(info: AgentNodeInfo): void {
    this.info = info;
  }

  async getNodeInfo(): Promise<AgentNodeInfo> {
    this.assertReachable();
    return { ...this.info, cpu: { ...this.info.cpu } };
  }

  async healthCheck(): Promise<AgentHealth> {
    this.assertReachable();
    return { ...this.health };
  }

  async createVm(definition: AgentVmDefinition): Promise<AgentVmStatus> {
    this.assertReachable();
    if (typeof definition?.vmId !== "string" || definition.vmId === "")
      throw invalidArgument([{ field: "vmId", description: "must be a non-empty string" }]);
    if (this.vms.has(definition.vmId))
      throw alreadyExists("VirtualMachine", definition.vmId, `node ${this.nodeId}`);
    const vm: SimulatedVm = {
      definition: structuredClone(definition),
      powerState: "PENDING",
      disks: [...definition.disks],
      snapshots: new Map(),
    };
    this.vms.set(definition.vmId, vm);
    this.move(definition.vmId, vm, "STOPPED");
    return this.status(definition.vmId, vm);
  }

  async startVm(vmId: string): Promise<AgentVmStatus> {
    const vm = this.vm(vmId);
    if (vm.powerState !== "RUNNING") this.moveThrough(vmId, vm, ["STARTING", "RUNNING"]);
    return this.status(vmId, vm);
  }

  async stopVm(vmId: string, options: StopOptions): Promise<AgentVmStatus> {
    const vm = this.vm(vmId);
    if (vm.powerState !== "STOPPED")
      this.moveThrough(vmId, vm, options?.mode === "force" ? ["STOPPED"] : ["STOPPING", "STOPPED"]);
    return this.status(vmId, vm);
  }

  async rebootVm(vmId: string): Promise<AgentVmStatus> {
    const vm = this.vm(vmId);
    if (vm.powerState !== "RUNNING")
      throw failedPrecondition(`VM ${vmId} is ${vm.powerState}: only a RUNNING VM can be rebooted`, {
        from: vm.powerState,
      });
    this.moveThrough(vmId, vm, ["STARTING", "RUNNING"]);
    return this.status(vmId, vm);
  }

  async pauseVm(vmId: string): Promise<AgentVmStatus> {
    return this.simple(vmId, "PAUSED");
  }

  async resumeVm(vmId: string): Promise<AgentVmStatus> {
    const vm = this.vm(vmId);
    if (vm.powerState !== "PAUSED" && vm.powerState !== "SUSPENDED")
      throw failedPrecondition(
        `VM ${vmId} is ${vm.powerState}: only a PAUSED or SUSPENDED VM can be resumed`,
        {
          from: vm.powerState,
        },
      );
    this.move(vmId, vm, "RUNNING");
    return this.status(vmId, vm);
  }

  async suspendVm(vmId: string): Promise<AgentVmStatus> {
    return this.simple(vmId, "SUSPENDED");
  }

  async deleteVm(vmId: string): Promise<void> {
    const vm = this.vm(vmId);
    this.move(vmId, vm, "DELETING");
    this.vms.delete(vmId);
  }

  async getVmStatus(vmId: string): Promise<AgentVmStatus> {
    return this.status(vmId, this.vm(vmId));
  }

  async listVms(): Promise<readonly AgentVmStatus[]> {
    this.assertReachable();
    return [...this.vms.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, vm]) => this.status(id, vm));
  }

  async createSnapshot(
    vmId: string,
    snapshot: { id: string; name: string; includeMemory: boolean },
  ): Promise<void> {
    const vm = this.vm(vmId);
    if (vm.snapshots.has(snapshot.id)) throw alreadyExists("VmSnapshot", snapshot.id, `VM ${vmId}`);
    vm.snapshots.set(snapshot.id, { ...snapshot, powerState: vm.powerState });
  }

  async revertSnapshot(vmId: string, snapshotId: string): Promise<AgentVmStatus> {
    const vm = this.vm(vmId);
    const snap = vm.snapshots.get(snapshotId);
    if (!snap) throw notFound("VmSnapshot", snapshotId);
    const target: PowerState = snap.includeMemory && snap.powerState === "RUNNING" ? "RUNNING" : "STOPPED";
    if (vm.powerState !== target)
      this.moveThrough(
        vmId,
        vm,
        canTransition(VM_POWER_MACHINE, vm.powerState, target) ? [target] : ["STARTING", target],
      );
    return this.status(vmId, vm);
  }

  async deleteSnapshot(vmId: string, snapshotId: string): Promise<void> {
    const vm = this.vm(vmId);
    if (!vm.snapshots.delete(snapshotId)) throw notFound("VmSnapshot", snapshotId);
  }

  async migrateVm(
    vmId: string,
    target: MigrationTarget,
    options?: { live?: boolean; onProgress?: (p: MigrationProgress) => void; signal?: AbortSignal },
  ): Promise<void> {
    const vm = this.vm(vmId);
    if (target?.nodeId === this.nodeId)
      throw invalidArgument([
        { field: "target.nodeId", description: `must differ from the source node ${this.nodeId}` },
      ]);
    const destination = this.lookup(target.nodeId);
    destination.assertReachable();
    if (destination.vms.has(vmId)) throw alreadyExists("VirtualMachine", vmId, `node ${target.nodeId}`);
    const before = vm.powerState;
    this.move(vmId, vm, "MIGRATING");
    const report = (phase: MigrationProgress["phase"], percent: number) =>
      options?.onProgress?.({ vmId, phase, percent });
    for (const [phase, percent] of [
      ["PREPARING", 0],
      ["TRANSFERRING", 50],
      ["SWITCHING", 90],
    ] as const) {
      report(phase, percent);
      await Promise.resolve();
      if (options?.signal?.aborted || !this.reachable || !destination.reachable) {
        this.move(vmId, vm, before === "RUNNING" ? "RUNNING" : "STOPPED");
        report("FAILED", percent);
        throw unavailable(`migration of VM ${vmId} to node ${target.nodeId} was interrupted`);
      }
    }
    this.vms.delete(vmId);
    destination.vms.set(vmId, vm);
    destination.move(vmId, vm, before === "RUNNING" ? "RUNNING" : "STOPPED");
    report("COMPLETED", 100);
  }

  async attachDisk(vmId: string, disk: AgentDisk): Promise<void> {
    const vm = this.vm(vmId);
    if (vm.disks.some((d) => d.name === disk.name)) throw alreadyExists("disk", disk.name, `VM ${vmId}`);
    vm.disks.push({ ...disk });
  }

  async detachDisk(vmId: string, diskName: string): Promise<void> {
    const vm = this.vm(vmId);
    const index = vm.disks.findIndex((d) => d.name === diskName);
    if (index < 0) throw notFound("disk", diskName);
    vm.disks.splice(index, 1);
  }

  async streamEvents(listener: (event: AgentEvent) => void): Promise<Subscription> {
    this.assertReachable();
    this.listeners.add(listener);
    return { unsubscribe: async () => void this.listeners.delete(listener) };
  }

  /** disks lists the disks attached to a VM (for tests). */
  disksOf(vmId: string): readonly AgentDisk[] {
    return [...this.vm(vmId).disks];
  }

  private simple(vmId: string, to: PowerState): AgentVmStatus {
    const vm = this.vm(vmId);
    if (vm.powerState !== to) this.move(vmId, vm, to);
    return this.status(vmId, vm);
  }

  private moveThrough(vmId: string, vm: SimulatedVm, steps: readonly PowerState[]): void {
    // Check the whole path first, so a refused operation leaves the VM as it was.
    let from = vm.powerState;
    for (const to of steps) {
      assertTransition(VM_POWER_MACHINE, from, to);
      from = to;
    }
    for (const to of steps) this.move(vmId, vm, to);
  }

  private move(vmId: string, vm: SimulatedVm, to: PowerState): void {
    assertTransition(VM_POWER_MACHINE, vm.powerState, to);
    vm.powerState = to;
    const event: AgentEvent = { type: "vm-state", vmId, powerState: to, at: nowIso(this.clock) };
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A listener that throws must not break the agent.
      }
    }
  }

  private vm(vmId: string): SimulatedVm {
    this.assertReachable();
    const vm = this.vms.get(vmId);
    if (!vm) throw notFound("VirtualMachine", vmId);
    return vm;
  }

  private status(vmId: string, vm: SimulatedVm): AgentVmStatus {
    const running = vm.powerState === "RUNNING";
    return {
      vmId,
      powerState: vm.powerState,
      ipAddresses: running ? [`192.0.2.${(hash(vmId) % 250) + 2}`] : [],
      ...(running
        ? (this.usage.get(vmId) ?? { cpuPercent: 5, memoryUsedMib: Math.round(vm.definition.memoryMib / 2) })
        : {}),
    };
  }

  private assertReachable(): void {
    if (!this.reachable) throw unavailable(`the agent of node ${this.nodeId} cannot be reached`);
  }
}

function hash(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h;
}
