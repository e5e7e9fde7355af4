import type { FilterPlugin } from "../framework/plugin";
import { formatTaint, isTolerated } from "./tolerations";

/** TAINTS is the name of the filter that keeps VMs off nodes with NoSchedule or NoExecute taints they do not tolerate. */
export const TAINTS = "taints";

/** taintFilter rejects a node carrying a NoSchedule or NoExecute taint none of the VM's tolerations covers. */
export const taintFilter: FilterPlugin = {
  name: TAINTS,
  filter(node, ctx) {
    const taints = node.hardTaints;
    if (taints.length === 0) return undefined;
    const tolerations = ctx.vm.spec.tolerations;
    for (const taint of taints)
      if (!isTolerated(tolerations, taint)) return `untolerated taint ${formatTaint(taint)}`;
    return undefined;
  },
};
