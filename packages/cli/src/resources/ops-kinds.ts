import { timestampDate } from "@bufbuild/protobuf/wkt";
import { alert, audit, drs, events } from "@limiquantix/api";
import { age, labelsText, orNone } from "../output/table";
import { allPages, defineKind, enumName, eventTypeName, type ResourceKind } from "./kind";

type Stamped = { createTime?: Parameters<typeof timestampDate>[0] };
const created = (t: Stamped) => age(t.createTime ? timestampDate(t.createTime) : undefined);
const when = (t: Parameters<typeof timestampDate>[0] | undefined) =>
  t ? timestampDate(t).toISOString() : "<none>";

export const alertKind = defineKind<alert.Alert>({
  name: "alert",
  plural: "alerts",
  kind: "Alert",
  schema: alert.AlertSchema,
  projectScoped: true,
  nameOf: (a) => a.id,
  idOf: (a) => a.id,
  columns: [
    { header: "NAME", value: (a) => a.id },
    { header: "SEVERITY", value: (a) => enumName(alert.AlertSeverity, a.severity) },
    { header: "STATE", value: (a) => enumName(alert.AlertState, a.state) },
    {
      header: "SOURCE",
      value: (a) => (a.source ? `${a.source.kind}/${a.source.name || a.source.id}` : "<none>"),
    },
    { header: "TITLE", value: (a) => a.title },
    { header: "AGE", value: created },
    { header: "RULE", value: (a) => orNone(a.ruleId), wide: true },
    { header: "MESSAGE", value: (a) => orNone(a.message), wide: true },
  ],
  list: (s, q) => {
    const c = s.client(alert.AlertService);
    return allPages((pageToken) =>
      c
        .listAlerts({
          pageToken,
          labelSelector: q.labelSelector ?? "",
          projectId: q.projectId ?? "",
          clusterId: q.clusterId ?? "",
        })
        .then((r) => ({ items: r.alerts, next: r.nextPageToken })),
    );
  },
  get: async (s, id) => (await s.client(alert.AlertService).getAlert({ id })).alert!,
  watch: async function* (s, q, signal) {
    const stream = s
      .client(alert.AlertService)
      .watchAlerts(
        { projectId: q.projectId ?? "", clusterId: q.clusterId ?? "", labelSelector: q.labelSelector ?? "" },
        { signal },
      );
    for await (const m of stream)
      yield { type: eventTypeName(m.type), ...(m.alert ? { object: m.alert } : {}) };
  },
});

const OPERATORS: Record<number, string> = { 1: ">", 2: ">=", 3: "<", 4: "<=" };

export const alertRuleKind = defineKind<alert.AlertRule>({
  name: "alertrule",
  plural: "alertrules",
  aliases: ["alert-rule", "alert-rules", "rule", "rules"],
  kind: "AlertRule",
  schema: alert.AlertRuleSchema,
  nameOf: (r) => r.name,
  idOf: (r) => r.id,
  columns: [
    { header: "NAME", value: (r) => r.name },
    {
      header: "CONDITION",
      value: (r) =>
        `${r.spec?.metric ?? "?"} ${OPERATORS[r.spec?.operator ?? 0] ?? "?"} ${r.spec?.threshold ?? 0}`,
    },
    { header: "FOR", value: (r) => `${r.spec?.forSec ?? 0}s` },
    { header: "SEVERITY", value: (r) => enumName(alert.AlertSeverity, r.spec?.severity ?? 0) },
    { header: "ENABLED", value: (r) => (r.spec?.enabled ? "yes" : "no") },
    { header: "AGE", value: created },
    { header: "ID", value: (r) => r.id, wide: true },
    { header: "LABELS", value: (r) => labelsText(r.labels), wide: true },
  ],
  list: (s, q) => {
    const c = s.client(alert.AlertService);
    return allPages((pageToken) =>
      c
        .listAlertRules({ pageToken, labelSelector: q.labelSelector ?? "" })
        .then((r) => ({ items: r.alertRules, next: r.nextPageToken })),
    );
  },
  get: async (s, id) => (await s.client(alert.AlertService).getAlertRule({ id })).rule!,
  create: {
    schema: alert.CreateAlertRuleRequestSchema,
    call: async (s, req) => {
      const response = await s
        .client(alert.AlertService)
        .createAlertRule(req as alert.CreateAlertRuleRequest);
      return { object: response.rule!, response, responseSchema: alert.CreateAlertRuleResponseSchema };
    },
  },
  remove: async (s, r) => {
    await s.client(alert.AlertService).deleteAlertRule({ id: r.id });
  },
});

export const recommendationKind = defineKind<drs.Recommendation>({
  name: "recommendation",
  plural: "recommendations",
  aliases: ["rec", "recs", "drs-recommendation", "drs-recommendations"],
  kind: "Recommendation",
  schema: drs.RecommendationSchema,
  nameOf: (r) => r.id,
  idOf: (r) => r.id,
  lookups: ["cluster", "vm", "node"],
  columns: [
    { header: "NAME", value: (r) => r.id },
    { header: "CLUSTER", value: (r, n) => n.cluster(r.clusterId) },
    { header: "TYPE", value: (r) => enumName(drs.RecommendationType, r.type) },
    { header: "STATE", value: (r) => enumName(drs.RecommendationState, r.state) },
    { header: "PRIORITY", value: (r) => enumName(drs.RecommendationPriority, r.priority) },
    { header: "VM", value: (r, n) => orNone(r.vmId && n.vm(r.vmId)) },
    { header: "FROM", value: (r, n) => orNone(r.sourceNodeId && n.node(r.sourceNodeId)) },
    { header: "TO", value: (r, n) => orNone(r.targetNodeId && n.node(r.targetNodeId)) },
    { header: "AGE", value: created },
    { header: "REASON", value: (r) => orNone(r.reason), wide: true },
    { header: "ERROR", value: (r) => orNone(r.error), wide: true },
  ],
  list: (s, q) => {
    const c = s.client(drs.DRSService);
    return allPages((pageToken) =>
      c
        .getRecommendations({ pageToken, labelSelector: q.labelSelector ?? "", clusterId: q.clusterId ?? "" })
        .then((r) => ({ items: r.recommendations, next: r.nextPageToken })),
    );
  },
  watch: async function* (s, q, signal) {
    const stream = s
      .client(drs.DRSService)
      .watchRecommendations(
        { clusterId: q.clusterId ?? "", labelSelector: q.labelSelector ?? "" },
        { signal },
      );
    for await (const m of stream)
      yield { type: eventTypeName(m.type), ...(m.recommendation ? { object: m.recommendation } : {}) };
  },
});

export const eventKind = defineKind<events.Event>({
  name: "event",
  plural: "events",
  aliases: ["ev", "evs"],
  kind: "Event",
  schema: events.EventSchema,
  projectScoped: true,
  nameOf: (e) => e.id,
  idOf: (e) => e.id,
  columns: [
    { header: "NAME", value: (e) => e.id },
    { header: "TIME", value: (e) => when(e.time) },
    { header: "SEVERITY", value: (e) => enumName(events.Severity, e.severity) },
    { header: "REASON", value: (e) => e.reason },
    { header: "OBJECT", value: (e) => `${e.kind}/${e.resourceName || e.resourceId}` },
    { header: "MESSAGE", value: (e) => e.message },
    { header: "PRINCIPAL", value: (e) => orNone(e.principal), wide: true },
    { header: "REQUEST", value: (e) => orNone(e.requestId), wide: true },
  ],
  list: (s, q) => {
    const c = s.client(events.EventService);
    return allPages((pageToken) =>
      c
        .listEvents({ pageToken, labelSelector: q.labelSelector ?? "", projectId: q.projectId ?? "" })
        .then((r) => ({ items: r.events, next: r.nextPageToken })),
    );
  },
  watch: async function* (s, q, signal) {
    const stream = s
      .client(events.EventService)
      .streamEvents({ projectId: q.projectId ?? "", labelSelector: q.labelSelector ?? "" }, { signal });
    for await (const m of stream) if (m.event) yield { type: "EVENT", object: m.event };
  },
});

export const auditKind = defineKind<audit.AuditEntry>({
  name: "audit",
  plural: "audit",
  aliases: ["audits", "auditentry", "auditentries", "audit-entries"],
  kind: "AuditEntry",
  schema: audit.AuditEntrySchema,
  projectScoped: true,
  nameOf: (a) => a.id,
  idOf: (a) => a.id,
  columns: [
    { header: "NAME", value: (a) => a.id },
    { header: "TIME", value: (a) => when(a.time) },
    { header: "ACTOR", value: (a) => orNone(a.actor?.username || a.actor?.userId) },
    { header: "ACTION", value: (a) => a.action.replace(/^limiquantix\./, "") },
    {
      header: "RESOURCE",
      value: (a) => (a.resource ? `${a.resource.kind}/${a.resource.name || a.resource.id}` : "<none>"),
    },
    { header: "OUTCOME", value: (a) => enumName(audit.Outcome, a.outcome) },
    { header: "CODE", value: (a) => orNone(a.code), wide: true },
    { header: "REQUEST", value: (a) => orNone(a.requestId), wide: true },
  ],
  list: (s, q) => {
    const c = s.client(audit.AuditService);
    return allPages((pageToken) =>
      c
        .listAuditEntries({ pageToken, labelSelector: q.labelSelector ?? "", projectId: q.projectId ?? "" })
        .then((r) => ({ items: r.entries, next: r.nextPageToken })),
    );
  },
});

/** OPS_KINDS are what the server raises and records: alerts and their rules, DRS recommendations, events, audit entries. */
export const OPS_KINDS: readonly ResourceKind[] = [
  alertKind,
  alertRuleKind,
  recommendationKind,
  eventKind,
  auditKind,
];
