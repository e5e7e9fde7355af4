import {
  type DomainError,
  type FieldViolation,
  type LabelSelector,
  type ListFilter,
  hasErrorCode,
  invalidArgument,
  parseLabelSelector,
} from "@limiquantix/domain";

/** requireMessage returns a message field the call cannot do without, or throws InvalidArgument naming it. */
export function requireMessage<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw invalidArgument([{ field, description: "is required" }]);
  return value;
}

/** labelSelectorOf parses a request's label_selector, naming that field when it is malformed. */
export function labelSelectorOf(text: string, field = "label_selector"): LabelSelector {
  return parseLabelSelector(text, field);
}

/** listFilterOf builds a list filter from the optional id criteria of a list request (empty strings are absent). */
export function listFilterOf<S extends string>(
  criteria: Partial<Record<"projectId" | "clusterId" | "poolId" | "vmId" | "volumeId", string>>,
  labelSelector: string,
  states?: readonly S[],
): ListFilter<S> {
  const filter: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(criteria)) if (value) filter[key] = value;
  const selector = labelSelectorOf(labelSelector);
  if (selector.length > 0) filter.labelSelector = selector;
  if (states && states.length > 0) filter.states = states;
  return filter as ListFilter<S>;
}

/**
 * withFieldNames runs work and, when it fails with InvalidArgument, rewrites the field paths of
 * the violations (`nic` → `nic_name`, `portRange.to` → `rule.portRange.to`) so they name the
 * request's own fields.
 */
export async function withFieldNames<T>(
  work: () => Promise<T>,
  rename: (field: string) => string,
): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (!hasErrorCode(e, "InvalidArgument")) throw e;
    throw renamed(e, rename);
  }
}

function renamed(e: DomainError, rename: (field: string) => string): DomainError {
  const violations: FieldViolation[] = (e.details.fieldViolations ?? []).map((v) => ({
    field: rename(v.field),
    description: v.description,
  }));
  return invalidArgument(violations);
}

/** prefixField gives a renamer that puts a prefix before every field path (`rule` + `cidr` → `rule.cidr`). */
export function prefixField(prefix: string): (field: string) => string {
  return (field) => (field === "(root)" ? prefix : `${prefix}.${field}`);
}

/** requireString returns a string field the call cannot do without, or throws InvalidArgument naming it. */
export function requireString(value: string, field: string): string {
  if (value === "") throw invalidArgument([{ field, description: "is required" }]);
  return value;
}

/** givenLabels says whether a request carries labels (proto3 cannot tell an empty map from an absent one). */
export function givenLabels(labels: Readonly<Record<string, string>>): boolean {
  return Object.keys(labels).length > 0;
}
