import type { Resource } from "./common";
import type { ListFilter } from "./ports/list-filter";
import { decodeCursor, encodeCursor, type Page, type PageRequest, pageLimit } from "./ports/pagination";
import { matchesFilter, normalizeFilter } from "./resource-support";
import type { ResourceDescriptor } from "./resources";

/**
 * listPage is a repository's `list` over resources held in memory: given every resource of a kind
 * in ascending id order, it returns the page of those matching the filter that follows the
 * cursor, the total matching and the cursor of the next page, exactly as every repository pages
 * (keyset on id, cursors scoped to the kind), so a cursor made here is understood by any adapter
 * and the other way round. The filter and page are checked as the repositories check them
 * (InvalidArgument). `out` maps each returned item (the memory adapter hands out copies).
 */
export function listPage<T extends Resource>(
  descriptor: ResourceDescriptor,
  inIdOrder: Iterable<T>,
  filter: ListFilter | undefined,
  page: PageRequest | undefined,
  out: (row: T) => T = (row) => row,
): Page<T> {
  const normalized = normalizeFilter(descriptor, filter);
  const limit = pageLimit(page);
  const after = page?.cursor === undefined ? undefined : decodeCursor(page.cursor, descriptor.kind).id;
  const items: T[] = [];
  let total = 0;
  let more = false;
  for (const row of inIdOrder) {
    if (!matchesFilter(normalized, row)) continue;
    total++;
    if (after !== undefined && row.id <= after) continue;
    if (items.length < limit) items.push(out(row));
    else more = true;
  }
  const last = items[items.length - 1];
  return more && last
    ? { items, total, nextCursor: encodeCursor({ scope: descriptor.kind, key: last.id, id: last.id }) }
    : { items, total };
}
