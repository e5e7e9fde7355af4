import type { Alert, AlertRule } from "@limiquantix/domain";
import { type MetricDefinition, metricNamed } from "./metric-catalog";
import type { ResourceSample } from "./metric-samples";

/** Tracking is what the evaluator remembers between passes about one rule × resource. */
export interface Tracking {
  /** When the condition was first seen holding while no alert was active (ms since the epoch). */
  readonly pendingSince?: number;
  /** When the condition was first seen cleared while an alert was active (ms since the epoch). */
  readonly clearingSince?: number;
}

/** EvaluationInput is one pass's snapshot: the time, every rule, what the resources read, and the active alerts rules raised. */
export interface EvaluationInput {
  readonly now: number;
  readonly rules: readonly AlertRule[];
  readonly samples: readonly ResourceSample[];
  /** The unresolved alerts that carry a rule id. */
  readonly active: readonly Alert[];
  readonly tracking: ReadonlyMap<string, Tracking>;
}

/** FireDecision says a rule's condition has held on a resource for the rule's for-duration, with no alert active. */
export interface FireDecision {
  readonly fingerprint: string;
  readonly rule: AlertRule;
  readonly metric: MetricDefinition;
  readonly sample: ResourceSample;
  readonly value: number;
  /** How long the condition has held, in seconds. */
  readonly heldSec: number;
}

/** ResolveDecision says an active alert should resolve, and why. */
export interface ResolveDecision {
  readonly alert: Alert;
  readonly reason: string;
}

/** EvaluationResult is what a pass decided, and what to remember for the next one. */
export interface EvaluationResult {
  readonly fire: readonly FireDecision[];
  readonly resolve: readonly ResolveDecision[];
  readonly tracking: Map<string, Tracking>;
}

const OPERATOR_TEXT: Readonly<Record<AlertRule["spec"]["operator"], string>> = {
  gt: ">",
  gte: "≥",
  lt: "<",
  lte: "≤",
};

/** operatorText is how messages write a rule's comparison (`>`, `≥`, `<`, `≤`). */
export function operatorText(op: AlertRule["spec"]["operator"]): string {
  return OPERATOR_TEXT[op];
}

/** ruleFingerprint names one rule × resource: an alert raised again for it is the same alert, not a new one. */
export function ruleFingerprint(ruleId: string, kind: string, resourceId: string): string {
  return `rule/${ruleId}/${kind}/${resourceId}`;
}

/** holds says whether a value meets a rule's comparison. */
export function holds(value: number, op: AlertRule["spec"]["operator"], threshold: number): boolean {
  switch (op) {
    case "gt":
      return value > threshold;
    case "gte":
      return value >= threshold;
    case "lt":
      return value < threshold;
    case "lte":
      return value <= threshold;
  }
}

/** inScope says whether a resource is one a rule watches. */
export function inScope(rule: AlertRule, sample: ResourceSample): boolean {
  const { clusterId, resourceId } = rule.spec.scope;
  return (!clusterId || sample.clusterId === clusterId) && (!resourceId || sample.id === resourceId);
}

/**
 * evaluateRules decides one pass, without I/O. For each enabled rule and each resource it watches:
 * with no alert active, a condition that has held for the rule's for-duration fires (it stays
 * pending while it holds, so a fire held back by the cooldown is tried again next pass); with an
 * alert active, a condition that has stayed clear for the for-duration resolves it. An unknown
 * value (a node that stopped reporting) changes nothing; an inactive resource (a VM that is not
 * running) resolves its alerts at once. An active alert whose rule was deleted or
 * disabled, whose resource is gone, or that left the rule's scope resolves at once.
 */
export function evaluateRules(input: EvaluationInput): EvaluationResult {
  const { now } = input;
  const fire: FireDecision[] = [];
  const resolve: ResolveDecision[] = [];
  const tracking = new Map<string, Tracking>();
  const activeByFingerprint = new Map(input.active.filter((a) => a.ruleId).map((a) => [a.fingerprint, a]));
  const seen = new Set<string>();

  for (const rule of input.rules) {
    const metric = metricNamed(rule.spec.metric);
    if (!rule.spec.enabled || !metric) continue;
    const forMs = rule.spec.forSec * 1000;
    for (const sample of input.samples) {
      if (sample.kind !== metric.kind || !inScope(rule, sample)) continue;
      const fingerprint = ruleFingerprint(rule.id, sample.kind, sample.id);
      const active = activeByFingerprint.get(fingerprint);
      if (active) seen.add(fingerprint);
      const before = input.tracking.get(fingerprint);
      if (sample.inactive) {
        if (active)
          resolve.push({ alert: active, reason: `${sample.kind} ${sample.name} ${sample.inactive}` });
        continue;
      }
      const value = sample.values[metric.name];
      if (value === undefined) {
        if (before) tracking.set(fingerprint, before);
        continue;
      }
      const met = holds(value, rule.spec.operator, rule.spec.threshold);
      if (active) {
        if (met) continue;
        const since = before?.clearingSince ?? now;
        if (now - since >= forMs)
          resolve.push({
            alert: active,
            reason: `cleared: ${metric.name} is ${value} (not ${operatorText(rule.spec.operator)} ${rule.spec.threshold}) for ${Math.round((now - since) / 1000)}s`,
          });
        else tracking.set(fingerprint, { clearingSince: since });
      } else if (met) {
        const since = before?.pendingSince ?? now;
        tracking.set(fingerprint, { pendingSince: since });
        if (now - since >= forMs)
          fire.push({ fingerprint, rule, metric, sample, value, heldSec: Math.round((now - since) / 1000) });
      }
    }
  }

  const rulesById = new Map(input.rules.map((r) => [r.id, r]));
  const present = new Set(input.samples.map((s) => `${s.kind}/${s.id}`));
  for (const alert of activeByFingerprint.values()) {
    if (seen.has(alert.fingerprint)) continue;
    const rule = rulesById.get(alert.ruleId!);
    const reason = !rule
      ? "its rule was deleted"
      : !rule.spec.enabled
        ? `rule ${rule.name} was disabled`
        : !present.has(`${alert.source.kind}/${alert.source.id}`)
          ? `${alert.source.kind} ${alert.source.name ?? alert.source.id} no longer exists`
          : `rule ${rule.name} no longer watches ${alert.source.kind} ${alert.source.name ?? alert.source.id} (its metric or scope changed)`;
    resolve.push({ alert, reason });
  }
  return { fire, resolve, tracking };
}
