import type { Condition } from "@limiquantix/domain";

/**
 * withCondition returns the conditions with one set (replacing the one of its type); its
 * lastTransitionAt moves only when its status changes, so a repeated failure keeps the time it began.
 */
export function withCondition(
  conditions: readonly Condition[],
  next: Omit<Condition, "lastTransitionAt">,
  now: string,
): Condition[] {
  const before = conditions.find((c) => c.type === next.type);
  const at = before && before.status === next.status ? before.lastTransitionAt : now;
  return [...conditions.filter((c) => c.type !== next.type), { ...next, lastTransitionAt: at }];
}

/** conditionOf returns the condition of a type, if set. */
export function conditionOf(conditions: readonly Condition[], type: string): Condition | undefined {
  return conditions.find((c) => c.type === type);
}
