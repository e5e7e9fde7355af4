import { DEFAULT_PAGE_SIZE, type Page, type PageRequest } from "@limiquantix/domain";
import type { Listable } from "./each-item";

/**
 * filteredPage pages through a list with a further test the store cannot apply (a severity, a
 * source), keeping the store's own cursor: it asks for no more items than the page still lacks, so
 * every item read is either given or skipped and the next cursor starts right after the last one
 * read. The total counts every match, so it reads the whole filtered list once more.
 */
export async function filteredPage<T, F>(
  source: Listable<T, F>,
  filter: F,
  keep: (item: T) => boolean,
  page: PageRequest = {},
): Promise<Page<T>> {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  const items: T[] = [];
  let cursor = page.cursor;
  do {
    const read = await source.list(filter, { limit: limit - items.length, ...(cursor ? { cursor } : {}) });
    items.push(...read.items.filter(keep));
    cursor = read.nextCursor;
  } while (cursor && items.length < limit);
  let total = 0;
  let next: string | undefined;
  do {
    const read = await source.list(filter, { limit: 1000, ...(next ? { cursor: next } : {}) });
    total += read.items.filter(keep).length;
    next = read.nextCursor;
  } while (next);
  return { items, total, ...(cursor ? { nextCursor: cursor } : {}) };
}
