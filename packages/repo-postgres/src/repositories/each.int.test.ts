import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type OpenedStore } from "../../test/harness";

describe.each(BACKENDS)("each on $name", ({ open }) => {
  let opened: OpenedStore;
  beforeAll(async () => {
    opened = await open();
    // More than two of each's pages (5,000 rows), half of them labelled, written outside the repositories.
    await opened.store.db.query(
      `INSERT INTO projects (id, name, labels)
       SELECT 'p-' || lpad(i::text, 5, '0'), 'p-' || i,
         CASE WHEN i % 2 = 0 THEN '{"half":"even"}'::jsonb ELSE '{}'::jsonb END
       FROM generate_series(1, 12001) AS i`,
    );
  }, 60_000);
  afterAll(() => opened?.close());

  const collect = async <T>(it: AsyncIterable<T>) => {
    const out: T[] = [];
    for await (const x of it) out.push(x);
    return out;
  };

  it("yields every resource once, in id order, across pages, as get returns it", async () => {
    const { repos } = opened.store;
    const all = await collect(repos.projects.each!());
    expect(all).toHaveLength(12001);
    expect(all.map((p) => p.id)).toEqual([...all.map((p) => p.id)].sort());
    expect(new Set(all.map((p) => p.id)).size).toBe(12001);
    expect(all[6000]).toEqual(await repos.projects.get(all[6000]!.id));
  });

  it("yields only what matches the filter", async () => {
    const { repos } = opened.store;
    const even = await collect(repos.projects.each!({ labelSelector: "half=even" }));
    expect(even).toHaveLength(6000);
    expect(even.every((p) => p.labels.half === "even")).toBe(true);
  });

  it("can be left early without an unhandled failure of the page read ahead", async () => {
    const { repos } = opened.store;
    let n = 0;
    for await (const _ of repos.projects.each!()) if (++n === 10) break;
    expect(n).toBe(10);
  });
});
