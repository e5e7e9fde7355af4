import { events } from "@limiquantix/api";
import type { LifecycleEvent, Severity } from "../lifecycle";
import { toTimestamp } from "../../rpc/convert/common";

const SEVERITY_TO_PROTO: Readonly<Record<Severity, events.Severity>> = {
  INFO: events.Severity.INFO,
  WARNING: events.Severity.WARNING,
  CRITICAL: events.Severity.CRITICAL,
};

/** eventToProto renders a lifecycle event for the wire. */
export function eventToProto(e: LifecycleEvent): events.Event {
  return {
    $typeName: "limiquantix.events.v1.Event",
    id: e.id,
    reason: e.reason,
    severity: SEVERITY_TO_PROTO[e.severity],
    kind: e.kind,
    resourceId: e.resourceId,
    resourceName: e.resourceName,
    projectId: e.projectId ?? "",
    message: e.message,
    time: toTimestamp(e.at),
    resourceVersion: BigInt(e.revision),
    requestId: e.requestId ?? "",
    principal: e.principal ?? "",
  };
}

/** severityFromProto reads a minimum severity; unspecified means every event. */
export function severityFromProto(s: events.Severity): Severity | undefined {
  switch (s) {
    case events.Severity.INFO:
      return "INFO";
    case events.Severity.WARNING:
      return "WARNING";
    case events.Severity.CRITICAL:
      return "CRITICAL";
    default:
      return undefined;
  }
}
