import type { Page, PageRequest } from "@limiquantix/domain";

/**
 * Listable is anything listed page by page under a filter, as every repository and list service
 * is; a repository may also offer `each` (every match in large pages, uncounted).
 */
export interface Listable<T, F> {
  list(filter: F, page: PageRequest): Promise<Page<T>>;
  each?(filter: F): AsyncIterable<T>;
  eachPage?(filter: F): AsyncIterable<readonly T[]>;
}

const PAGE_SIZE = 1000;

/** eachItem yields every item that matches a filter: by the source's own `each`, or following its list's cursor a page at a time. */
export async function* eachItem<T, F>(source: Listable<T, F>, filter: F): AsyncGenerator<T> {
  // `each` reads in larger pages and counts nothing; every page of a list after the first counts the matches.
  if (source.eachPage) {
    for await (const page of source.eachPage(filter)) yield* page;
    return;
  }
  if (source.each) {
    yield* source.each(filter);
    return;
  }
  let cursor: string | undefined;
  do {
    const page = await source.list(filter, cursor ? { limit: PAGE_SIZE, cursor } : { limit: PAGE_SIZE });
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor);
}

/** allItems collects every item that matches a filter. */
export async function allItems<T, F>(source: Listable<T, F>, filter: F): Promise<T[]> {
  const out: T[] = [];
  // A page at a time where the source reads in pages: no await per item (100,000 VMs at start-up).
  if (source.eachPage) {
    for await (const page of source.eachPage(filter)) for (const item of page) out.push(item);
    return out;
  }
  for await (const item of eachItem(source, filter)) out.push(item);
  return out;
}
