import { drs } from "@limiquantix/api";
import {
  type DrsRecommendation,
  RECOMMENDATION_STATES,
  type RecommendationPriority,
  type RecommendationState,
  type RecommendationType,
} from "@limiquantix/domain";
import { toTimestamp } from "../../rpc/convert/common";
import { enumCodec } from "../../rpc/convert/enum-codec";

/** recommendationStateCodec converts recommendation states. */
export const recommendationStateCodec = enumCodec<RecommendationState>(
  drs.RecommendationState,
  RECOMMENDATION_STATES,
  "RecommendationState",
);

const priorityCodec = enumCodec<RecommendationPriority>(
  drs.RecommendationPriority,
  ["CRITICAL", "HIGH", "MEDIUM", "LOW"],
  "RecommendationPriority",
);
const typeCodec = enumCodec<RecommendationType>(
  drs.RecommendationType,
  ["MIGRATE", "POWER_ON", "POWER_OFF"],
  "RecommendationType",
);

/** recommendationToProto renders a DRS recommendation for the wire. */
export function recommendationToProto(r: DrsRecommendation): drs.Recommendation {
  return {
    $typeName: "limiquantix.drs.v1.Recommendation",
    id: r.id,
    labels: { ...r.labels },
    resourceVersion: BigInt(r.resourceVersion),
    createTime: toTimestamp(r.createdAt),
    updateTime: toTimestamp(r.updatedAt),
    clusterId: r.clusterId,
    priority: priorityCodec.toProto(r.priority),
    type: typeCodec.toProto(r.type),
    vmId: r.vmId ?? "",
    sourceNodeId: r.sourceNodeId ?? "",
    targetNodeId: r.targetNodeId ?? "",
    reason: r.reason,
    impact: {
      $typeName: "limiquantix.drs.v1.Impact",
      imbalanceBefore: r.impact.imbalanceBefore,
      imbalanceAfter: r.impact.imbalanceAfter,
    },
    state: recommendationStateCodec.toProto(r.state),
    decidedBy: r.decidedBy ?? "",
    decideTime: toTimestamp(r.decidedAt),
    applyTime: toTimestamp(r.appliedAt),
    error: r.error ?? "",
  };
}
