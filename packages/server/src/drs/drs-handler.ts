import { drs } from "@limiquantix/api";
import { convertedOnce, fromRevisionOf, watchMessages } from "../events/convert/watch-event";
import type { WatchService } from "../events/watch-service";
import { optionalString, optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import { labelSelectorOf, listFilterOf } from "../rpc/convert/request-fields";
import { type RpcRoute, route } from "../rpc/route";
import { drsStatusToProto } from "./convert/drs-status";
import { recommendationStateCodec, recommendationToProto } from "./convert/recommendation";
import type { DrsService } from "./drs-service";
import { openStream } from "../shared/async-stream";

/** recommendationWire converts each object once, however many watchers or readers it goes to. */
const recommendationWire = convertedOnce(recommendationToProto);

/** DrsHandlerDeps are the services DRSService calls go to. */
export interface DrsHandlerDeps {
  readonly drs: DrsService;
  readonly watch: WatchService;
}

/** drsHandler answers DRSService calls through the DRS service. */
export function drsHandler({ drs: service, watch }: DrsHandlerDeps): RpcRoute {
  const statesOf = (states: readonly drs.RecommendationState[]) =>
    states.map((st, i) => recommendationStateCodec.required(st, `states[${i}]`));
  return route(drs.DRSService, {
    async getRecommendations(ctx, req) {
      const filter = listFilterOf({ clusterId: req.clusterId }, req.labelSelector, statesOf(req.states));
      const page = await service.list(ctx, filter, pageRequestOf(req));
      return { recommendations: page.items.map(recommendationWire), ...pageResponseOf(page) };
    },
    async approveRecommendation(ctx, req) {
      const rec = await service.approve(ctx, req.id, optionalVersion(req.resourceVersion));
      return { recommendation: recommendationWire(rec) };
    },
    async rejectRecommendation(ctx, req) {
      const rec = await service.reject(ctx, req.id, req.reason, optionalVersion(req.resourceVersion));
      return { recommendation: recommendationWire(rec) };
    },
    async applyRecommendation(ctx, req) {
      const rec = await service.apply(ctx, req.id, optionalVersion(req.resourceVersion));
      return { recommendation: recommendationWire(rec) };
    },
    async getStatus(ctx, req) {
      return { status: drsStatusToProto(await service.status(ctx, req.clusterId)) };
    },
    async runNow(ctx, req) {
      const { recommendations, status } = await service.runNow(ctx, req.clusterId);
      return { recommendations: recommendations.map(recommendationWire), status: drsStatusToProto(status) };
    },
    watchRecommendations(ctx, req) {
      return openStream(async () => {
        const states = statesOf(req.states);
        const filter = {
          ...(optionalString(req.clusterId) ? { clusterId: req.clusterId } : {}),
          ...(states.length > 0 ? { states } : {}),
          ...labelSelectorOf(req.labelSelector),
        };
        return watchMessages(
          watch.recommendations(ctx, filter, fromRevisionOf(req.resourceVersion)),
          "recommendation",
          recommendationWire,
          drs.WatchRecommendationsResponseSchema,
        );
      });
    },
  });
}
