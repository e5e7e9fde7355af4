import type { alert } from "@limiquantix/api";
import { optionalString } from "../../rpc/convert/common";
import { listFilterOf } from "../../rpc/convert/request-fields";
import type { AlertQuery } from "../alert-service";
import { alertSeverityCodec, alertStateCodec } from "./alert";

/** alertQueryOf reads ListAlerts' filters (states, severities, project, cluster, source, labels), naming a bad one by its wire field. */
export function alertQueryOf(req: alert.ListAlertsRequest): AlertQuery {
  const states = req.states.map((st, i) => alertStateCodec.required(st, `states[${i}]`));
  const severities = req.severities.map((sv, i) => alertSeverityCodec.required(sv, `severities[${i}]`));
  const sourceId = optionalString(req.sourceId);
  return {
    ...listFilterOf({ projectId: req.projectId, clusterId: req.clusterId }, req.labelSelector, states),
    ...(severities.length > 0 ? { severities } : {}),
    ...(sourceId ? { sourceId } : {}),
  };
}
