import {
  type AgentDisk,
  type AgentEvent,
  type AgentNodeInfo,
  type AgentVmDefinition,
  type AgentVmStatus,
  alreadyExists,
  assertTransition,
  type CpuTopology,
  failedPrecondition,
  invalidArgument,
  notFound,
  type PowerState,
  VM_POWER_MACHINE,
} from "@limiquantix/domain";
import {
  addDisk,
  checkFits,
  guestAddresses,
  hostMetrics,
  removeDisk,
  type SimSnapshot,
  type SimVm,
  type SimVmLoad,
  takeSnapshot,
  vmStatus,
} from "./sim-vm";

/** SimHypervisorOptions describe the simulated host. */
export interface SimHypervisorOptions {
  readonly nodeId: string;
  readonly hostname?: string;
  readonly managementIp?: string;
  /** Logical CPUs, or a full topology. */
  readonly cpu: number | CpuTopology;
  readonly memoryMib: number;
  /** How long a VM takes from STARTING to RUNNING (default 50 ms). */
  readonly bootDelayMs?: number;
  /** How long a graceful stop takes from STOPPING to STOPPED (default: the boot delay). */
  readonly shutdownDelayMs?: number;
  /** How far defined VMs may exceed the host's CPUs and memory, as a hypervisor with overcommit allows (default 1: none). */
  readonly overcommit?: { readonly cpu: number; readonly memory: number };
}

/** IncomingMigration is a VM a migration source has announced; its capacity is already reserved here. */
interface IncomingMigration {
  readonly vmId: string;
  readonly resumeState: PowerState;
}

/** AGENT_VERSION is the version the simulated agent reports. */
export const AGENT_VERSION = "sim/0.1.0";

/**
 * SimHypervisor is the state of a simulated host: VMs moving through the real power-state machine
 * with boot and shutdown taking time, CPU and memory accounted so a VM that does not fit is refused,
 * snapshots, disks, and both sides of a live migration. It is transport-free; the simulated agent
 * serves it over NodeAgentService.
 */
export class SimHypervisor {
  readonly topology: CpuTopology;
  private readonly vms = new Map<string, SimVm>();
  private readonly incoming = new Map<string, IncomingMigration>();
  private readonly listeners = new Set<(event: AgentEvent) => void>();
  private nextIp = 10;
  private nextMigration = 1;

  constructor(readonly options: SimHypervisorOptions) {
    this.topology =
      typeof options.cpu === "number"
        ? { sockets: 1, coresPerSocket: options.cpu, threadsPerCore: 1 }
        : options.cpu;
  }

  private get bootDelay(): number {
    return this.options.bootDelayMs ?? 50;
  }

  /** info describes the host as GetNodeInfo reports it. */
  info(): AgentNodeInfo {
    return {
      nodeId: this.options.nodeId,
      hostname: this.options.hostname ?? this.options.nodeId,
      managementIp: this.options.managementIp ?? "127.0.0.1",
      cpu: this.topology,
      memoryMib: this.options.memoryMib,
      agentVersion: AGENT_VERSION,
      hypervisor: "sim/1.0",
    };
  }

  /** onEvent subscribes to VM state changes; it returns the unsubscribe function. */
  onEvent(listener: (event: AgentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** metrics samples the host: running VMs' vCPUs as a share of the logical CPUs, and their memory. */
  metrics(): { cpuPercent: number; memoryUsedMib: number; vmCount: number } {
    return hostMetrics(this.vms.values(), this.topology);
  }

  /** create defines a VM in STOPPED, reserving its CPU and memory; it fails with ResourceExhausted when it does not fit. */
  create(definition: AgentVmDefinition): AgentVmStatus {
    if (this.vms.has(definition.vmId))
      throw alreadyExists("VM", definition.vmId, `node ${this.options.nodeId}`);
    this.reserve(definition);
    this.vms.set(definition.vmId, {
      definition,
      state: "STOPPED",
      ips: guestAddresses(definition, () => this.allocateIp()),
      snapshots: new Map(),
    });
    this.emit(definition.vmId, "STOPPED", "defined");
    return this.status(definition.vmId);
  }

  private reserve(definition: AgentVmDefinition): void {
    checkFits(
      this.vms.values(),
      definition,
      this.topology,
      this.options.memoryMib,
      this.options.nodeId,
      this.options.overcommit,
    );
  }

  /** allocateIp gives the next address of the host's own pool, for a NIC whose definition carries none. */
  private allocateIp(): string {
    const n = this.nextIp++;
    return `10.77.${Math.floor(n / 250)}.${(n % 250) + 2}`;
  }

  private vm(vmId: string): SimVm {
    const vm = this.vms.get(vmId);
    if (!vm) throw notFound("VM", vmId);
    if (vm.state === "MIGRATING")
      throw failedPrecondition(`VM ${vmId} is migrating; wait for the migration to end`);
    return vm;
  }

  private inState(vmId: string, allowed: readonly PowerState[], verb: string): SimVm {
    const vm = this.vm(vmId);
    if (!allowed.includes(vm.state))
      throw failedPrecondition(`VM ${vmId} must be ${allowed.join(" or ")} to ${verb} (it is ${vm.state})`);
    return vm;
  }

  private move(vm: SimVm, to: PowerState, message?: string): void {
    assertTransition(VM_POWER_MACHINE, vm.state, to);
    clearTimeout(vm.timer);
    vm.timer = undefined;
    if (vm.state === to) return;
    vm.state = to;
    this.emit(vm.definition.vmId, to, message);
  }

  private later(vm: SimVm, ms: number, to: PowerState, message: string): void {
    vm.timer = setTimeout(() => {
      vm.timer = undefined;
      if (this.vms.get(vm.definition.vmId) === vm) this.move(vm, to, message);
    }, ms);
  }

  /** start boots a VM: STARTING at once, RUNNING once the boot delay has passed. */
  start(vmId: string): AgentVmStatus {
    const vm = this.vm(vmId);
    if (vm.state === "RUNNING" || vm.state === "STARTING") return this.status(vmId);
    this.move(vm, "STARTING");
    this.later(vm, this.bootDelay, "RUNNING", "booted");
    return this.status(vmId);
  }

  /** stop pulls the plug (force) or asks the guest, which takes the shutdown delay, capped by timeoutSec. */
  stop(vmId: string, force: boolean, timeoutSec: number): AgentVmStatus {
    const vm = this.vm(vmId);
    if (vm.state === "STOPPED") return this.status(vmId);
    if (force) {
      this.move(vm, "STOPPED", "powered off");
      return this.status(vmId);
    }
    this.move(vm, "STOPPING");
    const shutdown = this.options.shutdownDelayMs ?? this.bootDelay;
    this.later(vm, timeoutSec > 0 ? Math.min(shutdown, timeoutSec * 1000) : shutdown, "STOPPED", "shut down");
    return this.status(vmId);
  }

  /** reboot restarts a running VM through STARTING. */
  reboot(vmId: string): AgentVmStatus {
    const vm = this.inState(vmId, ["RUNNING"], "reboot");
    this.move(vm, "STARTING", "rebooting");
    this.later(vm, this.bootDelay, "RUNNING", "rebooted");
    return this.status(vmId);
  }

  /** pause freezes a running VM. */
  pause(vmId: string): AgentVmStatus {
    this.move(this.inState(vmId, ["RUNNING"], "pause"), "PAUSED");
    return this.status(vmId);
  }

  /** resume runs a paused or suspended VM again. */
  resume(vmId: string): AgentVmStatus {
    this.move(this.inState(vmId, ["PAUSED", "SUSPENDED"], "resume"), "RUNNING", "resumed");
    return this.status(vmId);
  }

  /** suspend saves a running VM to disk. */
  suspend(vmId: string): AgentVmStatus {
    this.move(this.inState(vmId, ["RUNNING"], "suspend"), "SUSPENDED");
    return this.status(vmId);
  }

  /** delete removes a VM that is not running and frees its capacity. */
  delete(vmId: string): void {
    const vm = this.vm(vmId);
    this.move(vm, "DELETING");
    this.vms.delete(vmId);
  }

  /** status reports one VM. */
  status(vmId: string): AgentVmStatus {
    const vm = this.vms.get(vmId);
    if (!vm) throw notFound("VM", vmId);
    return vmStatus(vm);
  }

  /**
   * setVmLoad sets how busy a VM's guest is (CPU, memory and disk percentages), as its status will
   * report it while it runs; an empty load restores the defaults.
   */
  setVmLoad(vmId: string, load: SimVmLoad): AgentVmStatus {
    const vm = this.vms.get(vmId);
    if (!vm) throw notFound("VM", vmId);
    for (const [key, value] of Object.entries(load))
      if (typeof value !== "number" || value < 0 || value > 100)
        throw invalidArgument([
          { field: key, description: `must be between 0 and 100 (got ${String(value)})` },
        ]);
    vm.load = { ...load };
    return vmStatus(vm);
  }

  /** list reports every VM. */
  list(): AgentVmStatus[] {
    return [...this.vms.keys()].map((id) => this.status(id));
  }

  /** definition returns a VM's definition, disks as attached now. */
  definition(vmId: string): AgentVmDefinition {
    const vm = this.vms.get(vmId);
    if (!vm) throw notFound("VM", vmId);
    return vm.definition;
  }

  /** createSnapshot records the VM's disks, and with memory its power state. */
  createSnapshot(vmId: string, snapshotId: string, name: string, includeMemory: boolean): void {
    takeSnapshot(this.vm(vmId), snapshotId, name, includeMemory);
  }

  /** revertSnapshot restores a snapshot's disks and, for a memory snapshot, its power state. */
  revertSnapshot(vmId: string, snapshotId: string): AgentVmStatus {
    const vm = this.vm(vmId);
    const snap = vm.snapshots.get(snapshotId);
    if (!snap) throw notFound("VmSnapshot", snapshotId);
    if (vm.state !== snap.state) this.move(vm, snap.state, `reverted to snapshot ${snap.name}`);
    vm.definition = { ...vm.definition, disks: [...snap.disks] };
    return this.status(vmId);
  }

  /** deleteSnapshot forgets a snapshot. */
  deleteSnapshot(vmId: string, snapshotId: string): void {
    if (!this.vm(vmId).snapshots.delete(snapshotId)) throw notFound("VmSnapshot", snapshotId);
  }

  /** attachDisk adds a disk; disk names are unique per VM. */
  attachDisk(vmId: string, disk: AgentDisk): AgentVmStatus {
    addDisk(this.vm(vmId), disk);
    return this.status(vmId);
  }

  /** detachDisk removes a disk by name. */
  detachDisk(vmId: string, diskName: string): AgentVmStatus {
    removeDisk(this.vm(vmId), diskName);
    return this.status(vmId);
  }

  /** beginOutgoing marks a RUNNING or STOPPED VM as MIGRATING and returns what the target needs, its snapshots included. */
  beginOutgoing(
    vmId: string,
    live: boolean,
  ): { definition: AgentVmDefinition; resumeState: PowerState; snapshots: readonly SimSnapshot[] } {
    const vm = this.vm(vmId);
    if (live && vm.state !== "RUNNING")
      throw failedPrecondition(`VM ${vmId} must be RUNNING to migrate live (it is ${vm.state})`);
    const resumeState = vm.state;
    this.move(vm, "MIGRATING", "migration started");
    const snapshots = [...vm.snapshots].map(([id, snap]) => ({ id, ...snap, disks: [...snap.disks] }));
    return { definition: vm.definition, resumeState, snapshots };
  }

  /** finishOutgoing removes a VM that now runs on the target, or puts it back as it was when the migration failed. */
  finishOutgoing(vmId: string, migrated: boolean, resumeState: PowerState): void {
    const vm = this.vms.get(vmId);
    if (!vm) return;
    if (migrated) {
      clearTimeout(vm.timer);
      this.vms.delete(vmId);
      return;
    }
    this.move(vm, resumeState, "migration failed; VM stays here");
  }

  /** prepareIncoming reserves capacity for a VM about to arrive, with the snapshots it brings; it returns the migration id. */
  prepareIncoming(
    definition: AgentVmDefinition,
    resumeState: PowerState,
    snapshots: readonly SimSnapshot[] = [],
  ): string {
    if (this.vms.has(definition.vmId))
      throw alreadyExists("VM", definition.vmId, `node ${this.options.nodeId}`);
    this.reserve(definition);
    // An arriving VM is not created in the usual sense: it exists here in MIGRATING until switched over.
    this.vms.set(definition.vmId, {
      definition,
      state: "MIGRATING",
      ips: guestAddresses(definition, () => this.allocateIp()),
      snapshots: new Map(snapshots.map(({ id, ...snap }) => [id, { ...snap, disks: [...snap.disks] }])),
    });
    const id = `mig-${this.options.nodeId}-${this.nextMigration++}`;
    this.incoming.set(id, { vmId: definition.vmId, resumeState });
    return id;
  }

  /** completeIncoming switches an arrived VM on (success) or drops the reservation. */
  completeIncoming(migrationId: string, success: boolean): AgentVmStatus {
    const migration = this.incoming.get(migrationId);
    if (!migration) throw notFound("Migration", migrationId);
    this.incoming.delete(migrationId);
    const vm = this.vms.get(migration.vmId);
    if (!vm) throw notFound("VM", migration.vmId);
    if (!success) {
      this.vms.delete(migration.vmId);
      return { vmId: migration.vmId, powerState: "STOPPED", ipAddresses: [] };
    }
    const target = migration.resumeState === "RUNNING" ? "RUNNING" : "STOPPED";
    this.move(vm, target, "migrated here");
    return this.status(migration.vmId);
  }

  /**
   * powerOff is the host losing power (its BMC switched it off): every VM stops at once, as if its
   * plug were pulled, and says why. The VMs stay defined, as on a real host that boots again.
   */
  powerOff(): number {
    let stopped = 0;
    for (const vm of this.vms.values()) {
      if (vm.state === "STOPPED") continue;
      clearTimeout(vm.timer);
      vm.timer = undefined;
      vm.state = "STOPPED";
      this.emit(vm.definition.vmId, "STOPPED", "host powered off");
      stopped++;
    }
    return stopped;
  }

  /** close cancels every pending boot and shutdown timer. */
  close(): void {
    for (const vm of this.vms.values()) clearTimeout(vm.timer);
    this.listeners.clear();
  }

  private emit(vmId: string, powerState: PowerState, message?: string): void {
    const event: AgentEvent = {
      type: "vm-state",
      vmId,
      powerState,
      at: new Date().toISOString(),
      ...(message ? { message } : {}),
    };
    for (const listener of this.listeners) listener(event);
  }
}
