import type { Resource } from "./common";
import { invalidArgument } from "./errors";
import { type LabelSelector, matchesSelector, parseLabelSelector } from "./labels/label-selector";
import { FILTER_KEYS, type ListFilter } from "./ports/list-filter";
import type { ResourceDescriptor } from "./resources";
import { parseOrThrow } from "./validation";

/** getPath reads a dotted path (`status.nodeId`) from an object; undefined when any step is missing. */
export function getPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const seg of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/**
 * prepareCreate validates a create input against the kind's schema and returns the resource to
 * store, with `resourceVersion` 1 and both timestamps set to `now`. Invalid input throws InvalidArgument.
 */
export function prepareCreate<T extends Resource>(
  descriptor: ResourceDescriptor<T>,
  input: unknown,
  now: string,
): T {
  const candidate =
    input !== null && typeof input === "object"
      ? { ...(input as Record<string, unknown>), resourceVersion: 1, createdAt: now, updatedAt: now }
      : input;
  return parseOrThrow(descriptor.schema, candidate, descriptor.kind);
}

/**
 * prepareUpdate validates the next state of a stored resource and returns what to store: the
 * next `resourceVersion`, the original `createdAt` and `updatedAt` set to `now`. The caller has
 * already checked that `next.resourceVersion` is the stored one.
 */
export function prepareUpdate<T extends Resource>(
  descriptor: ResourceDescriptor<T>,
  next: T,
  current: T,
  now: string,
): T {
  const candidate = {
    ...next,
    resourceVersion: current.resourceVersion + 1,
    createdAt: current.createdAt,
    updatedAt: now < current.updatedAt ? current.updatedAt : now,
  };
  return parseOrThrow(descriptor.schema, candidate, descriptor.kind);
}

/** NormalizedFilter is a list filter checked against a kind: each criterion as the path it compares. */
export interface NormalizedFilter {
  /** Equality criteria: the value at `path` must equal `value`. */
  readonly equals: readonly { readonly key: string; readonly path: string; readonly value: string }[];
  /** State criterion: the value at `path` must be one of `values`. */
  readonly states?: { readonly path: string; readonly values: readonly string[] };
  readonly selector: LabelSelector;
}

/**
 * normalizeFilter checks a filter against what the kind supports and parses its label selector.
 * A criterion the kind does not support is refused with InvalidArgument naming it.
 */
export function normalizeFilter(
  descriptor: ResourceDescriptor,
  filter: ListFilter | undefined,
): NormalizedFilter {
  const equals: { key: string; path: string; value: string }[] = [];
  let states: NormalizedFilter["states"];
  let selector: LabelSelector = [];
  if (!filter) return { equals, selector };
  for (const key of Object.keys(filter)) {
    if (key === "labelSelector" || key === "states") continue;
    if (!(FILTER_KEYS as readonly string[]).includes(key))
      throw invalidArgument([{ field: `filter.${key}`, description: "is not a known filter" }]);
  }
  for (const key of FILTER_KEYS) {
    if (key === "state") continue;
    const value = filter[key];
    if (value === undefined) continue;
    const path = descriptor.filters[key];
    if (!path)
      throw invalidArgument([
        { field: `filter.${key}`, description: `does not apply to ${descriptor.kind}` },
      ]);
    if (typeof value !== "string" || value === "")
      throw invalidArgument([{ field: `filter.${key}`, description: "must be a non-empty string" }]);
    equals.push({ key, path, value });
  }
  if (filter.states !== undefined) {
    const path = descriptor.filters.state;
    if (!path)
      throw invalidArgument([
        { field: "filter.states", description: `does not apply to ${descriptor.kind}` },
      ]);
    if (!Array.isArray(filter.states))
      throw invalidArgument([{ field: "filter.states", description: "must be an array of states" }]);
    if (filter.states.length > 0) states = { path, values: [...filter.states] };
  }
  if (filter.labelSelector !== undefined) {
    selector =
      typeof filter.labelSelector === "string"
        ? parseLabelSelector(filter.labelSelector, "filter.labelSelector")
        : filter.labelSelector;
  }
  return states ? { equals, states, selector } : { equals, selector };
}

/** matchesFilter says whether a resource satisfies a normalized filter. */
export function matchesFilter(filter: NormalizedFilter, resource: unknown): boolean {
  for (const c of filter.equals) if (getPath(resource, c.path) !== c.value) return false;
  if (filter.states && !filter.states.values.includes(getPath(resource, filter.states.path) as string))
    return false;
  if (filter.selector.length > 0) {
    const labels = (getPath(resource, "labels") ?? {}) as Record<string, string>;
    if (!matchesSelector(filter.selector, labels)) return false;
  }
  return true;
}

/** uniqueKeyOf returns the values of a unique key on a resource, or undefined when any is absent (exempt). */
export function uniqueKeyOf(fields: readonly string[], resource: unknown): string | undefined {
  const values: unknown[] = [];
  for (const f of fields) {
    const v = getPath(resource, f);
    if (v === undefined || v === null) return undefined;
    values.push(v);
  }
  return JSON.stringify(values);
}
