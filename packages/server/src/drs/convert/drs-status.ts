import type { drs } from "@limiquantix/api";
import { toTimestamp } from "../../rpc/convert/common";
import type { DrsStatusView } from "../drs-service";

/** drsStatusToProto renders the state of DRS on a cluster for the wire. */
export function drsStatusToProto(s: DrsStatusView): drs.DrsStatus {
  return {
    $typeName: "limiquantix.drs.v1.DrsStatus",
    clusterId: s.clusterId,
    enabled: s.enabled,
    imbalance: s.imbalance,
    lastRunTime: toTimestamp(s.lastRunAt),
    nextRunTime: toTimestamp(s.nextRunAt),
    pendingRecommendations: s.pending,
    imbalanceBefore: s.imbalanceBefore ?? 0,
    imbalanceAfter: s.imbalanceAfter ?? 0,
    lastResult: s.lastResult ?? "",
    lastError: s.lastError ?? "",
    approvedRecommendations: s.approved,
    applyingRecommendations: s.applying,
    migrationsInFlight: s.migrationsInFlight,
    runRequestedTime: toTimestamp(s.runRequestedAt),
    runPending: s.runPending,
  };
}
