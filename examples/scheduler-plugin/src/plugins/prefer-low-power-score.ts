import { defineScore } from "@limiquantix/scheduler";

/** POWER_LABEL is the node label holding the host's typical power draw in watts (`power-watts=350`). */
export const POWER_LABEL = "power-watts";

function wattsOf(labels: Readonly<Record<string, string>>): number {
  const raw = labels[POWER_LABEL];
  const watts = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(watts) && watts >= 0 ? watts : Number.POSITIVE_INFINITY;
}

/**
 * preferLowPower is a score plugin: among the nodes that passed every filter, the one that draws
 * the least power scores 100 and the hungriest 0. Watts only mean something relative to each
 * other, so `score` returns the raw draw and `normalize` rescales it across the feasible nodes.
 * A node without a `power-watts` label scores 0.
 */
export const preferLowPower = defineScore<undefined>({
  name: "prefer-low-power",
  score: (node) => wattsOf(node.labels),
  normalize: (scores) => {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const w of scores)
      if (Number.isFinite(w)) {
        min = Math.min(min, w);
        max = Math.max(max, w);
      }
    for (let i = 0; i < scores.length; i++) {
      const w = scores[i]!;
      scores[i] = !Number.isFinite(w) ? 0 : max === min ? 100 : (100 * (max - w)) / (max - min);
    }
  },
});
