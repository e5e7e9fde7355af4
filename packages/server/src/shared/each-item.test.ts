import type { Page, PageRequest } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { allItems } from "./each-item";

const paged = (items: readonly number[]) => {
  const calls: PageRequest[] = [];
  return {
    calls,
    async list(_filter: object, page: PageRequest): Promise<Page<number>> {
      calls.push(page);
      const from = page.cursor ? Number(page.cursor) : 0;
      const limit = page.limit ?? 100;
      const slice = items.slice(from, from + limit);
      return from + limit < items.length
        ? { items: slice, total: items.length, nextCursor: String(from + limit) }
        : { items: slice, total: items.length };
    },
  };
};

describe("allItems", () => {
  it("follows a list's cursor to its last page", async () => {
    const items = Array.from({ length: 2500 }, (_, i) => i);
    const source = paged(items);
    expect(await allItems(source, {})).toEqual(items);
    expect(source.calls).toHaveLength(3);
  });

  it("reads through a source's own each, passing the filter, instead of paging its list", async () => {
    const source = paged([1, 2, 3]);
    const filters: object[] = [];
    const withEach = Object.assign(source, {
      async *each(filter: object) {
        filters.push(filter);
        yield* [7, 8];
      },
    });
    expect(await allItems(withEach, { projectId: "p" })).toEqual([7, 8]);
    expect(filters).toEqual([{ projectId: "p" }]);
    expect(source.calls).toHaveLength(0);
  });
});
