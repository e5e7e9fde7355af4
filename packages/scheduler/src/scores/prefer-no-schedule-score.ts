import type { ScorePlugin } from "../framework/plugin";
import { isTolerated } from "../filters/tolerations";
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
};
