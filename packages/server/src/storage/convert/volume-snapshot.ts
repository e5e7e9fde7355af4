import { create } from "@bufbuild/protobuf";
import { storage } from "@limiquantix/api";
import { SnapshotPhase, type VolumeSnapshot } from "@limiquantix/domain";
import { metaToProto } from "../../rpc/convert/common";
import { enumCodec } from "../../rpc/convert/enum-codec";

/** volumeSnapshotPhaseCodec converts volume snapshot phases between the domain and the wire. */
export const volumeSnapshotPhaseCodec = enumCodec<SnapshotPhase>(
  storage.VolumeSnapshotPhase,
  SnapshotPhase.options,
  "VolumeSnapshotPhase",
);

/** volumeSnapshotToProto gives the wire form of a volume snapshot (its status flattened, as the proto has it). */
export function volumeSnapshotToProto(s: VolumeSnapshot): storage.VolumeSnapshot {
  return create(storage.VolumeSnapshotSchema, {
    ...metaToProto(s),
    projectId: s.projectId,
    volumeId: s.volumeId,
    description: s.description,
    phase: volumeSnapshotPhaseCodec.toProto(s.status.phase),
    sizeGib: BigInt(s.status.sizeGib ?? 0),
    message: s.status.message,
  });
}
