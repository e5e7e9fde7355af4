import type { ScorePlugin } from "../framework/plugin";
import { isTolerated } from "../filters/tolerations";
import { NodeFlags } from "../snapshot/node-columns";
import { normalizeMinMax } from "./normalize";

/** PREFER_NO_SCHEDULE is the name of the score that steers VMs away from PreferNoSchedule taints. */
export const PREFER_NO_SCHEDULE = "prefer-no-schedule";

/** preferNoScheduleScore favours nodes with the fewest PreferNoSchedule taints the VM does not tolerate. */
export const preferNoScheduleScore: ScorePlugin = {
  name: PREFER_NO_SCHEDULE,
  score(node, ctx) {
    let untolerated = 0;
    for (const taint of node.softTaints) if (!isTolerated(ctx.vm.spec.tolerations, taint)) untolerated++;
    return -untolerated;
  },
  normalize(scores) {
    normalizeMinMax(scores);
  },
  scoreColumns(columns, rows, count, ctx, _state, out) {
    const tolerations = ctx.vm.spec.tolerations;
    const { flags, nodes } = columns;
    let fewest = Number.POSITIVE_INFINITY;
    let most = 0;
    for (let j = 0; j < count; j++) {
      const r = rows[j]!;
      let untolerated = 0;
      if ((flags[r]! & NodeFlags.SOFT_TAINTS) !== 0)
        for (const taint of nodes[r]!.softTaints) if (!isTolerated(tolerations, taint)) untolerated++;
      out[j] = untolerated;
      if (untolerated < fewest) fewest = untolerated;
      if (untolerated > most) most = untolerated;
    }
    // The raw scores (-untolerated) are a few small integers: each is normalised once, with the
    // arithmetic of normalizeMinMax, and looked up per node.
    const min = -most;
    const span = -fewest - min;
    const scaled = new Float64Array(most + 1);
    for (let u = 0; u <= most; u++) scaled[u] = span === 0 ? 100 : (100 * (-u - min)) / span;
    for (let j = 0; j < count; j++) out[j] = scaled[out[j]!]!;
  },
};
