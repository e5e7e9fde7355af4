import { alert } from "@limiquantix/api";
import { convertedOnce, fromRevisionOf, watchMessages } from "../events/convert/watch-event";
import type { WatchService } from "../events/watch-service";
import { optionalString, optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import { labelSelectorOf, listFilterOf, requireMessage } from "../rpc/convert/request-fields";
import { labelsAndSpecChange } from "../rpc/convert/update-mask";
import { type RpcRoute, route } from "../rpc/route";
import type { AlertRuleService } from "./alert-rule-service";
import type { AlertService } from "./alert-service";
import { alertSeverityCodec, alertStateCodec, alertToProto } from "./convert/alert";
import { alertQueryOf } from "./convert/alert-query";
import { alertRuleSpecFromProto, alertRuleSpecToProto, alertRuleToProto } from "./convert/alert-rule";
import { openStream } from "../shared/async-stream";

/** alertWire converts each object once, however many watchers or readers it goes to. */
const alertWire = convertedOnce(alertToProto);

/** AlertHandlerDeps are the services AlertService calls go to. */
export interface AlertHandlerDeps {
  readonly alerts: AlertService;
  readonly rules: AlertRuleService;
  readonly watch: WatchService;
}

/** alertHandler answers AlertService calls: alert rules, reading and handling alerts, and the watch stream. */
export function alertHandler({ alerts, rules, watch }: AlertHandlerDeps): RpcRoute {
  return route(alert.AlertService, {
    async createAlertRule(ctx, req) {
      const spec = alertRuleSpecFromProto(requireMessage(req.spec, "spec"));
      const created = await rules.createRule(ctx, { name: req.name, labels: req.labels, spec });
      return { rule: alertRuleToProto(created) };
    },

    async getAlertRule(ctx, req) {
      return { rule: alertRuleToProto(await rules.get(ctx, req.id)) };
    },

    async listAlertRules(ctx, req) {
      const page = await rules.list(ctx, listFilterOf({}, req.labelSelector), pageRequestOf(req));
      return { alertRules: page.items.map(alertRuleToProto), ...pageResponseOf(page) };
    },

    async updateAlertRule(ctx, req) {
      const change = labelsAndSpecChange(req, {
        schema: alert.AlertRuleSpecSchema,
        toProto: alertRuleSpecToProto,
        fromProto: (spec) => alertRuleSpecFromProto(spec),
      });
      const updated = await rules.updateRule(ctx, req.id, change, optionalVersion(req.resourceVersion));
      return { rule: alertRuleToProto(updated) };
    },

    async deleteAlertRule(ctx, req) {
      await rules.deleteRule(ctx, req.id, optionalVersion(req.resourceVersion));
      return {};
    },

    async listAlerts(ctx, req) {
      const page = await alerts.list(ctx, alertQueryOf(req), pageRequestOf(req));
      return { alerts: page.items.map(alertWire), ...pageResponseOf(page) };
    },

    async getAlert(ctx, req) {
      return { alert: alertWire(await alerts.get(ctx, req.id)) };
    },

    async acknowledgeAlert(ctx, req) {
      return { alert: alertWire(await alerts.acknowledge(ctx, req.id, optionalString(req.comment))) };
    },

    async resolveAlert(ctx, req) {
      return { alert: alertWire(await alerts.resolve(ctx, req.id, optionalString(req.comment))) };
    },

    watchAlerts(ctx, req) {
      return openStream(async () => {
        const states = req.states.map((st, i) => alertStateCodec.required(st, `states[${i}]`));
        const severities = req.severities.map((sv, i) => alertSeverityCodec.required(sv, `severities[${i}]`));
        const filter = {
          ...(optionalString(req.projectId) ? { projectId: req.projectId } : {}),
          ...(optionalString(req.clusterId) ? { clusterId: req.clusterId } : {}),
          ...(states.length > 0 ? { states } : {}),
          ...(severities.length > 0 ? { severities } : {}),
          ...labelSelectorOf(req.labelSelector),
        };
        return watchMessages(
          watch.alerts(ctx, filter, fromRevisionOf(req.resourceVersion)),
          "alert",
          alertWire,
          alert.WatchAlertsResponseSchema,
        );
      });
    },
  });
}
