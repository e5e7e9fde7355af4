import { z } from "zod";
import { Condition, Description, Id, LabelKey, LabelValue, metaFields, Name, Timestamp } from "../common";
import { LabelSelector } from "../labels/label-selector";
import { Ipv4, MacAddress } from "./network";
import { TaintEffect } from "./node";

/** POWER_STATES are the power states of a VM. */
export const POWER_STATES = [
  "PENDING",
  "STOPPED",
  "STARTING",
  "RUNNING",
  "STOPPING",
  "PAUSED",
  "SUSPENDED",
  "MIGRATING",
  "FAILED",
  "DELETING",
] as const;
/** PowerState is the observed power state of a VM. */
export const PowerState = z.enum(POWER_STATES);
/** PowerState is the observed power state of a VM. */
export type PowerState = z.infer<typeof PowerState>;

/** DesiredPowerState is the power state a user asks for; the reconciler drives the VM there. */
export const DesiredPowerState = z.enum(["RUNNING", "STOPPED", "PAUSED", "SUSPENDED"]);
/** DesiredPowerState is the power state a user asks for. */
export type DesiredPowerState = z.infer<typeof DesiredPowerState>;

/** VmDisk attaches a volume to a VM. */
export const VmDisk = z.strictObject({
  name: Name,
  volumeId: Id,
  bus: z.enum(["virtio", "scsi", "sata", "ide"]).default("virtio"),
  bootOrder: z.int().min(0).max(64).optional(),
  readOnly: z.boolean().default(false),
});
/** VmDisk attaches a volume to a VM. */
export type VmDisk = z.infer<typeof VmDisk>;

/** VmNic connects a VM to a virtual network, guarded by security groups. */
export const VmNic = z.strictObject({
  name: Name,
  networkId: Id,
  securityGroupIds: z.array(Id).max(16).default([]),
  /** The MAC address the user asked for; absent, the server generates one (recorded in status.nics). */
  macAddress: MacAddress.optional(),
  /**
   * The fixed address the user asked for, inside the network's CIDR and not reserved there;
   * absent, the server allocates one from the network's pool (recorded in status.nics).
   */
  ipAddress: Ipv4.optional(),
  model: z.enum(["virtio", "e1000", "rtl8139"]).default("virtio"),
});
/** VmNic connects a VM to a virtual network. */
export type VmNic = z.infer<typeof VmNic>;

/**
 * VmNicStatus is the address and MAC address a NIC holds on its network: the fixed ones of its
 * spec, or those the server chose when the VM was created. They are the network's allocation for
 * the NIC, held until the VM is deleted.
 */
export const VmNicStatus = z.strictObject({
  name: Name,
  networkId: Id,
  ipAddress: Ipv4,
  macAddress: MacAddress,
});
/** VmNicStatus is the address and MAC address a NIC holds on its network. */
export type VmNicStatus = z.infer<typeof VmNicStatus>;

/** Toleration lets a VM run on nodes with matching taints. */
export const Toleration = z.strictObject({
  /** An absent key with operator Exists tolerates every taint. */
  key: LabelKey.optional(),
  operator: z.enum(["Equal", "Exists"]).default("Equal"),
  value: LabelValue.default(""),
  /** An absent effect matches every effect. */
  effect: TaintEffect.optional(),
});
/** Toleration lets a VM run on nodes with matching taints. */
export type Toleration = z.infer<typeof Toleration>;

/** TOPOLOGY_NODE is the topology key that makes each node its own domain. */
export const TOPOLOGY_NODE = "node";

/** VmAffinityTerm selects other VMs by label, within a topology domain (`node` or a node label such as `zone`). */
export const VmAffinityTerm = z.strictObject({
  selector: LabelSelector.min(1),
  topologyKey: z.union([z.literal(TOPOLOGY_NODE), LabelKey]).default(TOPOLOGY_NODE),
  /** Weight of a preferred term (1–100); ignored for required terms. */
  weight: z.int().min(1).max(100).default(100),
});
/** VmAffinityTerm selects other VMs by label within a topology domain. */
export type VmAffinityTerm = z.infer<typeof VmAffinityTerm>;

/** VmAffinityRules hold required (hard) and preferred (soft) terms. */
export const VmAffinityRules = z.strictObject({
  required: z.array(VmAffinityTerm).max(16).default([]),
  preferred: z.array(VmAffinityTerm).max(16).default([]),
});
/** VmAffinityRules hold required and preferred terms. */
export type VmAffinityRules = z.infer<typeof VmAffinityRules>;

/** HostRule binds a VM to (or keeps it off) a group of nodes chosen by label. */
export const HostRule = z.strictObject({
  nodeSelector: LabelSelector.min(1),
  type: z.enum(["run-on", "not-run-on"]),
  /** `must` is a hard rule; `should` is scored. */
  enforcement: z.enum(["must", "should"]),
  weight: z.int().min(1).max(100).default(100),
});
/** HostRule binds a VM to, or keeps it off, a group of nodes. */
export type HostRule = z.infer<typeof HostRule>;

/** VmAffinity collects a VM's placement relations to other VMs and to hosts. */
export const VmAffinity = z.strictObject({
  vmAffinity: VmAffinityRules.default({ required: [], preferred: [] }),
  vmAntiAffinity: VmAffinityRules.default({ required: [], preferred: [] }),
  hostRules: z.array(HostRule).max(16).default([]),
});
/** VmAffinity collects a VM's placement relations. */
export type VmAffinity = z.infer<typeof VmAffinity>;

/** RestartPriority orders HA restarts. */
export const RestartPriority = z.enum(["high", "medium", "low"]);
/** RestartPriority orders HA restarts. */
export type RestartPriority = z.infer<typeof RestartPriority>;

/** VmHaPolicy says whether and how urgently HA restarts a VM after its host fails. */
export const VmHaPolicy = z.strictObject({
  enabled: z.boolean().default(true),
  restartPriority: RestartPriority.default("medium"),
});
/** VmHaPolicy says whether and how urgently HA restarts a VM. */
export type VmHaPolicy = z.infer<typeof VmHaPolicy>;

function uniqueNames(items: readonly { name: string }[], ctx: z.RefinementCtx, field: string): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.name))
      ctx.addIssue({ code: "custom", path: [field, i, "name"], message: "must be unique" });
    seen.add(item.name);
  });
}

/** VmSpec is what a user asks of a VM. */
export const VmSpec = z
  .strictObject({
    description: Description.default(""),
    cpu: z.strictObject({ vcpus: z.int().min(1).max(512) }),
    memory: z.strictObject({
      sizeMib: z
        .int()
        .min(512)
        .max(16 * 1024 * 1024),
    }),
    disks: z.array(VmDisk).max(32).default([]),
    nics: z.array(VmNic).max(16).default([]),
    bootImageId: Id.optional(),
    nodeSelector: LabelSelector.default([]),
    tolerations: z.array(Toleration).max(32).default([]),
    affinity: VmAffinity.default({
      vmAffinity: { required: [], preferred: [] },
      vmAntiAffinity: { required: [], preferred: [] },
      hostRules: [],
    }),
    ha: VmHaPolicy.default({ enabled: true, restartPriority: "medium" }),
    desiredPowerState: DesiredPowerState.default("STOPPED"),
    /** How the last stop asked for is to be done; kept with the desired state so any leader carries it out as asked. */
    stopMode: z.enum(["graceful", "force"]).default("graceful"),
  })
  .superRefine((spec, ctx) => {
    uniqueNames(spec.disks, ctx, "disks");
    uniqueNames(spec.nics, ctx, "nics");
    const volumes = new Set<string>();
    spec.disks.forEach((d, i) => {
      if (volumes.has(d.volumeId))
        ctx.addIssue({
          code: "custom",
          path: ["disks", i, "volumeId"],
          message: "must not attach the same volume twice",
        });
      volumes.add(d.volumeId);
    });
  });
/** VmSpec is what a user asks of a VM. */
export type VmSpec = z.infer<typeof VmSpec>;

/** VmStatus is what the agents reported of a VM. */
export const VmStatus = z.strictObject({
  powerState: PowerState.default("PENDING"),
  /** The node the VM is placed on (capacity is reserved there). */
  nodeId: Id.optional(),
  /** Addresses the agent reports for the running VM. */
  ipAddresses: z.array(z.string().max(64)).max(64).default([]),
  /** The address and MAC address each NIC holds on its network, allocated when the VM was created. */
  nics: z.array(VmNicStatus).max(16).default([]),
  conditions: z.array(Condition).default([]),
  message: z.string().max(1024).default(""),
  lastTransitionAt: Timestamp.optional(),
  migration: z
    .strictObject({ targetNodeId: Id, progressPercent: z.number().min(0).max(100), startedAt: Timestamp })
    .optional(),
});
/** VmStatus is what the agents reported of a VM. */
export type VmStatus = z.infer<typeof VmStatus>;

/** VirtualMachine is a guest: spec is what the user asked for, status what the agents report. */
export const VirtualMachine = z.strictObject({
  ...metaFields,
  projectId: Id,
  clusterId: Id.optional(),
  spec: VmSpec,
  status: VmStatus,
});
/** VirtualMachine is a guest with spec and status. */
export type VirtualMachine = z.infer<typeof VirtualMachine>;

/** VmSnapshotPhase is the lifecycle phase of a VM snapshot. */
export const SnapshotPhase = z.enum(["CREATING", "READY", "ERROR", "DELETING"]);
/** SnapshotPhase is the lifecycle phase of a snapshot. */
export type SnapshotPhase = z.infer<typeof SnapshotPhase>;

/** VmSnapshot is a point-in-time copy of a VM's disks (and optionally its memory). */
export const VmSnapshot = z.strictObject({
  ...metaFields,
  projectId: Id,
  vmId: Id,
  description: Description.default(""),
  includeMemory: z.boolean().default(false),
  status: z
    .strictObject({
      phase: SnapshotPhase.default("CREATING"),
      sizeBytes: z.int().min(0).optional(),
      message: z.string().max(1024).default(""),
    })
    .default({ phase: "CREATING", message: "" }),
});
/** VmSnapshot is a point-in-time copy of a VM. */
export type VmSnapshot = z.infer<typeof VmSnapshot>;
