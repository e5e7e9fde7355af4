import type { ScorePlugin } from "../framework/plugin";
import { allocationScoreColumns, cpuFractionAfter, memoryFractionAfter } from "./allocation";

/** BALANCED is the name of the score that keeps CPU and memory allocation in proportion. */
export const BALANCED = "balanced";

/**
 * balancedScore favours nodes whose CPU and memory would be allocated in the same proportion,
 * so neither runs out while the other sits idle: 100 × (1 − |cpu share − memory share|).
 */
export const balancedScore: ScorePlugin = {
  name: BALANCED,
  score(node, ctx) {
    return 100 * (1 - Math.abs(cpuFractionAfter(node, ctx) - memoryFractionAfter(node, ctx)));
  },
  scoreColumns: allocationScoreColumns((cpu, memory) => 100 * (1 - Math.abs(cpu - memory))),
};
