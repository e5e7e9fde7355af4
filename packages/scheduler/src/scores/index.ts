import type { ScorePlugin } from "../framework/plugin";
import { balancedScore } from "./balanced-score";
import { hostRuleScore } from "./host-rule-score";
import { leastAllocatedScore } from "./least-allocated-score";
import { mostAllocatedScore } from "./most-allocated-score";
import { preferNoScheduleScore } from "./prefer-no-schedule-score";
import { vmAffinityScore } from "./vm-affinity-score";

/** BUILTIN_SCORES are the built-in score plugins. */
export const BUILTIN_SCORES: readonly ScorePlugin[] = [
  leastAllocatedScore,
  mostAllocatedScore,
  balancedScore,
  vmAffinityScore,
  preferNoScheduleScore,
  hostRuleScore,
];
