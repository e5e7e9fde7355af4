import type { ScorePlugin } from "../framework/plugin";
import { allocationScoreColumns, cpuFractionAfter, memoryFractionAfter } from "./allocation";

/** MOST_ALLOCATED is the name of the pack score. */
export const MOST_ALLOCATED = "most-allocated";

/** mostAllocatedScore favours the fullest nodes (pack): 100 × the mean allocated share of CPU and memory after placement. */
export const mostAllocatedScore: ScorePlugin = {
  name: MOST_ALLOCATED,
  score(node, ctx) {
    return 50 * (cpuFractionAfter(node, ctx) + memoryFractionAfter(node, ctx));
  },
  scoreColumns: allocationScoreColumns((cpu, memory) => 50 * (cpu + memory)),
};
