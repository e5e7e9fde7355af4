import type { Resource } from "./common";
import type { ListFilter } from "./ports/list-filter";
import { decodeCursor, encodeCursor, type Page, type PageRequest, pageLimit } from "./ports/pagination";
import { matchesSelector } from "./labels/label-selector";
import { type NormalizedFilter, normalizeFilter } from "./resource-support";
import type { ResourceDescriptor } from "./resources";

/** ListSource is what listPage reads: the resources of one kind, in ascending id order. */
export interface ListSource<T extends Resource> {
  /** after yields the resources whose id is above `id` (every one when undefined), in ascending id order. */
  after(id: string | undefined): Iterable<T>;
  /**
   * count says how many resources satisfy `matches`. `key` names the filter, so a source that
   * keeps counts up to date as resources change can answer without testing every resource.
   */
  count(matches: (resource: T) => boolean, key: string): number;
}

/**
 * listPage is a repository's `list` over resources held in memory: it returns the page of those
 * matching the filter that follows the cursor, the total matching and the cursor of the next
 * page, exactly as every repository pages (keyset on id, cursors scoped to the kind), so a cursor
 * made here is understood by any adapter and the other way round. The filter and page are checked
 * as the repositories check them (InvalidArgument). The source is every resource in id order, or
 * a ListSource; `out` maps each returned item (the memory adapter hands out copies).
 */
export function listPage<T extends Resource>(
  descriptor: ResourceDescriptor,
  source: Iterable<T> | ListSource<T>,
  filter: ListFilter | undefined,
  page: PageRequest | undefined,
  out: (row: T) => T = (row) => row,
): Page<T> {
  const normalized = normalizeFilter(descriptor, filter);
  const matches = matcherOf(normalized);
  const limit = pageLimit(page);
  const after = page?.cursor === undefined ? undefined : decodeCursor(page.cursor, descriptor.kind).id;
  const from = "after" in source ? source : scan(source);
  const items: T[] = [];
  let more = false;
  for (const row of from.after(after)) {
    if (!matches(row)) continue;
    if (items.length === limit) {
      more = true;
      break;
    }
    items.push(out(row));
  }
  // A first page that holds every match is its own total.
  const total = after === undefined && !more ? items.length : from.count(matches, JSON.stringify(normalized));
  const last = items[items.length - 1];
  return more && last
    ? { items, total, nextCursor: encodeCursor({ scope: descriptor.kind, key: last.id, id: last.id }) }
    : { items, total };
}

/** scan is the ListSource of resources given in id order, read from the start every time. */
function scan<T extends Resource>(inIdOrder: Iterable<T>): ListSource<T> {
  return {
    *after(id) {
      for (const row of inIdOrder) if (id === undefined || row.id > id) yield row;
    },
    count(matches) {
      let n = 0;
      for (const row of inIdOrder) if (matches(row)) n++;
      return n;
    },
  };
}

type Read = (value: unknown) => unknown;

/** readerOf reads a dotted path as getPath does, with the path split once rather than per resource. */
function readerOf(path: string): Read {
  const steps = path.split(".");
  return (value) => {
    let cur = value;
    for (const step of steps) {
      if (cur === null || typeof cur !== "object") return undefined;
      cur = (cur as Record<string, unknown>)[step];
    }
    return cur;
  };
}

/**
 * matcherOf is matchesFilter compiled once per list: a list held in memory tests every resource
 * of its kind (for the total), so the per-resource work is kept to comparisons.
 */
function matcherOf(filter: NormalizedFilter): (resource: unknown) => boolean {
  const equals = filter.equals.map((c) => ({ read: readerOf(c.path), value: c.value }));
  const states = filter.states && {
    read: readerOf(filter.states.path),
    values: new Set(filter.states.values),
  };
  const selector = filter.selector.length > 0 ? filter.selector : undefined;
  const labelsOf = readerOf("labels");
  return (resource) => {
    for (const c of equals) if (c.read(resource) !== c.value) return false;
    if (states && !states.values.has(states.read(resource) as string)) return false;
    if (selector) {
      const labels = (labelsOf(resource) ?? {}) as Record<string, string>;
      if (!matchesSelector(selector, labels)) return false;
    }
    return true;
  };
}
