import type { Taint, Toleration } from "@limiquantix/domain";
import { keepByRule, type RowRule, withRowRule } from "../framework/row-rules";
import type { FilterPlugin } from "../framework/plugin";
import type { FilterRejection } from "../framework/rejection";
import { NodeFlags } from "../snapshot/node-columns";
import type { NodeState } from "../snapshot/snapshot-types";
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

function toleratesAll(node: NodeState, tolerations: readonly Toleration[]): boolean {
  for (const taint of node.hardTaints) if (!isTolerated(tolerations, taint)) return false;
  return true;
}

const UNTAINTED_RULE: RowRule = { require: 0, forbid: NodeFlags.HARD_TAINTS };

/**
 * taintFilter rejects a node carrying a NoSchedule or NoExecute taint none of the VM's tolerations
 * covers. A NoExecute taint also evicts the VMs running there, so it is the one reported when the
 * node carries both kinds; a NoSchedule taint only keeps new VMs off.
 */
export const taintFilter: FilterPlugin = withRowRule(
  {
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
    filterColumns(columns, rows, count, ctx) {
      const tolerations = ctx.vm.spec.tolerations;
      // Without tolerations, every hard taint rules its node out.
      if (tolerations.length === 0) return keepByRule(columns, UNTAINTED_RULE, rows, count);
      const { flags, nodes } = columns;
      let kept = 0;
      for (let j = 0; j < count; j++) {
        const r = rows[j]!;
        if ((flags[r]! & NodeFlags.HARD_TAINTS) === 0 || toleratesAll(nodes[r]!, tolerations))
          rows[kept++] = r;
      }
      return kept;
    },
  },
  // Without tolerations, every hard taint rules its node out.
  (_columns, ctx) => (ctx.vm.spec.tolerations.length === 0 ? UNTAINTED_RULE : undefined),
);
