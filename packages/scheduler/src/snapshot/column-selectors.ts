import type { LabelRequirement, LabelSelector } from "@limiquantix/domain";
import type { LabelColumn, NodeColumns } from "./node-columns";

// Row helpers for plugins that evaluate nodes over NodeColumns. Each keeps rows in place, in
// order, and returns how many it kept, as `filterColumns` does.

/**
 * requirementTable decides a label requirement once per value of its key, as the domain's
 * `matchesRequirement` does per node: entry 0 is a node without the label, entry c + 1 a node
 * whose value has code c.
 */
function requirementTable(column: LabelColumn, req: LabelRequirement): Uint8Array {
  const op = req.operator;
  const table = new Uint8Array(column.values.length + 1);
  // A node without the label satisfies only the negative operators.
  table[0] = op === "!=" || op === "notin" || op === "!exists" ? 1 : 0;
  // Every value satisfies these but the ones listed; the others, only the ones listed.
  const listedFail = op === "!=" || op === "notin" || op === "exists";
  if (listedFail) table.fill(1, 1);
  const listed =
    op === "=" || op === "!=" ? req.values.slice(0, 1) : op === "in" || op === "notin" ? req.values : [];
  for (const value of listed) {
    const code = column.codeOf(value);
    if (code >= 0) table[code + 1] = listedFail ? 0 : 1;
  }
  return table;
}

/** keepMarked keeps the rows whose entry in a per-row mask (such as `NodeColumns.members`) is 1. */
export function keepMarked(mask: Uint8Array, rows: Int32Array, count: number): number {
  let kept = 0;
  for (let j = 0; j < count; j++) {
    const r = rows[j]!;
    if (mask[r] === 1) rows[kept++] = r;
  }
  return kept;
}

/**
 * keepCoded keeps the rows whose code in a column has entry 1 in `table` (entry 0: no value,
 * entry c + 1: code c).
 */
export function keepCoded(column: LabelColumn, table: Uint8Array, rows: Int32Array, count: number): number {
  const codes = column.codes;
  let kept = 0;
  for (let j = 0; j < count; j++) {
    const r = rows[j]!;
    if (table[codes[r]! + 1] === 1) rows[kept++] = r;
  }
  return kept;
}

/** keepMatching keeps the rows whose node labels satisfy a selector. */
export function keepMatching(
  columns: NodeColumns,
  selector: LabelSelector,
  rows: Int32Array,
  count: number,
): number {
  let kept = count;
  for (const req of selector) {
    if (kept === 0) break;
    const column = columns.label(req.key);
    kept = keepCoded(column, requirementTable(column, req), rows, kept);
  }
  return kept;
}

/** matchRows writes to `out[j]` whether the labels of row `rows[j]` satisfy a selector (1) or not (0). */
export function matchRows(
  columns: NodeColumns,
  selector: LabelSelector,
  rows: Int32Array,
  count: number,
  out: Uint8Array,
): void {
  out.fill(1, 0, count);
  for (const req of selector) {
    const column = columns.label(req.key);
    const table = requirementTable(column, req);
    const codes = column.codes;
    for (let j = 0; j < count; j++) if (table[codes[rows[j]!]! + 1] === 0) out[j] = 0;
  }
}

/** keepNotMatching keeps the rows whose node labels do not satisfy a selector. */
export function keepNotMatching(
  columns: NodeColumns,
  selector: LabelSelector,
  rows: Int32Array,
  count: number,
): number {
  const match = new Uint8Array(count);
  matchRows(columns, selector, rows, count, match);
  let kept = 0;
  for (let j = 0; j < count; j++) if (match[j] === 0) rows[kept++] = rows[j]!;
  return kept;
}
