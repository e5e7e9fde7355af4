import { create } from "@bufbuild/protobuf";
import { storage } from "@limiquantix/api";
import { StoragePool, StoragePoolType, parseOrThrow } from "@limiquantix/domain";
import { metaToProto } from "../../rpc/convert/common";
import { enumCodec } from "../../rpc/convert/enum-codec";

/** StoragePoolPhase is the health of a pool, as the domain names it. */
type StoragePoolPhase = StoragePool["status"]["phase"];

/** storagePoolTypeCodec converts pool backends between the domain and the wire. */
export const storagePoolTypeCodec = enumCodec<StoragePoolType>(
  storage.StoragePoolType,
  StoragePoolType.options,
  "StoragePoolType",
);

/** storagePoolPhaseCodec converts pool phases between the domain and the wire. */
export const storagePoolPhaseCodec = enumCodec<StoragePoolPhase>(
  storage.StoragePoolPhase,
  ["PENDING", "READY", "DEGRADED", "ERROR"],
  "StoragePoolPhase",
);

/** storagePoolSpecToProto gives the wire form of a pool's spec. */
export function storagePoolSpecToProto(spec: StoragePool["spec"]): storage.StoragePoolSpec {
  return create(storage.StoragePoolSpecSchema, {
    description: spec.description,
    type: storagePoolTypeCodec.toProto(spec.type),
    capacityGib: BigInt(spec.capacityGib),
    nodeIds: [...spec.nodeIds],
    config: { ...spec.config },
    overprovisionRatio: spec.overprovisionRatio,
  });
}

/** storagePoolToProto gives the wire form of a pool. */
export function storagePoolToProto(p: StoragePool): storage.StoragePool {
  return create(storage.StoragePoolSchema, {
    ...metaToProto(p),
    projectId: p.projectId ?? "",
    clusterId: p.clusterId ?? "",
    spec: storagePoolSpecToProto(p.spec),
    status: {
      phase: storagePoolPhaseCodec.toProto(p.status.phase),
      allocatedGib: BigInt(p.status.allocatedGib),
      usedGib: p.status.usedGib,
      message: p.status.message,
    },
  });
}

/**
 * storagePoolSpecFromProto reads a pool spec off the wire and validates it with the domain schema
 * (violations are named under `field`); an overprovision_ratio of 0 means the default.
 */
export function storagePoolSpecFromProto(spec: storage.StoragePoolSpec, field = "spec"): StoragePool["spec"] {
  const raw = {
    description: spec.description,
    type: storagePoolTypeCodec.fromProto(spec.type, `${field}.type`),
    capacityGib: Number(spec.capacityGib),
    nodeIds: spec.nodeIds,
    config: spec.config,
    ...(spec.overprovisionRatio !== 0 ? { overprovisionRatio: spec.overprovisionRatio } : {}),
  };
  return parseOrThrow(StoragePool.shape.spec, raw, undefined, field.split("."));
}
