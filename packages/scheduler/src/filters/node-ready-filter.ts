import { keepByRule, type RowRule, withRowRule } from "../framework/row-rules";
import type { FilterPlugin } from "../framework/plugin";
import type { FilterRejection } from "../framework/rejection";
import { NodeFlags } from "../snapshot/node-columns";

/** NODE_READY is the name of the filter that keeps VMs off nodes that are not READY, are cordoned or in maintenance. */
export const NODE_READY = "node-ready";

// Cordoning and a node that is not ready only forbid new placements (a failed node's VMs are HA's
// to restart); a node in maintenance must be emptied, so that rule binds the VMs running there too.
const IN_MAINTENANCE: FilterRejection = { reason: "in maintenance", kind: "node-state", bindsRunning: true };
const CORDONED: FilterRejection = { reason: "cordoned", kind: "node-state", bindsRunning: false };

const READY_RULE: RowRule = { require: NodeFlags.READY, forbid: 0 };

/** nodeReadyFilter passes only READY, uncordoned nodes (domain `isSchedulable`, less the role check). */
export const nodeReadyFilter: FilterPlugin = withRowRule(
  {
    name: NODE_READY,
    filter(node) {
      const phase = node.node.status.phase;
      if (phase === "MAINTENANCE") return IN_MAINTENANCE;
      if (phase !== "READY")
        return { reason: `not ready (phase ${phase})`, kind: "node-state", bindsRunning: false };
      if (node.node.spec.cordoned) return CORDONED;
      return undefined;
    },
    filterColumns: (columns, rows, count) => keepByRule(columns, READY_RULE, rows, count),
  },
  () => READY_RULE,
);
