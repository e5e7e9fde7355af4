import { fixtures, runChangeLogConformance } from "@limiquantix/domain/conformance";
import { createTestDatabase } from "@limiquantix/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type OpenedStore } from "../../test/harness";
import { loadMigrations } from "../migrations/load-migrations";
import { createMigrator } from "../migrations/migrator";
import { createPgDatabase } from "../sql/pg-database";
import { createPostgresStore } from "../store";

// One migrated database per engine for the conformance suite: its tests read only entries
// about what they wrote, and nothing else reads this database's change log.
for (const backend of BACKENDS) {
  let opened: Promise<OpenedStore> | undefined;
  afterAll(async () => {
    await (await opened)?.close();
  });
  runChangeLogConformance(backend.name, async () => {
    opened ??= backend.open();
    const { store } = await opened;
    return { repos: store.repos, uow: store.uow, changeLog: store.changeLog, close: async () => {} };
  });
}

for (const backend of BACKENDS) {
  describe(`change log on ${backend.name}`, () => {
    let opened: OpenedStore;
    beforeAll(async () => {
      opened = await backend.open();
    });
    afterAll(async () => {
      await opened?.close();
    });

    it("logs writes made outside the repositories, with resource_version set to their revision", async () => {
      const { db, changeLog, repos } = opened.store;
      const before = await changeLog.head();
      await db.query("INSERT INTO projects (id, name) VALUES ('by-hand', 'by-hand')");
      await db.query("UPDATE projects SET description = 'edited by hand' WHERE id = 'by-hand'");
      const edited = await repos.projects.get("by-hand");
      await db.query("DELETE FROM projects WHERE id = 'by-hand'");
      const entries = (await changeLog.read(before, 100)).filter((e) => e.id === "by-hand");
      expect(entries.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "DELETED"]);
      expect(entries[1]?.object).toEqual(edited);
      expect(edited.resourceVersion).toBe(entries[1]?.revision);
      expect(entries[0]).not.toHaveProperty("requestId");
    });

    it("a transaction that rolls back leaves neither an entry nor a revision behind", async () => {
      const { db, changeLog } = opened.store;
      const head = await changeLog.head();
      await expect(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO projects (id, name) VALUES ('rolled-back', 'rolled-back')");
          throw new Error("undo");
        }),
      ).rejects.toThrow("undo");
      expect(await changeLog.head()).toBe(head);
      expect(await changeLog.read(head, 10)).toEqual([]);
    });

    it("a statement that writes many rows takes one revision per row, in order", async () => {
      const { db, changeLog } = opened.store;
      const head = await changeLog.head();
      await db.query(
        "INSERT INTO projects (id, name) SELECT 'bulk-' || i, 'bulk-' || i FROM generate_series(1, 500) AS i",
      );
      const entries = await changeLog.read(head, 1000);
      expect(entries.map((e) => e.revision)).toEqual(Array.from({ length: 500 }, (_, i) => head + 1 + i));
      expect(await changeLog.head()).toBe(head + 500);
    });

    it("wait wakes on the commit's notification, without waiting for a poll", async () => {
      const { db } = opened.store;
      const { SqlChangeLog } = await import("./sql-change-log");
      const log = new SqlChangeLog(db, { pollIntervalMs: 600_000 });
      try {
        const head = await log.head();
        // The first wait subscribes; a later one must still be woken only by the notification.
        const first = log.wait(head);
        const written = await opened.store.repos.projects.create(fixtures.project());
        await first;
        const second = log.wait(written.resourceVersion);
        await new Promise((resolve) => setTimeout(resolve, 20));
        const started = Date.now();
        await opened.store.repos.projects.create(fixtures.project());
        await second;
        expect(Date.now() - started).toBeLessThan(5000);
      } finally {
        await log.close();
      }
    });

    it("a wait after a read that reached the end sends nothing until a commit, looks once when woken, and misses none made meanwhile", async () => {
      const { db, repos } = opened.store;
      const { SqlChangeLog } = await import("./sql-change-log");
      let statements = 0;
      const counting = new Proxy(db, {
        get(target, key) {
          const value = Reflect.get(target, key, target) as unknown;
          if (typeof value !== "function") return value;
          if (key !== "query") return value.bind(target);
          return (...args: unknown[]) => {
            statements++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      const log = new SqlChangeLog(counting, { pollIntervalMs: 600_000 });
      const within = <T>(p: Promise<T>) =>
        Promise.race([p, new Promise<never>((_, no) => setTimeout(() => no(new Error("wait slept")), 5000))]);
      try {
        const head = await log.head();
        const first = log.wait(head);
        // Listening and asleep before the commit, so the commit's notification wakes it.
        await new Promise((resolve) => setTimeout(resolve, 50));
        statements = 0;
        await repos.projects.create(fixtures.project());
        await first;
        // Woken, it looks by reading once; the read that follows gets what it looked at.
        expect(statements).toBe(1);
        const read = await log.read(head, 100);
        expect(statements).toBe(1);
        expect(read).toHaveLength(1);
        const last = read.at(-1)!.revision;
        statements = 0;
        const waiting = log.wait(last);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(statements).toBe(0);
        const next = await repos.projects.create(fixtures.project());
        expect(await within(waiting)).toBeGreaterThanOrEqual(next.resourceVersion);
        // Woken, it looks once and answers.
        expect(statements).toBe(1);

        // A commit after the read was sent, before the wait: the wait answers without another.
        expect((await log.read(last, 100)).map((e) => e.revision)).toEqual([next.resourceVersion]);
        const late = await repos.projects.create(fixtures.project());
        expect(await within(log.wait(next.resourceVersion))).toBeGreaterThanOrEqual(late.resourceVersion);
      } finally {
        await log.close();
      }
    });

    it("what a wait looked at serves a read from its revision, never with fewer entries than asked for while more followed", async () => {
      const { repos } = opened.store;
      const { SqlChangeLog } = await import("./sql-change-log");
      const log = new SqlChangeLog(opened.store.db, { pollIntervalMs: 600_000 });
      try {
        const head = await log.head();
        const made = [];
        for (let i = 0; i < 3; i++)
          made.push((await repos.projects.create(fixtures.project())).resourceVersion);
        expect(await log.wait(head)).toBe(made[2]);
        // A smaller limit than what the wait read: the first two only.
        expect((await log.read(head, 2)).map((e) => e.revision)).toEqual(made.slice(0, 2));
        expect(await log.wait(made[0]!)).toBe(made[2]);
        // A read from another revision: not what the wait looked at.
        expect((await log.read(made[1]!, 10)).map((e) => e.revision)).toEqual([made[2]]);
        expect(await log.wait(head)).toBe(made[2]);
        const later = (await repos.projects.create(fixtures.project())).resourceVersion;
        // What the wait looked at was read before `later`: the read returns it (a prefix, in
        // order), and the next wait finds `later` at once.
        expect((await log.read(head, 10)).map((e) => e.revision)).toEqual(made);
        expect(await log.wait(made[2]!)).toBeGreaterThanOrEqual(later);
        expect((await log.read(made[2]!, 10)).map((e) => e.revision)).toEqual([later]);

        // A wait that read a full batch (more followed) does not answer a read asking for more.
        const from = (await log.read(made[2]!, 10)).at(-1)?.revision ?? made[2]!;
        const many = await opened.store.uow.run(async (tx) => {
          const ids: number[] = [];
          for (let i = 0; i < 520; i++)
            ids.push((await tx.projects.create(fixtures.project())).resourceVersion);
          return ids;
        });
        expect(await log.wait(from)).toBeGreaterThanOrEqual(many.at(-1)!);
        const all = await log.read(from, 1000);
        expect(all.map((e) => e.revision)).toEqual(
          (await opened.store.changeLog.read(from, 1000)).map((e) => e.revision),
        );
        expect(all.length).toBeGreaterThanOrEqual(520);
      } finally {
        await log.close();
      }
    });

    it("revisions beyond 2^31 round-trip as numbers, in documents and in decoded rows", async () => {
      const { db, repos, changeLog } = opened.store;
      await db.query("UPDATE change_log_compacted SET through = greatest(through, 2199023255552)");
      const project = await repos.projects.create(fixtures.project());
      const group = await repos.securityGroups.create(fixtures.securityGroup({ projectId: project.id }));
      expect(project.resourceVersion).toBeGreaterThan(2 ** 41);
      expect(group.resourceVersion).toBe(project.resourceVersion + 1);
      expect(await repos.securityGroups.get(group.id)).toEqual(group);
      const updated = await repos.securityGroups.update({ ...group, labels: { big: "yes" } });
      await repos.securityGroups.delete(group.id, updated.resourceVersion);
      const entries = await changeLog.read(project.resourceVersion - 1, 10);
      expect(entries.map((e) => [e.kind, e.type, e.revision])).toEqual([
        ["Project", "ADDED", project.resourceVersion],
        ["SecurityGroup", "ADDED", group.resourceVersion],
        ["SecurityGroup", "MODIFIED", updated.resourceVersion],
        ["SecurityGroup", "DELETED", updated.resourceVersion + 1],
      ]);
    });
  });
}

describe("migration 3 on PostgreSQL", () => {
  it("starts revisions above every version already stored; down keeps the versions and the old counting", async () => {
    const database = await createTestDatabase();
    const db = createPgDatabase(database.url);
    try {
      const all = loadMigrations();
      await createMigrator(db, { migrations: all.filter((m) => m.version < 3) }).up();
      await db.query("INSERT INTO projects (id, name) VALUES ('old', 'old'), ('older', 'older')");
      for (let i = 0; i < 6; i++)
        await db.query("UPDATE projects SET description = $1 WHERE id = 'old'", [`v${i}`]);
      const migrator = createMigrator(db, { migrations: all.filter((m) => m.version <= 3) });
      expect((await migrator.up()).applied).toEqual([3]);
      const store = await createPostgresStore({ connectionString: database.url });
      try {
        expect(await store.changeLog.head()).toBe(7);
        expect(await store.changeLog.oldest()).toBe(7);
        await expect(store.changeLog.read(0, 10)).rejects.toMatchObject({
          code: "FailedPrecondition",
          details: { reason: "revision-compacted", oldestRevision: 7 },
        });
        const older = await store.repos.projects.get("older");
        expect(older.resourceVersion).toBe(1);
        // Today's repositories write columns of later migrations; a schema at version 3 takes a plain UPDATE.
        await store.db.query("UPDATE projects SET description = 'after' WHERE id = 'older'");
        const touched = await store.db.query<{ resource_version: number }>(
          "SELECT resource_version FROM projects WHERE id = 'older'",
        );
        expect(Number(touched.rows[0]?.resource_version)).toBe(8);
        expect((await store.changeLog.read(7, 10)).map((e) => e.id)).toEqual(["older"]);
      } finally {
        await store.close();
      }
      expect((await migrator.down(1)).applied).toEqual([3]);
      await db.query("UPDATE projects SET description = 'down' WHERE id = 'older'");
      const row = await db.query<{ resource_version: number }>(
        "SELECT resource_version FROM projects WHERE id = 'older'",
      );
      expect(row.rows[0]?.resource_version).toBe(9);
      const tables = await db.query("SELECT 1 FROM pg_tables WHERE tablename LIKE 'change_log%'");
      expect(tables.rows).toEqual([]);
    } finally {
      await db.close();
      await database.drop();
    }
  });
});

describe("the listening connection on PostgreSQL", () => {
  it("comes back after the server cuts it, and a wait in progress still wakes", async () => {
    const opened = await BACKENDS[0].open();
    const { store } = opened;
    const { SqlChangeLog } = await import("./sql-change-log");
    const log = new SqlChangeLog(store.db, { pollIntervalMs: 600_000 });
    try {
      const head = await log.head();
      const first = log.wait(head);
      const written = await store.repos.projects.create(fixtures.project());
      await first;
      await store.db.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'limiquantix-listen' AND datname = current_database()",
      );
      const waiting = log.wait(written.resourceVersion);
      // Reconnection takes about a second; then a write wakes the waiter through NOTIFY again.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const next = await store.repos.projects.create(fixtures.project());
      expect(await waiting).toBeGreaterThanOrEqual(next.resourceVersion);
      const listening = await store.db.query(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = 'limiquantix-listen' AND datname = current_database()",
      );
      expect(listening.rows).toHaveLength(1);
    } finally {
      await log.close();
      await opened.close();
    }
  });
});

describe("reading the change log on PostgreSQL", () => {
  it("plans well under jit_above_cost, on a new database and on a large analysed log", async () => {
    const opened = await BACKENDS[0].open();
    const { db } = opened.store;
    const { READ_ENTRIES } = await import("./sql-change-log");
    try {
      const cost = () =>
        db.session(async (s) => {
          const limit = await s.query<{ jit_above_cost: string }>("SHOW jit_above_cost");
          const plan = await s.query<{ "QUERY PLAN": [{ Plan: { "Total Cost": number } }] }>(
            `EXPLAIN (FORMAT JSON) ${READ_ENTRIES}`,
            [0, 500],
          );
          return {
            total: plan.rows[0]?.["QUERY PLAN"][0].Plan["Total Cost"] ?? Number.NaN,
            limit: Number(limit.rows[0]?.jit_above_cost),
          };
        });
      // Never analysed: the planner guesses the sizes of both tables.
      const fresh = await cost();
      expect(fresh.total).toBeLessThan(fresh.limit / 10);
      await db.query(
        `INSERT INTO change_log (revision, kind, resource_id, type, object)
         SELECT g, 'Project', 'p-' || g, 'ADDED', '{}'::jsonb FROM generate_series(1000000, 1200000) g`,
      );
      await db.query("ANALYZE change_log");
      const large = await cost();
      expect(large.total).toBeLessThan(large.limit / 10);
    } finally {
      await opened.close();
    }
  });
});
