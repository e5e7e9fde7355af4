import { create } from "@bufbuild/protobuf";
import {
  type AgentDisk,
  type AgentEvent,
  type AgentNic,
  type AgentNicConfig,
  type AgentNodeInfo,
  type AgentSecurityRule,
  type AgentVmDefinition,
  type AgentVmStatus,
  type MigrationProgress,
  type PowerState as DomainPowerState,
  agentNicConfig,
} from "@limiquantix/domain";
import {
  type Disk,
  DiskBus,
  DiskSchema,
  MigrationPhase,
  type Nic,
  NicSchema,
  type NodeInfo,
  PowerState,
  RuleAction,
  RuleDirection,
  RuleProtocol,
  type SecurityRule,
  SecurityRuleSchema,
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

const DIRECTION: Record<AgentSecurityRule["direction"], RuleDirection> = {
  INGRESS: RuleDirection.INGRESS,
  EGRESS: RuleDirection.EGRESS,
};

const PROTOCOL: Record<AgentSecurityRule["protocol"], RuleProtocol> = {
  TCP: RuleProtocol.TCP,
  UDP: RuleProtocol.UDP,
  ICMP: RuleProtocol.ICMP,
  ANY: RuleProtocol.ANY,
};

const ACTION: Record<AgentSecurityRule["action"], RuleAction> = {
  ALLOW: RuleAction.ALLOW,
  DENY: RuleAction.DENY,
};

function keyOf<K extends string, V>(table: Record<K, V>, value: V, fallback: K): K {
  return (Object.keys(table) as K[]).find((k) => table[k] === value) ?? fallback;
}

/** securityRuleToProto maps a NIC's security rule to the wire message. */
export function securityRuleToProto(rule: AgentSecurityRule): SecurityRule {
  return create(SecurityRuleSchema, {
    groupId: rule.groupId,
    ruleId: rule.id,
    direction: DIRECTION[rule.direction],
    protocol: PROTOCOL[rule.protocol],
    portFrom: rule.portRange?.from ?? 0,
    portTo: rule.portRange?.to ?? 0,
    cidr: rule.cidr,
    action: ACTION[rule.action],
    priority: rule.priority,
  });
}

/** securityRuleFromProto maps a wire security rule to the domain (after it has been validated); an empty cidr reads as anywhere. */
export function securityRuleFromProto(rule: SecurityRule): AgentSecurityRule {
  return {
    groupId: rule.groupId,
    id: rule.ruleId,
    direction: keyOf(DIRECTION, rule.direction, "INGRESS"),
    protocol: keyOf(PROTOCOL, rule.protocol, "ANY"),
    ...(rule.portFrom !== 0 || rule.portTo !== 0
      ? { portRange: { from: rule.portFrom, to: rule.portTo } }
      : {}),
    cidr: rule.cidr || "0.0.0.0/0",
    action: keyOf(ACTION, rule.action, "DENY"),
    priority: rule.priority,
  };
}

/** nicToProto maps a NIC of a definition, with its address, VLAN and security rules when it has them, to the wire message. */
export function nicToProto(nic: AgentNic): Nic {
  const n = agentNicConfig(nic);
  return create(NicSchema, {
    name: n.name,
    networkId: n.networkId,
    macAddress: n.macAddress ?? "",
    ipAddress: n.ipAddress ?? "",
    prefixLength: n.prefixLength ?? 0,
    gateway: n.gateway ?? "",
    vlanId: n.vlanId ?? 0,
    vni: n.vni ?? 0,
    securityGroupIds: [...(n.securityGroupIds ?? [])],
    securityRules: (n.securityRules ?? []).map(securityRuleToProto),
  });
}

/** nicFromProto maps a wire NIC to the domain; empty and zero fields read as absent. */
export function nicFromProto(n: Nic): AgentNicConfig {
  return {
    name: n.name,
    networkId: n.networkId,
    ...(n.macAddress ? { macAddress: n.macAddress } : {}),
    ...(n.ipAddress ? { ipAddress: n.ipAddress, prefixLength: n.prefixLength } : {}),
    ...(n.gateway ? { gateway: n.gateway } : {}),
    ...(n.vlanId !== 0 ? { vlanId: n.vlanId } : {}),
    ...(n.vni !== 0 ? { vni: n.vni } : {}),
    ...(n.securityGroupIds.length > 0 ? { securityGroupIds: [...n.securityGroupIds] } : {}),
    ...(n.securityRules.length > 0 ? { securityRules: n.securityRules.map(securityRuleFromProto) } : {}),
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
    nics: def.nics.map(nicToProto),
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
    nics: def.nics.map(nicFromProto),
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
    ...(status.diskUsedGib !== undefined ? { diskUsedGib: status.diskUsedGib } : {}),
    ...(status.diskCapacityGib !== undefined ? { diskCapacityGib: status.diskCapacityGib } : {}),
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
