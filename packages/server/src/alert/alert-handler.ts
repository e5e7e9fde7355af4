import { alert } from "@limiquantix/api";
import { convertedOnce, fromRevisionOf, watchMessages } from "../events/convert/watch-event";
import type { WatchService } from "../events/watch-service";
import { optionalString } from "../rpc/convert/common";
import { labelSelectorOf } from "../rpc/convert/request-fields";
import { type RpcRoute, route } from "../rpc/route";
import { alertSeverityCodec, alertStateCodec, alertToProto } from "./convert/alert";

/** alertWire converts each object once, however many watchers or readers it goes to. */
const alertWire = convertedOnce(alertToProto);

/** alertHandler answers AlertService calls; today its watch stream (rules, alert handling and evaluation come with the alert controller). */
export function alertHandler(watch: WatchService): RpcRoute {
  return route(alert.AlertService, {
    async *watchAlerts(ctx, req) {
      const states = req.states.map((st, i) => alertStateCodec.required(st, `states[${i}]`));
      const severities = req.severities.map((sv, i) => alertSeverityCodec.required(sv, `severities[${i}]`));
      const filter = {
        ...(optionalString(req.projectId) ? { projectId: req.projectId } : {}),
        ...(optionalString(req.clusterId) ? { clusterId: req.clusterId } : {}),
        ...(states.length > 0 ? { states } : {}),
        ...(severities.length > 0 ? { severities } : {}),
        ...labelSelectorOf(req.labelSelector),
      };
      yield* watchMessages(
        watch.alerts(ctx, filter, fromRevisionOf(req.resourceVersion)),
        "alert",
        alertWire,
      );
    },
  });
}
