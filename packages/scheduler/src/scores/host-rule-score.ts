import { type HostRule, matchesSelector } from "@limiquantix/domain";
import { defineScore, SKIP } from "../framework/plugin";

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
});
