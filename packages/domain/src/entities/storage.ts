import { z } from "zod";
import { Description, Gib, Id, metaFields, Timestamp } from "../common";
import { SnapshotPhase } from "./virtual-machine";

/** StoragePoolType is the storage backend of a pool. */
export const StoragePoolType = z.enum(["CEPH_RBD", "LOCAL_LVM", "NFS", "LOCAL_DIR"]);
/** StoragePoolType is the storage backend of a pool. */
export type StoragePoolType = z.infer<typeof StoragePoolType>;

/** StoragePool is a place volumes are carved from, reachable from a set of nodes. */
export const StoragePool = z.strictObject({
  ...metaFields,
  /** Absent for a pool shared by every project. */
  projectId: Id.optional(),
  clusterId: Id.optional(),
  spec: z.strictObject({
    description: Description.default(""),
    type: StoragePoolType,
    capacityGib: Gib,
    /** Nodes that reach the pool; empty means every node. */
    nodeIds: z.array(Id).max(10_000).default([]),
    /** Backend settings (monitors, export path, volume group, directory …). */
    config: z.record(z.string().max(128), z.string().max(1024)).default({}),
    /** How far thin volumes may over-subscribe the capacity (1 = no over-subscription). */
    overprovisionRatio: z.number().min(1).max(20).default(1),
  }),
  status: z
    .strictObject({
      phase: z.enum(["PENDING", "READY", "DEGRADED", "ERROR"]).default("READY"),
      /** Sum of the sizes of the pool's volumes. */
      allocatedGib: z.int().min(0).default(0),
      /** Bytes actually written, as the backend reports them. */
      usedGib: z.number().min(0).default(0),
      message: z.string().max(1024).default(""),
    })
    .default({ phase: "READY", allocatedGib: 0, usedGib: 0, message: "" }),
});
/** StoragePool is a place volumes are carved from. */
export type StoragePool = z.infer<typeof StoragePool>;

/** VOLUME_PHASES are the lifecycle phases of a volume. */
export const VOLUME_PHASES = ["CREATING", "AVAILABLE", "IN_USE", "DETACHING", "DELETING", "ERROR"] as const;
/** VolumePhase is one lifecycle phase of a volume. */
export const VolumePhase = z.enum(VOLUME_PHASES);
/** VolumePhase is one lifecycle phase of a volume. */
export type VolumePhase = z.infer<typeof VolumePhase>;

/** Volume is a block device carved from a pool, attached to at most one VM. */
export const Volume = z.strictObject({
  ...metaFields,
  projectId: Id,
  spec: z.strictObject({
    description: Description.default(""),
    poolId: Id,
    sizeGib: Gib.max(65_536),
    provisioning: z.enum(["THIN", "THICK"]).default("THIN"),
    sourceImageId: Id.optional(),
    sourceSnapshotId: Id.optional(),
  }),
  status: z
    .strictObject({
      phase: VolumePhase.default("CREATING"),
      attachment: z
        .strictObject({ vmId: Id, device: z.string().max(32).optional(), attachedAt: Timestamp })
        .optional(),
      message: z.string().max(1024).default(""),
    })
    .default({ phase: "CREATING", message: "" }),
});
/** Volume is a block device carved from a pool. */
export type Volume = z.infer<typeof Volume>;

/** VolumeSnapshot is a point-in-time copy of a volume. */
export const VolumeSnapshot = z.strictObject({
  ...metaFields,
  projectId: Id,
  volumeId: Id,
  description: Description.default(""),
  status: z
    .strictObject({
      phase: SnapshotPhase.default("CREATING"),
      sizeGib: z.int().min(0).optional(),
      message: z.string().max(1024).default(""),
    })
    .default({ phase: "CREATING", message: "" }),
});
/** VolumeSnapshot is a point-in-time copy of a volume. */
export type VolumeSnapshot = z.infer<typeof VolumeSnapshot>;

/** Image is a boot image (qcow2, raw or ISO) volumes are created from. */
export const Image = z.strictObject({
  ...metaFields,
  /** Absent for a public image every project can use. */
  projectId: Id.optional(),
  spec: z.strictObject({
    description: Description.default(""),
    format: z.enum(["QCOW2", "RAW", "ISO"]),
    osFamily: z.enum(["LINUX", "WINDOWS", "BSD", "OTHER"]).default("LINUX"),
    osName: z.string().max(128).default(""),
    sourceUrl: z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).optional(),
    sizeBytes: z.int().min(0).optional(),
    minDiskGib: Gib.default(1),
    minMemoryMib: z.int().min(0).default(512),
    poolId: Id.optional(),
  }),
  status: z
    .strictObject({
      phase: z.enum(["PENDING", "DOWNLOADING", "READY", "ERROR"]).default("PENDING"),
      progressPercent: z.number().min(0).max(100).default(0),
      message: z.string().max(1024).default(""),
    })
    .default({ phase: "PENDING", progressPercent: 0, message: "" }),
});
/** Image is a boot image. */
export type Image = z.infer<typeof Image>;
