import type { Toleration } from "@limiquantix/domain";
import type { ScorePlugin } from "../framework/plugin";
import { isTolerated } from "../filters/tolerations";
import { type NodeColumns, NodeFlags } from "../snapshot/node-columns";
import { RowCache } from "../snapshot/row-cache";
import { normalizeMinMax } from "./normalize";

/** PREFER_NO_SCHEDULE is the name of the score that steers VMs away from PreferNoSchedule taints. */
export const PREFER_NO_SCHEDULE = "prefer-no-schedule";

// Per set of tolerations, how many PreferNoSchedule taints of each row it leaves untolerated.
const untoleratedCounts = new RowCache<Uint32Array>(16);

function untoleratedOn(columns: NodeColumns, tolerations: readonly Toleration[]): Uint32Array {
  const { flags, nodes } = columns;
  return untoleratedCounts.get(
    columns,
    tolerations.length === 0 ? "" : JSON.stringify(tolerations),
    (rows) => new Uint32Array(rows),
    (counts, r) => {
      let untolerated = 0;
      if ((flags[r]! & NodeFlags.SOFT_TAINTS) !== 0)
        for (const taint of nodes[r]!.softTaints) if (!isTolerated(tolerations, taint)) untolerated++;
      counts[r] = untolerated;
    },
  );
}

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
    const untolerated = untoleratedOn(columns, ctx.vm.spec.tolerations);
    let fewest = Number.POSITIVE_INFINITY;
    let most = 0;
    for (let j = 0; j < count; j++) {
      const u = untolerated[rows[j]!]!;
      if (u < fewest) fewest = u;
      if (u > most) most = u;
    }
    // The raw scores (-untolerated) are a few small integers: each is normalised once, with the
    // arithmetic of normalizeMinMax, and looked up per node.
    const min = -most;
    const span = -fewest - min;
    const scaled = new Float64Array(most + 1);
    for (let u = 0; u <= most; u++) scaled[u] = span === 0 ? 100 : (100 * (-u - min)) / span;
    for (let j = 0; j < count; j++) out[j] = scaled[untolerated[rows[j]!]!]!;
  },
};
