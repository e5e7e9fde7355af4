import type { CpuTopology } from "../entities/node";
import type { PowerState } from "../entities/virtual-machine";
import { type Subscription, serviceIdentifier } from "./service-identifier";

/** AgentNodeInfo is what a hypervisor agent reports about its host. */
export interface AgentNodeInfo {
  readonly nodeId: string;
  readonly hostname: string;
  readonly managementIp: string;
  readonly cpu: CpuTopology;
  readonly memoryMib: number;
  readonly agentVersion: string;
  /** Hypervisor name and version, e.g. `kvm/8.2`. */
  readonly hypervisor: string;
}

/** AgentHealth is the answer to a health check. */
export interface AgentHealth {
  readonly healthy: boolean;
  readonly message: string;
}

/** AgentDisk is a disk as the agent attaches it. */
export interface AgentDisk {
  readonly name: string;
  readonly volumeId: string;
  readonly sizeGib: number;
  readonly bus: "virtio" | "scsi" | "sata" | "ide";
  readonly readOnly?: boolean;
}

/** AgentNic is a NIC as the agent plugs it. */
export interface AgentNic {
  readonly name: string;
  readonly networkId: string;
  readonly macAddress?: string;
}

/** AgentVmDefinition is everything an agent needs to define a VM. */
export interface AgentVmDefinition {
  readonly vmId: string;
  readonly name: string;
  readonly vcpus: number;
  readonly memoryMib: number;
  readonly disks: readonly AgentDisk[];
  readonly nics: readonly AgentNic[];
  readonly bootImageId?: string;
}

/** AgentVmStatus is a VM as its agent sees it. */
export interface AgentVmStatus {
  readonly vmId: string;
  readonly powerState: PowerState;
  readonly ipAddresses: readonly string[];
  /** The guest's CPU use over its vCPUs (0–100), while it runs; absent when the agent does not measure it. */
  readonly cpuPercent?: number;
  /** The memory the guest uses, while it runs. */
  readonly memoryUsedMib?: number;
  /** The space the guest has written on its disks, added up. */
  readonly diskUsedGib?: number;
  /** The size of the guest's disks, added up. */
  readonly diskCapacityGib?: number;
}

/** StopOptions say how to stop a VM: ask the guest (up to timeoutSec) or pull the plug. */
export interface StopOptions {
  readonly mode: "graceful" | "force";
  readonly timeoutSec?: number;
}

/** MigrationProgress reports a live migration's advance. */
export interface MigrationProgress {
  readonly vmId: string;
  readonly percent: number;
  readonly phase: "PREPARING" | "TRANSFERRING" | "SWITCHING" | "COMPLETED" | "FAILED";
  readonly message?: string;
}

/** MigrationTarget names the node a VM migrates to and how to reach its agent. */
export interface MigrationTarget {
  readonly nodeId: string;
  readonly address: string;
  /** The name the target agent's certificate carries, which the source agent checks (defaults to nodeId). */
  readonly serverName?: string;
}

/** AgentEvent is what an agent streams: VM state changes and node metrics. */
export type AgentEvent =
  | {
      readonly type: "vm-state";
      readonly vmId: string;
      readonly powerState: PowerState;
      readonly at: string;
      readonly message?: string;
    }
  | {
      readonly type: "node-metrics";
      readonly at: string;
      readonly cpuPercent: number;
      readonly memoryUsedMib: number;
      readonly vmCount: number;
    };

/**
 * HypervisorAgent is the control plane's view of one node's agent. Every call fails with a
 * DomainError: NotFound for an unknown VM, FailedPrecondition for an illegal power transition,
 * Unavailable when the agent cannot be reached.
 */
export interface HypervisorAgent {
  readonly nodeId: string;
  getNodeInfo(): Promise<AgentNodeInfo>;
  healthCheck(): Promise<AgentHealth>;
  createVm(definition: AgentVmDefinition): Promise<AgentVmStatus>;
  startVm(vmId: string): Promise<AgentVmStatus>;
  stopVm(vmId: string, options: StopOptions): Promise<AgentVmStatus>;
  rebootVm(vmId: string): Promise<AgentVmStatus>;
  pauseVm(vmId: string): Promise<AgentVmStatus>;
  resumeVm(vmId: string): Promise<AgentVmStatus>;
  suspendVm(vmId: string): Promise<AgentVmStatus>;
  deleteVm(vmId: string): Promise<void>;
  getVmStatus(vmId: string): Promise<AgentVmStatus>;
  listVms(): Promise<readonly AgentVmStatus[]>;
  createSnapshot(vmId: string, snapshot: { id: string; name: string; includeMemory: boolean }): Promise<void>;
  revertSnapshot(vmId: string, snapshotId: string): Promise<AgentVmStatus>;
  deleteSnapshot(vmId: string, snapshotId: string): Promise<void>;
  /** migrateVm moves a VM to another node's agent, reporting progress; it resolves when the VM runs on the target. */
  migrateVm(
    vmId: string,
    target: MigrationTarget,
    options?: { live?: boolean; onProgress?: (p: MigrationProgress) => void; signal?: AbortSignal },
  ): Promise<void>;
  attachDisk(vmId: string, disk: AgentDisk): Promise<void>;
  detachDisk(vmId: string, diskName: string): Promise<void>;
  /** streamEvents delivers the agent's events until unsubscribed. */
  streamEvents(listener: (event: AgentEvent) => void): Promise<Subscription>;
}

/** AgentEndpoint says how to reach a node's agent. */
export interface AgentEndpoint {
  readonly nodeId: string;
  /** `host:port` of the agent. */
  readonly address: string;
  /** The name the agent's certificate must carry (defaults to the host of address). */
  readonly serverName?: string;
}

/** AgentPool holds the connections to every node's agent. */
export interface AgentPool {
  /** connect registers (or re-points) the endpoint of a node's agent. */
  connect(endpoint: AgentEndpoint): Promise<void>;
  /** agent returns the agent of a connected node, or throws NotFound. */
  agent(nodeId: string): HypervisorAgent;
  /** has says whether a node's agent is connected. */
  has(nodeId: string): boolean;
  /** disconnect closes and forgets a node's agent connection. */
  disconnect(nodeId: string): Promise<void>;
  /** close closes every connection. */
  close(): Promise<void>;
}
/** AgentPool is the service identifier of the AgentPool port. */
export const AgentPool = serviceIdentifier<AgentPool>("AgentPool");
