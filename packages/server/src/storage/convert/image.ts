import { create } from "@bufbuild/protobuf";
import { storage } from "@limiquantix/api";
import { Image, invalidArgument, parseOrThrow } from "@limiquantix/domain";
import { metaToProto } from "../../rpc/convert/common";
import { enumCodec } from "../../rpc/convert/enum-codec";

type ImageSpec = Image["spec"];

/** imageFormatCodec converts image formats between the domain and the wire. */
export const imageFormatCodec = enumCodec<ImageSpec["format"]>(
  storage.ImageFormat,
  ["QCOW2", "RAW", "ISO"],
  "ImageFormat",
);

/** osFamilyCodec converts operating-system families between the domain and the wire. */
export const osFamilyCodec = enumCodec<ImageSpec["osFamily"]>(
  storage.OsFamily,
  ["LINUX", "WINDOWS", "BSD", "OTHER"],
  "OsFamily",
);

/** imagePhaseCodec converts image phases between the domain and the wire. */
export const imagePhaseCodec = enumCodec<Image["status"]["phase"]>(
  storage.ImagePhase,
  ["PENDING", "DOWNLOADING", "READY", "ERROR"],
  "ImagePhase",
);

/** imageSpecToProto gives the wire form of an image's spec. */
export function imageSpecToProto(spec: ImageSpec): storage.ImageSpec {
  return create(storage.ImageSpecSchema, {
    description: spec.description,
    format: imageFormatCodec.toProto(spec.format),
    osFamily: osFamilyCodec.toProto(spec.osFamily),
    osName: spec.osName,
    sourceUrl: spec.sourceUrl ?? "",
    sizeBytes: BigInt(spec.sizeBytes ?? 0),
    minDiskGib: BigInt(spec.minDiskGib),
    minMemoryMib: BigInt(spec.minMemoryMib),
    poolId: spec.poolId ?? "",
  });
}

/** imageToProto gives the wire form of an image. */
export function imageToProto(i: Image): storage.Image {
  return create(storage.ImageSchema, {
    ...metaToProto(i),
    projectId: i.projectId ?? "",
    spec: imageSpecToProto(i.spec),
    status: {
      phase: imagePhaseCodec.toProto(i.status.phase),
      progressPercent: i.status.progressPercent,
      message: i.status.message,
    },
  });
}

/**
 * imageSpecFromProto reads an image spec off the wire and validates it with the domain schema
 * (violations are named under `field`); zero sizes and an unspecified OS family mean the defaults.
 */
export function imageSpecFromProto(spec: storage.ImageSpec, field = "spec"): ImageSpec {
  // The domain accepts any URL; the wire contract (and the only download path) is http or https.
  if (spec.sourceUrl && !/^https?:\/\/.+/.test(spec.sourceUrl))
    throw invalidArgument([
      { field: `${field}.sourceUrl`, description: `must be an http(s) URL (got "${spec.sourceUrl}")` },
    ]);
  const osFamily = osFamilyCodec.fromProto(spec.osFamily, `${field}.os_family`);
  const raw = {
    description: spec.description,
    format: imageFormatCodec.fromProto(spec.format, `${field}.format`),
    ...(osFamily ? { osFamily } : {}),
    osName: spec.osName,
    ...(spec.sourceUrl ? { sourceUrl: spec.sourceUrl } : {}),
    ...(spec.sizeBytes !== 0n ? { sizeBytes: Number(spec.sizeBytes) } : {}),
    ...(spec.minDiskGib !== 0n ? { minDiskGib: Number(spec.minDiskGib) } : {}),
    ...(spec.minMemoryMib !== 0n ? { minMemoryMib: Number(spec.minMemoryMib) } : {}),
    ...(spec.poolId ? { poolId: spec.poolId } : {}),
  };
  return parseOrThrow(Image.shape.spec, raw, undefined, field.split("."));
}
