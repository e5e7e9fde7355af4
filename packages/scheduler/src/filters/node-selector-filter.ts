import { formatLabelSelector, type LabelSelector, matchesSelector } from "@limiquantix/domain";
import { defineFilter, SKIP } from "../framework/plugin";
import { keepMatching } from "../snapshot/column-selectors";

/** NODE_SELECTOR is the name of the filter that applies a VM's node selector to node labels. */
export const NODE_SELECTOR = "node-selector";

/** nodeSelectorFilter passes nodes whose labels satisfy the VM's `spec.nodeSelector` (=, !=, in, notin, exists, !exists). */
export const nodeSelectorFilter = defineFilter<{ selector: LabelSelector; reason: string }>({
  name: NODE_SELECTOR,
  rejects: { kind: "node-selector", bindsRunning: true },
  prepare(ctx) {
    const selector = ctx.vm.spec.nodeSelector;
    if (selector.length === 0) return SKIP;
    return { selector, reason: `does not match node selector "${formatLabelSelector(selector)}"` };
  },
  filter(node, _ctx, state) {
    return matchesSelector(state.selector, node.labels) ? undefined : state.reason;
  },
  filterColumns: (columns, rows, count, _ctx, state) => keepMatching(columns, state.selector, rows, count),
});
