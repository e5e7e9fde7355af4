import type { NodeColumns } from "../snapshot/node-columns";
import type { ActiveFilter } from "./explain";
import { type RowRule, rowRuleOf } from "./row-rules";
import type { PlacementContext } from "./plugin";

/** ScanPlan says where a scan starts, how many feasible nodes end it and which rows it skips. */
export interface ScanPlan {
  /** Row the scan starts at; it wraps around to the rows before. */
  readonly start: number;
  /** Feasible nodes to find before stopping (every node: the number of rows). */
  readonly want: number;
  /** Rows the request excluded (1), when it excluded any. */
  readonly skip: Uint8Array | undefined;
}

/** ScanResult is what a scan found: `rows[0..feasible)` are the feasible rows, in scan order. */
export interface ScanResult {
  readonly feasible: number;
  /** Nodes the scan went through before it stopped, as a node-by-node scan counts them. */
  readonly evaluated: number;
}

// The first batch of rows is as many as the nodes wanted; later ones (after too few passed)
// are twice what is still missing, and never fewer than this.
const MIN_BATCH = 64;

/**
 * fillRows writes `batch` rows from row `from` on (wrapping past the last) that the request did
 * not skip and a RowRule passes; it returns how many.
 */
function fillRows(
  rows: Int32Array,
  from: number,
  batch: number,
  n: number,
  skip: Uint8Array | undefined,
  flags: Uint8Array,
  rule: RowRule,
): number {
  const { require, marks } = rule;
  const mask = require | rule.forbid;
  const except = rule.except ?? -1;
  const exceptPasses = rule.exceptPasses === true;
  let count = 0;
  let r = from >= n ? from - n : from;
  for (let left = batch; left > 0; ) {
    const end = Math.min(n, r + left);
    left -= end - r;
    for (; r < end; r++) {
      if ((flags[r]! & mask) !== require || (skip !== undefined && skip[r] === 1)) continue;
      if (marks !== undefined && (r === except ? !exceptPasses : marks[r] !== 1)) continue;
      rows[count++] = r;
    }
    r = 0;
  }
  return count;
}

/**
 * keepPassing runs a filter without `filterColumns` on each row still standing: `filter` per
 * node, keeping the rows it passes in place and in order.
 */
function keepPassing(
  f: ActiveFilter,
  columns: NodeColumns,
  rows: Int32Array,
  count: number,
  ctx: PlacementContext,
): number {
  const nodes = columns.nodes;
  let kept = 0;
  for (let j = 0; j < count; j++) {
    const r = rows[j]!;
    if (f.plugin.filter(nodes[r]!, ctx, f.state) === undefined) rows[kept++] = r;
  }
  return kept;
}

/**
 * scanFeasible finds the feasible rows of a request in scan order (from `plan.start`, wrapping),
 * stopping once `plan.want` are found, into `rows` (at least as long as the columns). Rows go
 * through the filters in batches: the filters with a RowRule for the request as the rows are
 * listed, then the others one at a time in profile order over the rows the earlier ones kept,
 * each by `filterColumns` when it has one. Filters are pure, so the feasible rows, their order and
 * the count of evaluated nodes are those of a node-by-node scan that stops at the `want`-th
 * feasible node.
 */
export function scanFeasible(
  columns: NodeColumns,
  filters: readonly ActiveFilter[],
  ctx: PlacementContext,
  plan: ScanPlan,
  rows: Int32Array,
): ScanResult {
  const n = columns.nodes.length;
  const { start, want, skip } = plan;
  // Filters that, for this request, read only facts kept per row are applied as rows are
  // listed: all their flags, and the marks of one of them.
  let require = 0;
  let forbid = 0;
  let marked: RowRule | undefined;
  const passes: ActiveFilter[] = [];
  for (const f of filters) {
    const rule = rowRuleOf(f.plugin, columns, ctx, f.state);
    if (rule === undefined || (rule.marks !== undefined && marked !== undefined)) passes.push(f);
    else {
      require |= rule.require;
      forbid |= rule.forbid;
      if (rule.marks !== undefined) marked = rule;
    }
  }
  const listing: RowRule = { ...marked, require, forbid };
  let found = 0;
  let scanned = 0;
  while (found < want && scanned < n) {
    const batch = Math.min(n - scanned, scanned === 0 ? want : Math.max(MIN_BATCH, 2 * (want - found)));
    const tail = found === 0 ? rows : rows.subarray(found);
    let count = fillRows(tail, start + scanned, batch, n, skip, columns.flags, listing);
    for (const f of passes) {
      if (count === 0) break;
      count =
        f.plugin.filterColumns === undefined
          ? keepPassing(f, columns, tail, count, ctx)
          : f.plugin.filterColumns(columns, tail, count, ctx, f.state);
    }
    found += count;
    scanned += batch;
  }
  if (found < want || want === 0) return { feasible: found, evaluated: n };
  // A node-by-node scan stops right after the want-th feasible node.
  const last = rows[want - 1]!;
  return { feasible: want, evaluated: ((last - start + n) % n) + 1 };
}
