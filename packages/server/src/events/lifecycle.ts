import type { ChangeLogEntry, Resource } from "@limiquantix/domain";

/** Severity says how much an event matters. */
export type Severity = "INFO" | "WARNING" | "CRITICAL";

/** SEVERITY_RANK orders severities, for minimum-severity filters. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { INFO: 1, WARNING: 2, CRITICAL: 3 };

/** LifecycleEvent is one thing that happened to a resource, derived from a logged change. */
export interface LifecycleEvent {
  /** The change's revision and the event's place among that change's events, e.g. `1042.0`. */
  readonly id: string;
  readonly reason: string;
  readonly severity: Severity;
  readonly kind: string;
  readonly resourceId: string;
  readonly resourceName: string;
  readonly projectId?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly message: string;
  readonly at: string;
  readonly revision: number;
  readonly requestId?: string;
  readonly principal?: string;
}

/** Facts is the little a resource's events depend on, kept per resource between its changes. */
export type Facts = Readonly<Record<string, string | boolean | undefined>>;

type Draft = { reason: string; severity?: Severity; message: string };

/** factsOf extracts the facts transitions are read from (power state, node, phase, attachment …). */
export function factsOf(kind: string, object: Resource): Facts {
  const o = object as unknown as { status?: Record<string, unknown>; spec?: Record<string, unknown> };
  switch (kind) {
    case "VirtualMachine":
      return { power: o.status?.powerState as string, node: o.status?.nodeId as string | undefined };
    case "Node":
      return { phase: o.status?.phase as string, cordoned: o.spec?.cordoned as boolean };
    case "Volume":
      return { attachedTo: (o.status?.attachment as { vmId?: string } | undefined)?.vmId };
    case "Alert":
    case "DrsRecommendation":
      return {
        state:
          (o as unknown as { state?: string; status?: { state?: string } }).status?.state ??
          (o as { state?: string }).state,
      };
    default:
      return {};
  }
}

const VM_POWER: Readonly<Record<string, Draft>> = {
  RUNNING: { reason: "VmStarted", message: "is running" },
  STOPPED: { reason: "VmStopped", message: "stopped" },
  PAUSED: { reason: "VmPaused", message: "is paused" },
  SUSPENDED: { reason: "VmSuspended", message: "is suspended" },
  FAILED: { reason: "VmFailed", severity: "WARNING", message: "failed" },
};

const NODE_PHASE: Readonly<Record<string, Draft>> = {
  READY: { reason: "NodeReady", message: "is ready" },
  NOT_READY: { reason: "NodeNotReady", severity: "WARNING", message: "is not ready: its heartbeats stopped" },
  MAINTENANCE: { reason: "NodeInMaintenance", message: "is in maintenance" },
  DECOMMISSIONED: { reason: "NodeDecommissioned", message: "was decommissioned" },
  FENCING: { reason: "NodeFencing", severity: "WARNING", message: "is being fenced" },
  FAILED: {
    reason: "NodeFailed",
    severity: "CRITICAL",
    message: "failed: HA restarts its protected VMs elsewhere",
  },
  FENCED: { reason: "NodeFenced", severity: "WARNING", message: "was fenced" },
};

function transitions(
  kind: string,
  type: ChangeLogEntry["type"],
  before: Facts | undefined,
  after: Facts,
): Draft[] {
  const short = kind === "VirtualMachine" ? "Vm" : kind;
  if (type === "ADDED")
    return [
      {
        reason:
          kind === "Node"
            ? "NodeRegistered"
            : kind === "Alert"
              ? "AlertFired"
              : kind === "DrsRecommendation"
                ? "DrsRecommended"
                : `${short}Created`,
        message: "was created",
      },
    ];
  if (type === "DELETED") return [{ reason: `${short}Deleted`, message: "was deleted" }];
  if (!before) return [];
  const out: Draft[] = [];
  switch (kind) {
    case "VirtualMachine":
      if (after.node && before.node && after.node !== before.node)
        out.push({ reason: "VmMigrated", message: `moved from node ${before.node} to node ${after.node}` });
      else if (after.power !== before.power && VM_POWER[after.power as string])
        out.push(VM_POWER[after.power as string]!);
      break;
    case "Node":
      // A node becomes FAILED only once fenced: both are told, fenced first.
      if (after.phase !== before.phase && after.phase === "FAILED") out.push(NODE_PHASE.FENCED!);
      if (after.phase !== before.phase && NODE_PHASE[after.phase as string])
        out.push(NODE_PHASE[after.phase as string]!);
      if (after.cordoned !== before.cordoned)
        out.push({
          reason: after.cordoned ? "NodeCordoned" : "NodeUncordoned",
          message: after.cordoned ? "was cordoned" : "was uncordoned",
        });
      break;
    case "Volume":
      if (after.attachedTo && after.attachedTo !== before.attachedTo)
        out.push({ reason: "VolumeAttached", message: `was attached to vm ${after.attachedTo}` });
      else if (!after.attachedTo && before.attachedTo)
        out.push({ reason: "VolumeDetached", message: `was detached from vm ${before.attachedTo}` });
      break;
    case "Alert":
      if (after.state === "RESOLVED" && before.state !== "RESOLVED")
        out.push({ reason: "AlertResolved", message: "was resolved" });
      else if (after.state === "ACKNOWLEDGED" && before.state !== "ACKNOWLEDGED")
        out.push({ reason: "AlertAcknowledged", message: "was acknowledged" });
      break;
    case "DrsRecommendation":
      if (after.state === "APPLIED" && before.state !== "APPLIED")
        out.push({ reason: "DrsApplied", message: "was applied" });
      else if (after.state === "FAILED" && before.state !== "FAILED")
        out.push({ reason: "DrsApplyFailed", severity: "WARNING", message: "failed to apply" });
      break;
  }
  return out;
}

/**
 * deriveEvents turns one logged change into the lifecycle events it means, given the facts the
 * resource had before it (undefined when this replica has not seen the resource yet: then only
 * creation and deletion are told).
 */
export function deriveEvents(entry: ChangeLogEntry, before: Facts | undefined): LifecycleEvent[] {
  const object = entry.object as Resource & {
    name?: string;
    username?: string;
    projectId?: string;
    severity?: Severity;
    labels?: Readonly<Record<string, string>>;
  };
  const after = factsOf(entry.kind, object);
  const name = object.name ?? object.username ?? entry.id;
  return transitions(entry.kind, entry.type, before, after).map((d, i) => {
    const severity =
      d.severity ??
      (entry.kind === "Alert" && d.reason === "AlertFired" && object.severity ? object.severity : "INFO");
    return {
      id: `${entry.revision}.${i}`,
      reason: d.reason,
      severity,
      kind: entry.kind,
      resourceId: entry.id,
      resourceName: name,
      ...(entry.projectId ? { projectId: entry.projectId } : {}),
      labels: object.labels ?? {},
      message: `${entry.kind} "${name}" ${d.message}`,
      at: entry.at,
      revision: entry.revision,
      ...(entry.requestId ? { requestId: entry.requestId } : {}),
      ...(entry.principal ? { principal: entry.principal } : {}),
    };
  });
}
