import type { Toleration } from "@limiquantix/domain";
import type { ScorePlugin } from "../framework/plugin";
import { isTolerated } from "../filters/tolerations";
import { type NodeColumns, NodeFlags } from "../snapshot/node-columns";
import { RowCache } from "../snapshot/row-cache";
import { normalizeMinMax } from "./normalize";

/** PREFER_NO_SCHEDULE is the name of the score that steers VMs away from PreferNoSchedule taints. */
export const PREFER_NO_SCHEDULE = "prefer-no-schedule";

/** Untolerated is, per row, how many PreferNoSchedule taints a set of tolerations leaves untolerated, and how many rows have each count. */
interface Untolerated {
  readonly byRow: Int32Array;
  readonly rowsWith: number[];
}

const untoleratedBySet = new RowCache<Untolerated>(16);

function untoleratedOn(columns: NodeColumns, tolerations: readonly Toleration[]): Untolerated {
  const { flags, nodes } = columns;
  return untoleratedBySet.get(
    columns,
    tolerations.length === 0 ? "" : JSON.stringify(tolerations),
    (rows) => ({ byRow: new Int32Array(rows), rowsWith: [rows] }),
    ({ byRow, rowsWith }, r) => {
      let untolerated = 0;
      if ((flags[r]! & NodeFlags.SOFT_TAINTS) !== 0)
        for (const taint of nodes[r]!.softTaints) if (!isTolerated(tolerations, taint)) untolerated++;
      rowsWith[byRow[r]!]!--;
      while (rowsWith.length <= untolerated) rowsWith.push(0);
      rowsWith[untolerated]!++;
      byRow[r] = untolerated;
    },
  );
}

/** scale is the normalised score of each untolerated count, as normalizeMinMax gives it when the counts span fewest..most. */
function scale(fewest: number, most: number): Float64Array {
  const min = -most;
  const span = -fewest - min;
  const scaled = new Float64Array(most + 1);
  for (let u = 0; u <= most; u++) scaled[u] = span === 0 ? 100 : (100 * (-u - min)) / span;
  return scaled;
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
    const { byRow, rowsWith } = untoleratedOn(columns, ctx.vm.spec.tolerations);
    // The raw scores (-untolerated) are a few small integers, each normalised once. The feasible
    // nodes usually span the counts every node spans, so those are tried first, in one pass.
    let most = rowsWith.length - 1;
    while (most > 0 && rowsWith[most] === 0) most--;
    let fewest = 0;
    while (fewest < most && rowsWith[fewest] === 0) fewest++;
    const scaled = scale(fewest, most);
    let low = Number.POSITIVE_INFINITY;
    let high = 0;
    for (let j = 0; j < count; j++) {
      const u = byRow[rows[j]!]!;
      if (u < low) low = u;
      if (u > high) high = u;
      out[j] = scaled[u]!;
    }
    if (count === 0 || (low === fewest && high === most)) return;
    const rescaled = scale(low, high);
    for (let j = 0; j < count; j++) out[j] = rescaled[byRow[rows[j]!]!]!;
  },
};
