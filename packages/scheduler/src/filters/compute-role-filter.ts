import { keepByRule, type RowRule, withRowRule } from "../framework/row-rules";
import type { FilterPlugin } from "../framework/plugin";
import { NodeFlags } from "../snapshot/node-columns";

/** COMPUTE_ROLE is the name of the filter that keeps VMs on nodes with the `compute` role. */
export const COMPUTE_ROLE = "compute-role";

const COMPUTE_RULE: RowRule = { require: NodeFlags.COMPUTE, forbid: 0 };

/** computeRoleFilter passes only nodes that run VMs (role `compute`). */
export const computeRoleFilter: FilterPlugin = withRowRule(
  {
    name: COMPUTE_ROLE,
    rejects: { kind: "node-role", bindsRunning: true },
    filter(node) {
      return node.node.spec.roles.includes("compute") ? undefined : "not a compute node";
    },
    filterColumns: (columns, rows, count) => keepByRule(columns, COMPUTE_RULE, rows, count),
  },
  () => COMPUTE_RULE,
);
