import { z } from "zod";
import { Id, Labels, ResourceVersion, Timestamp } from "../common";

/** RecommendationPriority ranks DRS recommendations. */
export const RecommendationPriority = z.enum(["CRITICAL", "HIGH", "MEDIUM", "LOW"]);
/** RecommendationPriority ranks DRS recommendations. */
export type RecommendationPriority = z.infer<typeof RecommendationPriority>;

/** RecommendationType is what a DRS recommendation does. */
export const RecommendationType = z.enum(["MIGRATE", "POWER_ON", "POWER_OFF"]);
/** RecommendationType is what a DRS recommendation does. */
export type RecommendationType = z.infer<typeof RecommendationType>;

/**
 * RecommendationState tracks a recommendation from proposal to outcome: PENDING until someone (or
 * full automation) decides; APPROVED to be applied; APPLYING while its migration runs; then
 * APPLIED or FAILED; REJECTED by a person; SUPERSEDED when a later pass no longer proposes it.
 */
export const RecommendationState = z.enum([
  "PENDING",
  "APPROVED",
  "APPLIED",
  "REJECTED",
  "FAILED",
  "APPLYING",
  "SUPERSEDED",
]);
/** RecommendationState tracks a recommendation from proposal to outcome. */
export type RecommendationState = z.infer<typeof RecommendationState>;
/** RECOMMENDATION_STATES lists every recommendation state. */
export const RECOMMENDATION_STATES: readonly RecommendationState[] = RecommendationState.options;

/** DrsRecommendation is one proposed move (or host power change) with its expected effect. */
export const DrsRecommendation = z
  .strictObject({
    id: Id,
    resourceVersion: ResourceVersion,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    labels: Labels.default({}),
    clusterId: Id,
    priority: RecommendationPriority,
    type: RecommendationType,
    vmId: Id.optional(),
    sourceNodeId: Id.optional(),
    targetNodeId: Id.optional(),
    reason: z.string().min(1).max(1024),
    impact: z.strictObject({
      imbalanceBefore: z.number().min(0),
      imbalanceAfter: z.number().min(0),
    }),
    state: RecommendationState.default("PENDING"),
    decidedBy: z.string().max(128).optional(),
    decidedAt: Timestamp.optional(),
    appliedAt: Timestamp.optional(),
    error: z.string().max(1024).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.type === "MIGRATE") {
      for (const f of ["vmId", "sourceNodeId", "targetNodeId"] as const)
        if (r[f] === undefined)
          ctx.addIssue({ code: "custom", path: [f], message: "is required for a MIGRATE" });
    } else if (r.targetNodeId === undefined && r.sourceNodeId === undefined) {
      ctx.addIssue({ code: "custom", path: ["targetNodeId"], message: `is required for a ${r.type}` });
    }
  });
/** DrsRecommendation is one proposed move with its expected effect. */
export type DrsRecommendation = z.infer<typeof DrsRecommendation>;
