import { drs } from "@limiquantix/api";
import { convertedOnce, fromRevisionOf, watchMessages } from "../events/convert/watch-event";
import type { WatchService } from "../events/watch-service";
import { optionalString } from "../rpc/convert/common";
import { labelSelectorOf } from "../rpc/convert/request-fields";
import { type RpcRoute, route } from "../rpc/route";
import { recommendationStateCodec, recommendationToProto } from "./convert/recommendation";

/** recommendationWire converts each object once, however many watchers or readers it goes to. */
const recommendationWire = convertedOnce(recommendationToProto);

/** drsHandler answers DRSService calls; today its watch stream (passes, approval and apply come with the DRS controller). */
export function drsHandler(watch: WatchService): RpcRoute {
  return route(drs.DRSService, {
    async *watchRecommendations(ctx, req) {
      const states = req.states.map((st, i) => recommendationStateCodec.required(st, `states[${i}]`));
      const filter = {
        ...(optionalString(req.clusterId) ? { clusterId: req.clusterId } : {}),
        ...(states.length > 0 ? { states } : {}),
        ...labelSelectorOf(req.labelSelector),
      };
      yield* watchMessages(
        watch.recommendations(ctx, filter, fromRevisionOf(req.resourceVersion)),
        "recommendation",
        recommendationWire,
      );
    },
  });
}
