import { fixtures } from "@limiquantix/domain/conformance";
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

describe.each(BACKENDS)("eachPage on $name", ({ open }) => {
  let opened: OpenedStore;
  beforeAll(async () => {
    opened = await open();
    await opened.store.db.query(
      `INSERT INTO projects (id, name, labels, quota)
       SELECT 'q-' || lpad(i::text, 5, '0'), 'q-' || i,
         CASE WHEN i % 3 = 0 THEN '{"third":"yes"}'::jsonb ELSE '{}'::jsonb END,
         CASE WHEN i = 7 THEN '{"vcpus":4}'::jsonb ELSE '{}'::jsonb END
       FROM generate_series(1, 10001) AS i`,
    );
  }, 60_000);
  afterAll(() => opened?.close());

  const pagesOf = async <T>(it: AsyncIterable<readonly T[]>) => {
    const out: (readonly T[])[] = [];
    for await (const page of it) out.push(page);
    return out;
  };

  it("yields what each yields, in full pages of 5,000 and a last short one, every resource as get returns it", async () => {
    const { repos } = opened.store;
    const pages = await pagesOf(repos.projects.eachPage!());
    expect(pages.map((p) => p.length)).toEqual([5000, 5000, 1]);
    const flat = pages.flat();
    const each: unknown[] = [];
    for await (const p of repos.projects.each!()) each.push(p);
    expect(flat).toEqual(each);
    expect(flat.map((p) => p.id)).toEqual([...flat.map((p) => p.id)].sort());
    const seventh = flat.find((p) => p.id === "q-00007")!;
    expect(seventh).toEqual(await repos.projects.get("q-00007"));
    expect(seventh.quota).toEqual({ vcpus: 4 });
  });

  it("yields only what matches, and no page at all when nothing does", async () => {
    const { repos } = opened.store;
    const thirds = (await pagesOf(repos.projects.eachPage!({ labelSelector: "third=yes" }))).flat();
    expect(thirds).toHaveLength(3333);
    expect(thirds.every((p) => p.labels.third === "yes")).toBe(true);
    expect(await pagesOf(repos.projects.eachPage!({ labelSelector: "third=never" }))).toEqual([]);
  });

  it("reads a kind stored as columns (no document) the same way", async () => {
    const { repos } = opened.store;
    const project = await repos.projects.get("q-00001");
    const group = await repos.securityGroups.create(fixtures.securityGroup({ projectId: project.id }));
    const pages = await pagesOf(repos.securityGroups.eachPage!({ projectId: project.id }));
    expect(pages).toEqual([[await repos.securityGroups.get(group.id)]]);
  });
});
