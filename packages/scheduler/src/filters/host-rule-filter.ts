import { formatLabelSelector, type HostRule, matchesSelector } from "@limiquantix/domain";
import { defineFilter, SKIP } from "../framework/plugin";
import { keepMatching, keepNotMatching } from "../snapshot/column-selectors";

/** HOST_RULES is the name of the filter that enforces a VM's `must` host rules. */
export const HOST_RULES = "host-rules";

/** hostRuleFilter enforces `must` host rules: run-on keeps the VM inside a node group, not-run-on outside it. */
export const hostRuleFilter = defineFilter<readonly HostRule[]>({
  name: HOST_RULES,
  rejects: { kind: "host-rule", bindsRunning: true },
  prepare(ctx) {
    if (ctx.vm.spec.affinity.hostRules.length === 0) return SKIP;
    const rules = ctx.vm.spec.affinity.hostRules.filter((r) => r.enforcement === "must");
    return rules.length === 0 ? SKIP : rules;
  },
  filter(node, _ctx, rules) {
    for (const rule of rules) {
      const inGroup = matchesSelector(rule.nodeSelector, node.labels);
      if (rule.type === "run-on" && !inGroup)
        return `host rule: must run on nodes "${formatLabelSelector(rule.nodeSelector)}"`;
      if (rule.type === "not-run-on" && inGroup)
        return `host rule: must not run on nodes "${formatLabelSelector(rule.nodeSelector)}"`;
    }
    return undefined;
  },
  filterColumns(columns, rows, count, _ctx, rules) {
    let kept = count;
    for (const rule of rules) {
      if (rule.type === "run-on") kept = keepMatching(columns, rule.nodeSelector, rows, kept);
      else if (rule.type === "not-run-on") kept = keepNotMatching(columns, rule.nodeSelector, rows, kept);
    }
    return kept;
  },
});
