import {
  DomainError,
  ErrorCode,
  type FieldViolation,
  type LabelSelector,
  type ListFilter,
  invalidArgument,
  isDomainError,
  parseLabelSelector,
} from "@limiquantix/domain";

/** requireMessage returns a sub-message the request must carry, or throws InvalidArgument naming the field. */
export function requireMessage<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw invalidArgument([{ field, description: "is required" }]);
  return value;
}

/** requireString returns a string field the call cannot do without, or throws InvalidArgument naming it. */
export function requireString(value: string, field: string): string {
  if (value === "") throw invalidArgument([{ field, description: "is required" }]);
  return value;
}

/** toNumber turns a 64-bit wire integer into a number; values past 2^53 keep their magnitude so range checks still refuse them. */
export function toNumber(value: bigint | number): number {
  return Number(value);
}

/** givenLabels says whether a request carries labels (proto3 cannot tell an empty map from an absent one). */
export function givenLabels(labels: Readonly<Record<string, string>>): boolean {
  return Object.keys(labels).length > 0;
}

/** labelSelectorOf parses a request's label_selector up front, so a bad one is refused naming the wire field; empty means no selector. */
export function labelSelectorOf(text: string, field = "label_selector"): { labelSelector?: LabelSelector } {
  const selector = parseLabelSelector(text, field);
  return selector.length > 0 ? { labelSelector: selector } : {};
}

/** listFilterOf builds a list filter from the optional id criteria of a list request (empty strings are absent). */
export function listFilterOf<S extends string>(
  criteria: Partial<Record<"projectId" | "clusterId" | "poolId" | "vmId" | "volumeId", string>>,
  labelSelector: string,
  states?: readonly S[],
): ListFilter<S> {
  const filter: Record<string, unknown> = { ...labelSelectorOf(labelSelector) };
  for (const [key, value] of Object.entries(criteria)) if (value) filter[key] = value;
  if (states && states.length > 0) filter.states = states;
  return filter as ListFilter<S>;
}

/** PathRename maps a domain field path prefix to the wire's (`spec.cpu.vcpus` → `spec.vcpus`, `nic` → `nic_name`). */
export type PathRename = readonly [domain: string, wire: string];

/** PAGE_WIRE_PATHS name the fields of the domain's page request (`limit`, `cursor`) as every list request calls them on the wire. */
export const PAGE_WIRE_PATHS: readonly PathRename[] = [
  ["limit", "page_size"],
  ["cursor", "page_token"],
];

function renamePath(field: string, renames: readonly PathRename[]): string {
  for (const [from, to] of renames) {
    if (field === from || field.startsWith(`${from}.`) || field.startsWith(`${from}[`))
      return to + field.slice(from.length);
  }
  return field;
}

/**
 * withWirePaths runs work and rewrites the field paths of an InvalidArgument it throws where the
 * domain shape differs from the wire shape, so clients are told the field they actually sent. The
 * message, the other details and the cause are kept.
 */
export async function withWirePaths<T>(renames: readonly PathRename[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw isDomainError(e) && e.code === ErrorCode.InvalidArgument ? renameViolations(e, renames) : e;
  }
}

/** renameViolations gives an InvalidArgument whose field paths (in its details and its message) are renamed to the wire's; message, other details and cause are kept. */
export function renameViolations(err: DomainError, renames: readonly PathRename[]): DomainError {
  const violations: FieldViolation[] = (err.details.fieldViolations ?? []).map((v) => ({
    field: renamePath(v.field, renames),
    description: v.description,
  }));
  let message = err.message;
  for (const [i, v] of (err.details.fieldViolations ?? []).entries())
    message = message.replace(v.field, violations[i]!.field);
  return new DomainError(err.code, message, { ...err.details, fieldViolations: violations }, { cause: err });
}
