import type { ScorePlugin } from "../framework/plugin";
import { allocationScoreColumns, cpuFractionAfter, memoryFractionAfter } from "./allocation";

/** LEAST_ALLOCATED is the name of the spread score. */
export const LEAST_ALLOCATED = "least-allocated";

/** leastAllocatedScore favours the emptiest nodes (spread): 100 × the mean free share of CPU and memory after placement. */
export const leastAllocatedScore: ScorePlugin = {
  name: LEAST_ALLOCATED,
  score(node, ctx) {
    return 100 * (1 - (cpuFractionAfter(node, ctx) + memoryFractionAfter(node, ctx)) / 2);
  },
  scoreColumns: allocationScoreColumns((cpu, memory) => 100 * (1 - (cpu + memory) / 2)),
};
