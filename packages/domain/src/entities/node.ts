import { z } from "zod";
import { Condition, Id, LabelKey, LabelValue, metaFields, Timestamp } from "../common";
import { parseIPv4 } from "../net/ipv4";

/**
 * NODE_PHASES are the lifecycle phases of a hypervisor node. A node that misses its heartbeats is
 * NOT_READY; HA then fences it (FENCING) and, once it is fenced, calls it FAILED and restarts its
 * VMs elsewhere.
 */
export const NODE_PHASES = [
  "PENDING",
  "READY",
  "NOT_READY",
  "MAINTENANCE",
  "DECOMMISSIONED",
  "FENCING",
  "FAILED",
] as const;
/** NodePhase is one lifecycle phase of a node. */
export const NodePhase = z.enum(NODE_PHASES);
/** NodePhase is one lifecycle phase of a node. */
export type NodePhase = z.infer<typeof NodePhase>;

/** TaintEffect says what a taint does to VMs that do not tolerate it. */
export const TaintEffect = z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]);
/** TaintEffect says what a taint does to VMs that do not tolerate it. */
export type TaintEffect = z.infer<typeof TaintEffect>;

/** Taint repels VMs that do not tolerate it. */
export const Taint = z.strictObject({
  key: LabelKey,
  value: LabelValue.default(""),
  effect: TaintEffect,
});
/** Taint repels VMs that do not tolerate it. */
export type Taint = z.infer<typeof Taint>;

/** NodeRole is a duty a node performs; only `compute` nodes run VMs. */
export const NodeRole = z.enum(["compute", "storage", "network", "management"]);
/** NodeRole is a duty a node performs. */
export type NodeRole = z.infer<typeof NodeRole>;

/** CpuTopology is a node's physical CPU layout. */
export const CpuTopology = z.strictObject({
  sockets: z.int().min(1).max(64),
  coresPerSocket: z.int().min(1).max(1024),
  threadsPerCore: z.int().min(1).max(8).default(1),
});
/** CpuTopology is a node's physical CPU layout. */
export type CpuTopology = z.infer<typeof CpuTopology>;

/** logicalCpus is the number of hardware threads of a topology. */
export function logicalCpus(cpu: CpuTopology): number {
  return cpu.sockets * cpu.coresPerSocket * cpu.threadsPerCore;
}

/** Hostname is a DNS name of up to 253 characters. */
export const Hostname = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$/, {
    message: "must be a hostname: letters, digits, '-' and '.'",
  });

/** IpAddress is an IPv4 or IPv6 address. */
export const IpAddress = z
  .string()
  .refine((s) => parseIPv4(s) !== undefined || (s.includes(":") && /^[0-9A-Fa-f:.]+$/.test(s)), {
    message: "must be an IPv4 or IPv6 address",
  });

/** ResourceAmounts is a quantity of CPU and memory. */
export const ResourceAmounts = z.strictObject({
  vcpus: z.int().min(0),
  memoryMib: z.int().min(0),
});
/** ResourceAmounts is a quantity of CPU and memory. */
export type ResourceAmounts = z.infer<typeof ResourceAmounts>;

/** NodeSpec is what a node declared at registration and what operators set on it. */
export const NodeSpec = z.strictObject({
  hostname: Hostname,
  managementIp: IpAddress,
  /** Where the control plane reaches the node's agent (`host:port`). */
  agentAddress: z.string().max(260).optional(),
  roles: z.array(NodeRole).min(1).default(["compute"]),
  taints: z.array(Taint).max(64).default([]),
  cpu: CpuTopology,
  memoryMib: z.int().min(512),
  /** Capacity kept for the host itself; not offered to VMs. */
  reserved: ResourceAmounts.default({ vcpus: 0, memoryMib: 0 }),
  cordoned: z.boolean().default(false),
});
/** NodeSpec is what a node declared at registration and what operators set on it. */
export type NodeSpec = z.infer<typeof NodeSpec>;

/** NodeUsage is the live usage a node's agent last reported. */
export const NodeUsage = z.strictObject({
  cpuPercent: z.number().min(0).max(100),
  memoryUsedMib: z.int().min(0),
});
/** NodeUsage is the live usage a node's agent last reported. */
export type NodeUsage = z.infer<typeof NodeUsage>;

/** NodeStatus is what the control plane observed of a node. */
export const NodeStatus = z.strictObject({
  phase: NodePhase.default("PENDING"),
  /** Capacity offered to VMs before overcommit: logical CPUs and memory less the reservation. */
  allocatable: ResourceAmounts.default({ vcpus: 0, memoryMib: 0 }),
  /** Sum of the VMs placed on the node. */
  allocated: z
    .strictObject({ vcpus: z.int().min(0), memoryMib: z.int().min(0), vmCount: z.int().min(0) })
    .default({ vcpus: 0, memoryMib: 0, vmCount: 0 }),
  usage: NodeUsage.optional(),
  conditions: z.array(Condition).default([]),
  lastHeartbeatAt: Timestamp.optional(),
  agentVersion: z.string().max(64).optional(),
  message: z.string().max(1024).default(""),
});
/** NodeStatus is what the control plane observed of a node. */
export type NodeStatus = z.infer<typeof NodeStatus>;

/** Node is a hypervisor host that runs VMs. */
export const Node = z.strictObject({
  ...metaFields,
  clusterId: Id.optional(),
  spec: NodeSpec,
  status: NodeStatus,
});
/** Node is a hypervisor host that runs VMs. */
export type Node = z.infer<typeof Node>;

/** isSchedulable says whether new VMs may be placed on a node: READY, not cordoned, and a compute node. */
export function isSchedulable(node: Node): boolean {
  return node.status.phase === "READY" && !node.spec.cordoned && node.spec.roles.includes("compute");
}
