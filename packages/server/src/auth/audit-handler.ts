import { create, type JsonObject } from "@bufbuild/protobuf";
import { audit } from "@limiquantix/api";
import {
  type AuditEntry,
  type AuditFilter,
  type AuditRepository,
  invalidArgument,
} from "@limiquantix/domain";
import { fromTimestamp, pageRequestOf, pageResponseOf, toTimestamp } from "../rpc/convert/common";
import { type RpcRoute, route } from "../rpc/route";

const OUTCOMES = { 1: "SUCCESS", 2: "FAILURE" } as const;

/** auditEntryToProto writes an audit entry. */
export function auditEntryToProto(e: AuditEntry): audit.AuditEntry {
  return create(audit.AuditEntrySchema, {
    id: e.id,
    time: toTimestamp(e.at),
    actor: { userId: e.actor.userId ?? "", username: e.actor.username, ip: e.actor.ip ?? "" },
    action: e.action,
    ...(e.resource
      ? { resource: { kind: e.resource.kind, id: e.resource.id ?? "", name: e.resource.name ?? "" } }
      : {}),
    projectId: e.projectId ?? "",
    outcome: e.outcome === "SUCCESS" ? audit.Outcome.SUCCESS : audit.Outcome.FAILURE,
    code: e.code ?? "",
    requestId: e.requestId ?? "",
    details: e.details as JsonObject,
  });
}

/** auditFilterOf reads the filters of a ListAuditEntriesRequest. */
export function auditFilterOf(req: audit.ListAuditEntriesRequest): AuditFilter {
  if (req.labelSelector)
    throw invalidArgument([
      { field: "label_selector", description: "audit entries have no labels: leave it empty" },
    ]);
  const since = fromTimestamp(req.startTime);
  const until = fromTimestamp(req.endTime);
  const outcome = OUTCOMES[req.outcome as 1 | 2];
  return {
    ...(req.actor ? { username: req.actor } : {}),
    ...(req.action ? { action: req.action } : {}),
    ...(req.projectId ? { projectId: req.projectId } : {}),
    ...(req.resourceKind ? { resourceKind: req.resourceKind } : {}),
    ...(req.resourceId ? { resourceId: req.resourceId } : {}),
    ...(outcome ? { outcome } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
  };
}

/** auditHandler answers AuditService calls from the audit log, newest entries first. */
export function auditHandler(log: AuditRepository): RpcRoute {
  return route(audit.AuditService, {
    async listAuditEntries(_ctx, req) {
      const page = await log.list(auditFilterOf(req), pageRequestOf(req));
      return { entries: page.items.map(auditEntryToProto), ...pageResponseOf(page) };
    },
  });
}
