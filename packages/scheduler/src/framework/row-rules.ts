import type { NodeColumns } from "../snapshot/node-columns";
import type { FilterPlugin, PlacementContext } from "./plugin";

/**
 * RowRule is a filter's verdict for one request when it reads nothing but facts already kept per
 * row: a node passes when its NodeFlags have every `require` bit and no `forbid` bit and, with
 * `marks`, its mark is 1; the one row `except` (say, the VM's own node) passes on its flags and
 * `exceptPasses` instead of its mark.
 */
export interface RowRule {
  readonly require: number;
  readonly forbid: number;
  readonly marks?: Uint8Array;
  readonly except?: number;
  readonly exceptPasses?: boolean;
}

type RuleOf = (columns: NodeColumns, ctx: PlacementContext, state: unknown) => RowRule | undefined;

const rules = new WeakMap<FilterPlugin, RuleOf>();

/**
 * withRowRule records that a filter, for the requests its rule answers (not undefined), passes
 * exactly the nodes the rule passes, so the scan applies it while it lists rows instead of in a
 * pass of its own. The built-in node-state and capacity filters have one.
 */
export function withRowRule<P extends FilterPlugin>(plugin: P, rule: RuleOf): P {
  rules.set(plugin, rule);
  return plugin;
}

/** rowRuleOf is a filter's RowRule for a request, or undefined when it has none. */
export function rowRuleOf(
  plugin: FilterPlugin,
  columns: NodeColumns,
  ctx: PlacementContext,
  state: unknown,
): RowRule | undefined {
  return rules.get(plugin)?.(columns, ctx, state);
}

/** keepByRule keeps the rows a RowRule passes, in place and in order, and returns how many: a rule's `filterColumns`. */
export function keepByRule(columns: NodeColumns, rule: RowRule, rows: Int32Array, count: number): number {
  const flags = columns.flags;
  const { require, marks } = rule;
  const mask = require | rule.forbid;
  const except = rule.except ?? -1;
  let kept = 0;
  for (let j = 0; j < count; j++) {
    const r = rows[j]!;
    if ((flags[r]! & mask) !== require) continue;
    if (marks !== undefined && (r === except ? rule.exceptPasses !== true : marks[r] !== 1)) continue;
    rows[kept++] = r;
  }
  return kept;
}
