import type { FilterPlugin } from "../framework/plugin";

/** NODE_READY is the name of the filter that keeps VMs off nodes that are not READY, are cordoned or in maintenance. */
export const NODE_READY = "node-ready";

/** nodeReadyFilter passes only READY, uncordoned nodes (domain `isSchedulable`, less the role check). */
export const nodeReadyFilter: FilterPlugin = {
  name: NODE_READY,
  filter(node) {
    const phase = node.node.status.phase;
    if (phase === "MAINTENANCE") return "in maintenance";
    if (phase !== "READY") return `not ready (phase ${phase})`;
    if (node.node.spec.cordoned) return "cordoned";
    return undefined;
  },
};
