import type { NodeState } from "./snapshot-types";

/**
 * inClusterScope says whether a node takes part in a cluster's DRS or HA decisions: it belongs to
 * the cluster, or it belongs to none (a single-cluster installation need not label its nodes).
 */
export function inClusterScope(node: NodeState, clusterId: string | undefined): boolean {
  if (clusterId === undefined) return true;
  const own = node.node.clusterId;
  return own === undefined || own === clusterId;
}

/** timeOf turns an ISO timestamp or epoch milliseconds into epoch milliseconds (NaN when unreadable). */
export function timeOf(at: string | number): number {
  return typeof at === "number" ? at : Date.parse(at);
}
