import type { FilterPlugin } from "../framework/plugin";
import { keepFlagged } from "../snapshot/column-selectors";
import { NodeFlags } from "../snapshot/node-columns";

/** COMPUTE_ROLE is the name of the filter that keeps VMs on nodes with the `compute` role. */
export const COMPUTE_ROLE = "compute-role";

/** computeRoleFilter passes only nodes that run VMs (role `compute`). */
export const computeRoleFilter: FilterPlugin = {
  name: COMPUTE_ROLE,
  rejects: { kind: "node-role", bindsRunning: true },
  filter(node) {
    return node.node.spec.roles.includes("compute") ? undefined : "not a compute node";
  },
  filterColumns: (columns, rows, count) => keepFlagged(columns, rows, count, NodeFlags.COMPUTE),
};
