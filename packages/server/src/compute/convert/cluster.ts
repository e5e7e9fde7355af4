import { create } from "@bufbuild/protobuf";
import { compute } from "@limiquantix/api";
import {
  type AdmissionControlPolicy,
  type Cluster,
  type ClusterSpec,
  type DrsAutomationLevel,
  DrsSettings,
  HaSettings,
  OvercommitRatios,
  parseOrThrow,
} from "@limiquantix/domain";
import { metaToProto } from "../../rpc/convert/common";
import { enumCodec } from "../../rpc/convert/enum-codec";
import { givenLabels } from "../../rpc/convert/request-fields";
import { readUpdateMask } from "../../rpc/convert/update-mask";

/** admissionPolicyCodec converts HA admission-control policies. */
export const admissionPolicyCodec = enumCodec<AdmissionControlPolicy>(
  compute.AdmissionControlPolicy,
  ["disabled", "tolerate-host-failures", "reserve-percentage"],
  "AdmissionControlPolicy",
);

/** drsAutomationCodec converts DRS automation levels. */
export const drsAutomationCodec = enumCodec<DrsAutomationLevel>(
  compute.DrsAutomationLevel,
  ["manual", "partial", "full"],
  "DrsAutomationLevel",
);

/** Leaves 0 (proto3's "unset") to the domain default when 0 is outside the field's range anyway. */
const positive = (n: number) => (n === 0 ? undefined : n);

/** haSettingsFromProto reads HA settings, applying the domain defaults to unset fields. */
export function haSettingsFromProto(ha: compute.HaSettings, field = "spec.ha"): HaSettings {
  const ac = ha.admissionControl;
  const policy = ac
    ? admissionPolicyCodec.fromProto(ac.policy, `${field}.admission_control.policy`)
    : undefined;
  return parseOrThrow(
    HaSettings,
    {
      enabled: ha.enabled,
      checkIntervalSec: positive(ha.checkIntervalSec),
      failureThreshold: positive(ha.failureThreshold),
      ...(ac
        ? {
            admissionControl: {
              policy,
              hostFailuresToTolerate: positive(ac.hostFailuresToTolerate),
              cpuReservePercent: ac.cpuReservePercent,
              memoryReservePercent: ac.memoryReservePercent,
            },
          }
        : {}),
    },
    undefined,
    field.split("."),
  );
}

/** drsSettingsFromProto reads DRS settings, applying the domain defaults to unset fields. */
export function drsSettingsFromProto(d: compute.DrsSettings, field = "spec.drs"): DrsSettings {
  return parseOrThrow(
    DrsSettings,
    {
      enabled: d.enabled,
      automationLevel: drsAutomationCodec.fromProto(d.automationLevel, `${field}.automation_level`),
      migrationThreshold: positive(d.migrationThreshold),
      intervalSec: positive(d.intervalSec),
      cpuThresholdPercent: positive(d.cpuThresholdPercent),
      memoryThresholdPercent: positive(d.memoryThresholdPercent),
      maxMovesPerPass: positive(d.maxMovesPerPass),
    },
    undefined,
    field.split("."),
  );
}

/** overcommitFromProto reads overcommit ratios, applying the domain defaults to unset ones. */
export function overcommitFromProto(
  o: compute.OvercommitRatios,
  field = "spec.overcommit",
): OvercommitRatios {
  return parseOrThrow(
    OvercommitRatios,
    { cpu: positive(o.cpu), memory: positive(o.memory) },
    undefined,
    field.split("."),
  );
}

/** clusterSpecFromProto reads a cluster spec for creation; absent parts take the domain defaults. */
export function clusterSpecFromProto(s: compute.ClusterSpec | undefined): Partial<ClusterSpec> {
  if (!s) return {};
  return {
    description: s.description,
    ...(s.ha ? { ha: haSettingsFromProto(s.ha) } : {}),
    ...(s.drs ? { drs: drsSettingsFromProto(s.drs) } : {}),
    ...(s.overcommit ? { overcommit: overcommitFromProto(s.overcommit) } : {}),
  };
}

/** UPDATE_CLUSTER_PATHS are the update_mask paths UpdateCluster knows. */
export const UPDATE_CLUSTER_PATHS = [
  "labels",
  "spec",
  "spec.description",
  "spec.ha",
  "spec.drs",
  "spec.overcommit",
] as const;

/** clusterChangeOf reads an UpdateClusterRequest into the change to apply: masked fields, or with no mask the fields given. */
export function clusterChangeOf(req: compute.UpdateClusterRequest): (current: Cluster) => Cluster {
  const mask = readUpdateMask(req.updateMask, UPDATE_CLUSTER_PATHS);
  const s = req.spec ?? create(compute.ClusterSpecSchema);
  const labels = mask.applies("labels", givenLabels(req.labels)) ? { ...req.labels } : undefined;
  const description = mask.applies("spec.description", s.description !== "") ? s.description : undefined;
  const ha = mask.applies("spec.ha", s.ha !== undefined)
    ? haSettingsFromProto(s.ha ?? create(compute.HaSettingsSchema))
    : undefined;
  const drs = mask.applies("spec.drs", s.drs !== undefined)
    ? drsSettingsFromProto(s.drs ?? create(compute.DrsSettingsSchema))
    : undefined;
  const overcommit = mask.applies("spec.overcommit", s.overcommit !== undefined)
    ? overcommitFromProto(s.overcommit ?? create(compute.OvercommitRatiosSchema))
    : undefined;
  return (c) => ({
    ...c,
    labels: labels ?? c.labels,
    spec: {
      description: description ?? c.spec.description,
      ha: ha ?? c.spec.ha,
      drs: drs ?? c.spec.drs,
      overcommit: overcommit ?? c.spec.overcommit,
    },
  });
}

/** clusterToProto writes a cluster. */
export function clusterToProto(c: Cluster): compute.Cluster {
  const { ha, drs } = c.spec;
  return create(compute.ClusterSchema, {
    ...metaToProto(c),
    spec: {
      description: c.spec.description,
      ha: {
        enabled: ha.enabled,
        checkIntervalSec: ha.checkIntervalSec,
        failureThreshold: ha.failureThreshold,
        admissionControl: {
          ...ha.admissionControl,
          policy: admissionPolicyCodec.toProto(ha.admissionControl.policy),
        },
      },
      drs: { ...drs, automationLevel: drsAutomationCodec.toProto(drs.automationLevel) },
      overcommit: { ...c.spec.overcommit },
    },
  });
}
