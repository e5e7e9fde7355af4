import { type HostRule, matchesSelector } from "@limiquantix/domain";
import { defineScore, SKIP } from "../framework/plugin";
import { matchRows } from "../snapshot/column-selectors";

/** HOST_RULE_PREFERENCE is the name of the score that honours a VM's `should` host rules. */
export const HOST_RULE_PREFERENCE = "host-rule-preference";

/** hostRuleScore is 100 × the weighted share of the VM's `should` host rules a node satisfies. */
export const hostRuleScore = defineScore<{ rules: readonly HostRule[]; total: number }>({
  name: HOST_RULE_PREFERENCE,
  prepare(ctx) {
    const rules = ctx.vm.spec.affinity.hostRules.filter((r) => r.enforcement === "should");
    if (rules.length === 0) return SKIP;
    return { rules, total: rules.reduce((n, r) => n + r.weight, 0) };
  },
  score(node, _ctx, { rules, total }) {
    let met = 0;
    for (const rule of rules) {
      const inGroup = matchesSelector(rule.nodeSelector, node.labels);
      if (inGroup === (rule.type === "run-on")) met += rule.weight;
    }
    return (100 * met) / total;
  },
  scoreColumns(columns, rows, count, _ctx, { rules, total }, out) {
    out.fill(0, 0, count);
    const inGroup = new Uint8Array(count);
    for (const rule of rules) {
      matchRows(columns, rule.nodeSelector, rows, count, inGroup);
      const want = rule.type === "run-on" ? 1 : 0;
      for (let j = 0; j < count; j++) if (inGroup[j] === want) out[j]! += rule.weight;
    }
    for (let j = 0; j < count; j++) out[j] = (100 * out[j]!) / total;
  },
});
