import { type DomainError, resourceExhausted } from "@limiquantix/domain";
import type { NodeState } from "../snapshot/snapshot-types";
import type { FilterPlugin, PlacementContext } from "./plugin";
import { type FilterRejection, UNTYPED_REJECTION } from "./rejection";

/**
 * Rejection is one filter's reason for turning a node down, with the plugin that gave it and the
 * reason's traits (`kind`, `bindsRunning`) so a caller acts on what the rule is, not on its plugin.
 */
export interface Rejection extends FilterRejection {
  /** The name of the filter plugin, or `request` for a node the request excluded. */
  readonly plugin: string;
}

/** NodeRejections lists every reason one node was turned down for. */
export interface NodeRejections {
  readonly nodeId: string;
  readonly nodeName: string;
  readonly reasons: readonly Rejection[];
}

/** ReasonCount is how many nodes a reason was the first to turn down. */
export interface ReasonCount {
  readonly reason: string;
  readonly count: number;
}

/** PlacementFailureDetails is what the details of an unplaceable VM's ResourceExhausted error hold. */
export interface PlacementFailureDetails {
  readonly resource: { readonly kind: "VirtualMachine"; readonly id: string; readonly name: string };
  /** Reasons across nodes (each node counted once, under its first reason), most frequent first. */
  readonly summary: readonly ReasonCount[];
  /** Every node with every reason it was turned down for, ordered by node id. */
  readonly nodes: readonly NodeRejections[];
  readonly [key: string]: unknown;
}

/** ActiveFilter is a filter with the state it prepared for the request. */
export interface ActiveFilter {
  readonly plugin: FilterPlugin;
  readonly state: unknown;
}

/** EXCLUDED_REASON is the reason given for nodes the request itself excluded. */
export const EXCLUDED_REASON = "excluded by the request";
const EXCLUDED: Rejection = Object.freeze({
  plugin: "request",
  reason: EXCLUDED_REASON,
  kind: "request",
  bindsRunning: false,
});
const SUMMARY_LIMIT = 6;

/**
 * rejectionOf types a filter's verdict on a node: a plain reason takes the plugin's declared
 * traits (UNTYPED_REJECTION when it declares none), a FilterRejection keeps its own.
 */
export function rejectionOf(plugin: FilterPlugin, verdict: string | FilterRejection): Rejection {
  if (typeof verdict === "string") {
    const { kind, bindsRunning } = plugin.rejects ?? UNTYPED_REJECTION;
    return { plugin: plugin.name, reason: verdict, kind, bindsRunning };
  }
  return {
    plugin: plugin.name,
    reason: verdict.reason,
    kind: verdict.kind,
    bindsRunning: verdict.bindsRunning,
  };
}

/** rejectionsOf runs every filter on a node, not stopping at the first failure, to say all that is wrong. */
export function rejectionsOf(
  node: NodeState,
  ctx: PlacementContext,
  filters: readonly ActiveFilter[],
  excluded: boolean,
): Rejection[] {
  const reasons: Rejection[] = excluded ? [EXCLUDED] : [];
  for (const f of filters) {
    const verdict = f.plugin.filter(node, ctx, f.state);
    if (verdict !== undefined) reasons.push(rejectionOf(f.plugin, verdict));
  }
  return reasons;
}

/** summarize counts nodes under their first reason, most frequent first, ties by reason text. */
export function summarize(nodes: readonly NodeRejections[]): ReasonCount[] {
  const counts = new Map<string, number>();
  for (const n of nodes) {
    const first = n.reasons[0]?.reason ?? "no reason given";
    counts.set(first, (counts.get(first) ?? 0) + 1);
  }
  return [...counts]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
}

/**
 * unplaceableError builds the ResourceExhausted error of a VM no node fits, e.g.
 * `0/12 nodes fit: 7 insufficient memory (need 8192 MiB), 3 cordoned, 2 anti-affinity with vm "db-1"`.
 */
export function unplaceableError(ctx: PlacementContext, nodes: readonly NodeRejections[]): DomainError {
  const vm = ctx.vm;
  const summary = summarize(nodes);
  const total = ctx.snapshot.nodes().length;
  const shown = summary.slice(0, SUMMARY_LIMIT).map((s) => `${s.count} ${s.reason}`);
  if (summary.length > SUMMARY_LIMIT) shown.push(`${summary.length - SUMMARY_LIMIT} other reasons`);
  const body = total === 0 ? "the snapshot has no nodes" : shown.join(", ");
  const details: PlacementFailureDetails = {
    resource: { kind: "VirtualMachine", id: vm.id, name: vm.name },
    summary,
    nodes,
  };
  return resourceExhausted(
    `0/${total} nodes fit: ${body}; add capacity or relax the placement rules of vm "${vm.name}"`,
    details,
  );
}
