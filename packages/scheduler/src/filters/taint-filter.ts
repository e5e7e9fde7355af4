import type { Taint } from "@limiquantix/domain";
import type { FilterPlugin } from "../framework/plugin";
import type { FilterRejection } from "../framework/rejection";
import { formatTaint, isTolerated } from "./tolerations";

/** TAINTS is the name of the filter that keeps VMs off nodes with NoSchedule or NoExecute taints they do not tolerate. */
export const TAINTS = "taints";

function untolerated(taint: Taint): FilterRejection {
  return {
    reason: `untolerated taint ${formatTaint(taint)}`,
    kind: "taint",
    bindsRunning: taint.effect === "NoExecute",
  };
}

/**
 * taintFilter rejects a node carrying a NoSchedule or NoExecute taint none of the VM's tolerations
 * covers. A NoExecute taint also evicts the VMs running there, so it is the one reported when the
 * node carries both kinds; a NoSchedule taint only keeps new VMs off.
 */
export const taintFilter: FilterPlugin = {
  name: TAINTS,
  filter(node, ctx) {
    const taints = node.hardTaints;
    if (taints.length === 0) return undefined;
    const tolerations = ctx.vm.spec.tolerations;
    let noSchedule: Taint | undefined;
    for (const taint of taints) {
      if (isTolerated(tolerations, taint)) continue;
      if (taint.effect === "NoExecute") return untolerated(taint);
      noSchedule ??= taint;
    }
    return noSchedule === undefined ? undefined : untolerated(noSchedule);
  },
};
