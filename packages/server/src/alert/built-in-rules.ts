import type { AlertRuleInput } from "@limiquantix/domain";

/** BUILT_IN_LABEL marks the rules the server creates itself. */
export const BUILT_IN_LABEL = "alerts.limiquantix.io/built-in";

/** BuiltInRule is a rule the server creates on its first start, under a fixed id. */
export type BuiltInRule = AlertRuleInput & { readonly id: `builtin-${string}` };

const builtIn = (id: string, spec: AlertRuleInput["spec"]): BuiltInRule => ({
  id: `builtin-${id}`,
  name: id,
  labels: { [BUILT_IN_LABEL]: "true" },
  spec: { enabled: true, ...spec },
});

/**
 * BUILT_IN_RULES are the rules of the design: node CPU above 80 % (warning) and 95 % (critical),
 * node memory above 85 %, storage pool free space under 10 %, and a node that is not ready or
 * failed. They are stored like any rule, so admins can change thresholds or disable them; they
 * cannot be deleted (the server would create them again).
 */
export const BUILT_IN_RULES: readonly BuiltInRule[] = [
  builtIn("node-cpu-warning", {
    description: "A node's CPU has stayed above 80 % for five minutes.",
    metric: "node.cpu.percent",
    operator: "gt",
    threshold: 80,
    forSec: 300,
    severity: "WARNING",
    cooldownSec: 300,
  }),
  builtIn("node-cpu-critical", {
    description: "A node's CPU has stayed above 95 % for a minute.",
    metric: "node.cpu.percent",
    operator: "gt",
    threshold: 95,
    forSec: 60,
    severity: "CRITICAL",
    cooldownSec: 300,
  }),
  builtIn("node-memory-warning", {
    description: "A node's memory has stayed above 85 % in use for five minutes.",
    metric: "node.memory.percent",
    operator: "gt",
    threshold: 85,
    forSec: 300,
    severity: "WARNING",
    cooldownSec: 300,
  }),
  builtIn("pool-free-space-low", {
    description: "A storage pool has less than 10 % of its capacity free.",
    metric: "pool.free.percent",
    operator: "lt",
    threshold: 10,
    forSec: 60,
    severity: "WARNING",
    cooldownSec: 300,
  }),
  builtIn("node-not-ready", {
    description: "A node stopped sending heartbeats and is NOT_READY.",
    metric: "node.not_ready",
    operator: "gt",
    threshold: 0,
    forSec: 0,
    severity: "WARNING",
  }),
  builtIn("node-failed", {
    description: "A node was found failed (FAILED, FENCING or FENCED).",
    metric: "node.failed",
    operator: "gt",
    threshold: 0,
    forSec: 0,
    severity: "CRITICAL",
  }),
];

const BUILT_IN_IDS: ReadonlySet<string> = new Set(BUILT_IN_RULES.map((r) => r.id));

/** isBuiltInRule says whether a rule id is one of the built-in rules (ids the id generator never makes). */
export function isBuiltInRule(id: string): boolean {
  return BUILT_IN_IDS.has(id);
}
