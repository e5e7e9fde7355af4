import { create } from "@bufbuild/protobuf";
import { storage } from "@limiquantix/api";
import { VOLUME_PHASES, Volume, type VolumePhase, parseOrThrow } from "@limiquantix/domain";
import { metaToProto, toTimestamp } from "../../rpc/convert/common";
import { enumCodec } from "../../rpc/convert/enum-codec";

/** volumePhaseCodec converts volume lifecycle phases between the domain and the wire. */
export const volumePhaseCodec = enumCodec<VolumePhase>(storage.VolumePhase, VOLUME_PHASES, "VolumePhase");

/** provisioningCodec converts thin/thick provisioning between the domain and the wire. */
export const provisioningCodec = enumCodec<Volume["spec"]["provisioning"]>(
  storage.Provisioning,
  ["THIN", "THICK"],
  "Provisioning",
);

/** volumeToProto gives the wire form of a volume. */
export function volumeToProto(v: Volume): storage.Volume {
  const a = v.status.attachment;
  return create(storage.VolumeSchema, {
    ...metaToProto(v),
    projectId: v.projectId,
    spec: {
      description: v.spec.description,
      poolId: v.spec.poolId,
      sizeGib: BigInt(v.spec.sizeGib),
      provisioning: provisioningCodec.toProto(v.spec.provisioning),
      sourceImageId: v.spec.sourceImageId ?? "",
      sourceSnapshotId: v.spec.sourceSnapshotId ?? "",
    },
    status: {
      phase: volumePhaseCodec.toProto(v.status.phase),
      attachment: a
        ? { vmId: a.vmId, device: a.device ?? "", attachTime: toTimestamp(a.attachedAt) }
        : undefined,
      message: v.status.message,
    },
  });
}

/**
 * volumeSpecFromProto reads a volume spec off the wire and validates it with the domain schema
 * (violations are named under `field`); provisioning UNSPECIFIED means the default (thin).
 */
export function volumeSpecFromProto(spec: storage.VolumeSpec, field = "spec"): Volume["spec"] {
  const provisioning = provisioningCodec.fromProto(spec.provisioning, `${field}.provisioning`);
  const raw = {
    description: spec.description,
    poolId: spec.poolId,
    sizeGib: Number(spec.sizeGib),
    ...(provisioning ? { provisioning } : {}),
    ...(spec.sourceImageId ? { sourceImageId: spec.sourceImageId } : {}),
    ...(spec.sourceSnapshotId ? { sourceSnapshotId: spec.sourceSnapshotId } : {}),
  };
  return parseOrThrow(Volume.shape.spec, raw, undefined, field.split("."));
}
