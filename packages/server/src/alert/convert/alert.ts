import { alert } from "@limiquantix/api";
import type { Alert, AlertSeverity, AlertState } from "@limiquantix/domain";
import { toTimestamp } from "../../rpc/convert/common";
import { enumCodec } from "../../rpc/convert/enum-codec";

/** alertSeverityCodec converts alert severities. */
export const alertSeverityCodec = enumCodec<AlertSeverity>(
  alert.AlertSeverity,
  ["INFO", "WARNING", "CRITICAL"],
  "AlertSeverity",
);

/** alertStateCodec converts alert states. */
export const alertStateCodec = enumCodec<AlertState>(
  alert.AlertState,
  ["OPEN", "ACKNOWLEDGED", "RESOLVED"],
  "AlertState",
);

/** alertToProto renders an alert for the wire. */
export function alertToProto(a: Alert): alert.Alert {
  const stamp = (s: Alert["acknowledged"]) =>
    s
      ? {
          $typeName: "limiquantix.alert.v1.Stamp" as const,
          by: s.by,
          time: toTimestamp(s.at),
          comment: s.comment ?? "",
        }
      : undefined;
  const acknowledged = stamp(a.acknowledged);
  const resolved = stamp(a.resolved);
  return {
    $typeName: "limiquantix.alert.v1.Alert",
    id: a.id,
    labels: { ...a.labels },
    resourceVersion: BigInt(a.resourceVersion),
    createTime: toTimestamp(a.createdAt),
    updateTime: toTimestamp(a.updatedAt),
    projectId: a.projectId ?? "",
    clusterId: a.clusterId ?? "",
    severity: alertSeverityCodec.toProto(a.severity),
    state: alertStateCodec.toProto(a.state),
    source: {
      $typeName: "limiquantix.common.v1.ResourceRef",
      kind: a.source.kind,
      id: a.source.id ?? "",
      name: a.source.name ?? "",
    },
    title: a.title,
    message: a.message,
    fingerprint: a.fingerprint,
    ruleId: a.ruleId ?? "",
    ...(acknowledged ? { acknowledged } : {}),
    ...(resolved ? { resolved } : {}),
  };
}
