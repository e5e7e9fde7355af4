import {
  type AgentDisk,
  agentNicConfig,
  alreadyExists,
  type AgentVmDefinition,
  type AgentVmStatus,
  type CpuTopology,
  logicalCpus,
  notFound,
  type PowerState,
  resourceExhausted,
} from "@limiquantix/domain";

/** SimSnapshot is one snapshot of a simulated VM: what a revert restores. */
export interface SimSnapshot {
  readonly id: string;
  readonly name: string;
  readonly state: PowerState;
  readonly disks: readonly AgentDisk[];
}

/** SimVm is one simulated VM: its definition, power state, addresses, pending timer and snapshots. */
export interface SimVm {
  definition: AgentVmDefinition;
  state: PowerState;
  /** The guest's addresses: one per NIC, the one the definition gives it or one from the host's own pool. */
  ips: readonly string[];
  timer?: NodeJS.Timeout;
  readonly snapshots: Map<string, { name: string; state: PowerState; disks: AgentDisk[] }>;
  /** The load the guest reports while it runs; the defaults of SIM_VM_LOAD where absent. */
  load?: SimVmLoad;
}

/** SimVmLoad is how busy a simulated guest is: CPU over its vCPUs, memory over its memory, disk written over its disks' size (0–100 each). */
export interface SimVmLoad {
  readonly cpuPercent?: number;
  readonly memoryPercent?: number;
  readonly diskPercent?: number;
}

/** SIM_VM_LOAD is the load of a running simulated guest nobody has set: a little CPU, half its memory, a tenth of its disks. */
export const SIM_VM_LOAD: Required<SimVmLoad> = { cpuPercent: 5, memoryPercent: 50, diskPercent: 10 };

/**
 * guestAddresses gives a VM one address per NIC: the address its definition carries, else the next
 * of the host's own pool. A VM without NICs gets one address from the pool, as a guest on the
 * host's default network would.
 */
export function guestAddresses(definition: AgentVmDefinition, fromPool: () => string): string[] {
  if (definition.nics.length === 0) return [fromPool()];
  return definition.nics.map((nic) => agentNicConfig(nic).ipAddress ?? fromPool());
}

/** isUp says whether a VM holds its host's CPU and memory right now. */
function isUp(vm: SimVm): boolean {
  return vm.state === "RUNNING" || vm.state === "PAUSED" || vm.state === "MIGRATING";
}

/** usageOf is what a running guest reports under its load: CPU, memory used, and disk written of its disks' size (with disks only). */
function usageOf(
  vm: SimVm,
): Pick<AgentVmStatus, "cpuPercent" | "memoryUsedMib" | "diskUsedGib" | "diskCapacityGib"> {
  const load = { ...SIM_VM_LOAD, ...vm.load };
  const capacity = vm.definition.disks.reduce((sum, d) => sum + d.sizeGib, 0);
  return {
    cpuPercent: load.cpuPercent,
    memoryUsedMib: Math.floor((vm.definition.memoryMib * load.memoryPercent) / 100),
    ...(capacity > 0
      ? { diskUsedGib: Math.round(capacity * load.diskPercent) / 100, diskCapacityGib: capacity }
      : {}),
  };
}

/** vmStatus reports a VM as GetVMStatus does: an address and usage only while it is up. */
export function vmStatus(vm: SimVm): AgentVmStatus {
  const up = vm.state === "RUNNING" || vm.state === "PAUSED";
  return {
    vmId: vm.definition.vmId,
    powerState: vm.state,
    ipAddresses: up ? [...vm.ips] : [],
    ...(up ? usageOf(vm) : {}),
  };
}

/** hostMetrics samples a host: the running VMs' vCPUs as a share of its logical CPUs, and their memory. */
export function hostMetrics(
  vms: Iterable<SimVm>,
  topology: CpuTopology,
): { cpuPercent: number; memoryUsedMib: number; vmCount: number } {
  let vcpus = 0;
  let memory = 0;
  let count = 0;
  for (const vm of vms) {
    count += 1;
    if (!isUp(vm)) continue;
    vcpus += vm.definition.vcpus;
    memory += vm.definition.memoryMib;
  }
  const cpuPercent = Math.min(100, (vcpus / logicalCpus(topology)) * 100);
  return { cpuPercent: Math.round(cpuPercent * 10) / 10, memoryUsedMib: memory, vmCount: count };
}

/**
 * checkFits throws ResourceExhausted when a VM does not fit beside the VMs already defined: every
 * defined VM holds its vCPUs and memory, as a real host reserves them, with no overcommit.
 */
export function checkFits(
  vms: Iterable<SimVm>,
  definition: AgentVmDefinition,
  topology: CpuTopology,
  memoryMib: number,
  nodeId: string,
  overcommit: { readonly cpu: number; readonly memory: number } = { cpu: 1, memory: 1 },
): void {
  let vcpusUsed = 0;
  let memoryUsed = 0;
  for (const vm of vms) {
    vcpusUsed += vm.definition.vcpus;
    memoryUsed += vm.definition.memoryMib;
  }
  const cpuCap = Math.floor(logicalCpus(topology) * overcommit.cpu);
  const memoryCap = Math.floor(memoryMib * overcommit.memory);
  if (vcpusUsed + definition.vcpus > cpuCap || memoryUsed + definition.memoryMib > memoryCap)
    throw resourceExhausted(
      `VM ${definition.vmId} (${definition.vcpus} vCPUs, ${definition.memoryMib} MiB) does not fit on node ${nodeId}: ` +
        `${cpuCap - vcpusUsed} vCPUs and ${memoryCap - memoryUsed} MiB free`,
      { node: nodeId, freeVcpus: cpuCap - vcpusUsed, freeMemoryMib: memoryCap - memoryUsed },
    );
}

/** takeSnapshot records a VM's disks and, for a memory snapshot of a live VM, its power state. */
export function takeSnapshot(vm: SimVm, snapshotId: string, name: string, includeMemory: boolean): void {
  if (vm.snapshots.has(snapshotId)) throw alreadyExists("VmSnapshot", snapshotId, `VM ${vm.definition.vmId}`);
  const live = vm.state === "RUNNING" || vm.state === "PAUSED";
  vm.snapshots.set(snapshotId, {
    name,
    state: includeMemory && live ? vm.state : "STOPPED",
    disks: [...vm.definition.disks],
  });
}

/** addDisk attaches a disk; disk names are unique per VM. */
export function addDisk(vm: SimVm, disk: AgentDisk): void {
  if (vm.definition.disks.some((d) => d.name === disk.name))
    throw alreadyExists("Disk", disk.name, `VM ${vm.definition.vmId}`);
  vm.definition = { ...vm.definition, disks: [...vm.definition.disks, disk] };
}

/** removeDisk detaches a disk by name. */
export function removeDisk(vm: SimVm, diskName: string): void {
  if (!vm.definition.disks.some((d) => d.name === diskName)) throw notFound("Disk", diskName);
  vm.definition = { ...vm.definition, disks: vm.definition.disks.filter((d) => d.name !== diskName) };
}
