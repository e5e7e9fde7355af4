import type { ScorePlugin } from "../framework/plugin";
import { cpuFractionAfter, memoryFractionAfter, sharesAfter } from "./allocation";

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
  scoreColumns(columns, rows, count, ctx, _state, out) {
    const { cpu, memory } = sharesAfter(columns, rows, count, ctx);
    for (let j = 0; j < count; j++) out[j] = 100 * (1 - Math.abs(cpu[j]! - memory[j]!));
  },
};
