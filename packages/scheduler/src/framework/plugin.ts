import type { ResourceAmounts, VirtualMachine } from "@limiquantix/domain";
import type { NodeColumns } from "../snapshot/node-columns";
import type { NodeState, SnapshotReader } from "../snapshot/snapshot-types";
import type { FilterVerdict, RejectionTraits } from "./rejection";

/** SKIP is what a plugin's `prepare` returns when the plugin has nothing to say about a request. */
export const SKIP: unique symbol = Symbol("limiquantix.scheduler.skip");
/** Skip is the type of SKIP. */
export type Skip = typeof SKIP;

/** PlacementContext is what every plugin sees of one request: the VM, its demand and the snapshot. */
export interface PlacementContext {
  /** The VM being placed. */
  readonly vm: VirtualMachine;
  /** CPU and memory the VM needs on its node. */
  readonly demand: ResourceAmounts;
  /** The node the VM is on now, if it is already placed (its own usage there does not count against it). */
  readonly currentNodeId: string | undefined;
  /** The read side of the snapshot the request is evaluated against. */
  readonly snapshot: SnapshotReader;
}

/**
 * FilterPlugin is a hard rule: for each node it passes (returns `undefined`) or gives the
 * reason the VM cannot go there (`"insufficient memory (need 8192 MiB)"`).
 *
 * A reason is typed by what kind of rule it is and whether it also binds VMs already running on
 * the node (see RejectionTraits): a plain string takes the plugin's `rejects`, and a filter whose
 * reasons differ in kind or reach returns a FilterRejection instead. Built-in and third-party
 * filters are read the same way; nothing downstream looks at plugin names.
 *
 * `prepare` runs once per request (as kube-scheduler's PreFilter) so `filter` stays O(1) per
 * node where possible; it returns the state handed to `filter`, or SKIP when the rule cannot
 * reject any node for this VM.
 */
export interface FilterPlugin<S = unknown> {
  /** The name profiles refer to the plugin by; unique in a registry. */
  readonly name: string;
  /** The traits of the plain-string reasons `filter` returns (default UNTYPED_REJECTION). */
  readonly rejects?: RejectionTraits;
  prepare?(ctx: PlacementContext): S | Skip;
  filter(node: NodeState, ctx: PlacementContext, state: S): FilterVerdict;
  /**
   * filterColumns, when present, is `filter` for many nodes at once, over the snapshot's columns:
   * of the rows `rows[0..count)`, it keeps in place, in order, those `filter` passes and returns
   * how many it kept. The scheduler scans with it and still asks `filter` for the reasons, so the
   * two must agree on every node.
   */
  filterColumns?(
    columns: NodeColumns,
    rows: Int32Array,
    count: number,
    ctx: PlacementContext,
    state: S,
  ): number;
}

/**
 * ScorePlugin ranks the nodes that passed every filter from 0 (worst) to 100 (best).
 *
 * `prepare` runs once per request (as kube-scheduler's PreScore) and may return SKIP when the
 * plugin is indifferent for this VM; `normalize`, when present, rescales the raw scores of all
 * feasible nodes in place, for plugins whose raw values only mean something relative to each other.
 */
export interface ScorePlugin<S = unknown> {
  /** The name profiles refer to the plugin by; unique in a registry. */
  readonly name: string;
  prepare?(ctx: PlacementContext): S | Skip;
  score(node: NodeState, ctx: PlacementContext, state: S): number;
  normalize?(scores: Float64Array, nodes: readonly NodeState[], ctx: PlacementContext, state: S): void;
  /**
   * scoreColumns, when present, scores many nodes at once over the snapshot's columns: it writes
   * to `out[j]` the score of row `rows[j]` for every j below `count`, normalised, exactly what
   * `score` and then `normalize` give for those nodes in that order. The scheduler then calls
   * neither; `out` may be longer than `count`.
   */
  scoreColumns?(
    columns: NodeColumns,
    rows: Int32Array,
    count: number,
    ctx: PlacementContext,
    state: S,
    out: Float64Array,
  ): void;
}

/** Plugin is either kind of scheduler plugin. */
export type Plugin = FilterPlugin | ScorePlugin;

/** isFilterPlugin tells a filter plugin from a score plugin. */
export function isFilterPlugin(plugin: Plugin): plugin is FilterPlugin {
  return typeof (plugin as FilterPlugin).filter === "function";
}

/** defineFilter types a filter plugin with its own prepared state and returns it as a plain FilterPlugin. */
export function defineFilter<S>(plugin: FilterPlugin<S>): FilterPlugin {
  return plugin as FilterPlugin;
}

/** defineScore types a score plugin with its own prepared state and returns it as a plain ScorePlugin. */
export function defineScore<S>(plugin: ScorePlugin<S>): ScorePlugin {
  return plugin as ScorePlugin;
}
