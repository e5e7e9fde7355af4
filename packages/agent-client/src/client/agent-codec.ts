import { create } from "@bufbuild/protobuf";
import type {
  AgentDisk,
  AgentEvent,
  AgentNodeInfo,
  AgentVmDefinition,
  AgentVmStatus,
  MigrationProgress,
  PowerState as DomainPowerState,
} from "@limiquantix/domain";
import {
  type Disk,
  DiskBus,
  DiskSchema,
  MigrationPhase,
  type NodeInfo,
  PowerState,
  type VmDefinition,
  VmDefinitionSchema,
  type VmStatus,
} from "../gen/limiquantix/agent/v1/agent_pb";
import type {
  MigrateVMResponse,
  StreamEventsResponse,
} from "../gen/limiquantix/agent/v1/node_agent_service_pb";

const POWER: Record<DomainPowerState, PowerState> = {
  PENDING: PowerState.PENDING,
  STOPPED: PowerState.STOPPED,
  STARTING: PowerState.STARTING,
  RUNNING: PowerState.RUNNING,
  STOPPING: PowerState.STOPPING,
  PAUSED: PowerState.PAUSED,
  SUSPENDED: PowerState.SUSPENDED,
  MIGRATING: PowerState.MIGRATING,
  FAILED: PowerState.FAILED,
  DELETING: PowerState.DELETING,
};

const BUS: Record<AgentDisk["bus"], DiskBus> = {
  virtio: DiskBus.VIRTIO,
  scsi: DiskBus.SCSI,
  sata: DiskBus.SATA,
  ide: DiskBus.IDE,
};

/** powerStateToProto maps a domain power state to its wire enum. */
export function powerStateToProto(state: DomainPowerState): PowerState {
  return POWER[state];
}

/** powerStateFromProto maps a wire power state to the domain; unknown values read as FAILED, never as a crash. */
export function powerStateFromProto(state: PowerState): DomainPowerState {
  const name = PowerState[state] as DomainPowerState | undefined;
  return name !== undefined && name in POWER ? name : "FAILED";
}

/** diskToProto maps a domain disk to the wire message. */
export function diskToProto(disk: AgentDisk): Disk {
  return create(DiskSchema, {
    name: disk.name,
    volumeId: disk.volumeId,
    sizeGib: BigInt(disk.sizeGib),
    bus: BUS[disk.bus] ?? DiskBus.UNSPECIFIED,
    readOnly: disk.readOnly ?? false,
  });
}

/** diskFromProto maps a wire disk to the domain; an unspecified bus reads as virtio. */
export function diskFromProto(disk: Disk): AgentDisk {
  const bus = (Object.keys(BUS) as AgentDisk["bus"][]).find((k) => BUS[k] === disk.bus) ?? "virtio";
  return {
    name: disk.name,
    volumeId: disk.volumeId,
    sizeGib: Number(disk.sizeGib),
    bus,
    readOnly: disk.readOnly,
  };
}

/** definitionToProto maps a domain VM definition to the wire message. */
export function definitionToProto(def: AgentVmDefinition): VmDefinition {
  return create(VmDefinitionSchema, {
    vmId: def.vmId,
    name: def.name,
    vcpus: def.vcpus,
    memoryMib: BigInt(def.memoryMib),
    disks: def.disks.map(diskToProto),
    nics: def.nics.map((n) => ({ name: n.name, networkId: n.networkId, macAddress: n.macAddress ?? "" })),
    bootImageId: def.bootImageId ?? "",
  });
}

/** definitionFromProto maps a wire VM definition to the domain (after it has been validated). */
export function definitionFromProto(def: VmDefinition): AgentVmDefinition {
  return {
    vmId: def.vmId,
    name: def.name,
    vcpus: def.vcpus,
    memoryMib: Number(def.memoryMib),
    disks: def.disks.map(diskFromProto),
    nics: def.nics.map((n) =>
      n.macAddress
        ? { name: n.name, networkId: n.networkId, macAddress: n.macAddress }
        : { name: n.name, networkId: n.networkId },
    ),
    ...(def.bootImageId ? { bootImageId: def.bootImageId } : {}),
  };
}

/** statusFromProto maps a wire VM status to the domain. */
export function statusFromProto(status: VmStatus | undefined, vmId = ""): AgentVmStatus {
  if (!status) return { vmId, powerState: "FAILED", ipAddresses: [] };
  return {
    vmId: status.vmId,
    powerState: powerStateFromProto(status.powerState),
    ipAddresses: [...status.ipAddresses],
    ...(status.cpuPercent !== undefined ? { cpuPercent: status.cpuPercent } : {}),
    ...(status.memoryUsedMib !== undefined ? { memoryUsedMib: Number(status.memoryUsedMib) } : {}),
  };
}

/** nodeInfoFromProto maps the wire node info to the domain. */
export function nodeInfoFromProto(info: NodeInfo | undefined): AgentNodeInfo {
  return {
    nodeId: info?.nodeId ?? "",
    hostname: info?.hostname ?? "",
    managementIp: info?.managementIp ?? "",
    cpu: {
      sockets: info?.sockets ?? 0,
      coresPerSocket: info?.coresPerSocket ?? 0,
      threadsPerCore: info?.threadsPerCore ?? 1,
    },
    memoryMib: Number(info?.memoryMib ?? 0n),
    agentVersion: info?.agentVersion ?? "",
    hypervisor: info?.hypervisor ?? "",
  };
}

const PHASES: Record<MigrationPhase, MigrationProgress["phase"]> = {
  [MigrationPhase.UNSPECIFIED]: "PREPARING",
  [MigrationPhase.PREPARING]: "PREPARING",
  [MigrationPhase.TRANSFERRING]: "TRANSFERRING",
  [MigrationPhase.SWITCHING]: "SWITCHING",
  [MigrationPhase.COMPLETED]: "COMPLETED",
  [MigrationPhase.FAILED]: "FAILED",
};

/** progressFromProto maps one streamed migration update to the domain. */
export function progressFromProto(p: MigrateVMResponse): MigrationProgress {
  return {
    vmId: p.vmId,
    percent: p.percent,
    phase: PHASES[p.phase] ?? "PREPARING",
    ...(p.message ? { message: p.message } : {}),
  };
}

/** eventFromProto maps one streamed agent event to the domain, or undefined for an event kind this client does not know. */
export function eventFromProto(e: StreamEventsResponse): AgentEvent | undefined {
  const at = e.time
    ? new Date(Number(e.time.seconds) * 1000 + Math.floor(e.time.nanos / 1e6)).toISOString()
    : new Date().toISOString();
  switch (e.event.case) {
    case "vmState":
      return {
        type: "vm-state",
        vmId: e.event.value.vmId,
        powerState: powerStateFromProto(e.event.value.powerState),
        at,
        ...(e.event.value.message ? { message: e.event.value.message } : {}),
      };
    case "nodeMetrics":
      return {
        type: "node-metrics",
        at,
        cpuPercent: e.event.value.cpuPercent,
        memoryUsedMib: Number(e.event.value.memoryUsedMib),
        vmCount: e.event.value.vmCount,
      };
    default:
      return undefined;
  }
}
