import { AsyncLocalStorage } from "node:async_hooks";
import {
  type CallAttribution,
  installCallAttributionSource,
  installCallSignalSource,
  systemClock,
  type UnitOfWork,
  unavailable,
} from "@limiquantix/domain";
import { deferred, fixtures } from "@limiquantix/domain/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type OpenedStore, recordingStatements } from "../test/harness";
import type { SqlDatabase } from "./sql/executor";
import { TAKE_WRITE_LOCK } from "./sql/write-lock";
import { SqlUnitOfWork } from "./unit-of-work";

/** counted wraps a database so each transaction begun through it is counted. */
function counted(db: SqlDatabase): { db: SqlDatabase; transactions: () => number } {
  let n = 0;
  const wrapped: SqlDatabase = {
    ...db,
    transaction: (fn, options) => {
      n++;
      return db.transaction(fn, options);
    },
  };
  return { db: wrapped, transactions: () => n };
}

describe.each(BACKENDS)("units of work sharing a transaction on $name (group commit)", (backend) => {
  let opened: OpenedStore;
  const calls = new AsyncLocalStorage<CallAttribution>();
  let previous: ReturnType<typeof installCallAttributionSource>;
  beforeAll(async () => {
    opened = await backend.open();
    previous = installCallAttributionSource(() => calls.getStore());
  });
  afterAll(async () => {
    installCallAttributionSource(previous);
    await opened?.close();
  });

  /** asCall runs fn as a call of its own: its request id, principal and audit entry. */
  function asCall<T>(name: string, told: string[], fn: () => Promise<T>): Promise<T> {
    return calls.run(
      {
        requestId: `req-${name}`,
        principal: `user:${name}`,
        audit: fixtures.auditEntry({ actor: { username: "grouped" }, action: `svc/${name}` }),
        auditStored: () => told.push(name),
      },
      fn,
    );
  }

  it("works submitted together share one transaction, each with its own result, attribution and audit entry", async () => {
    const { db, transactions } = counted(opened.store.db);
    const uow: UnitOfWork = new SqlUnitOfWork(db, systemClock);
    const head = await opened.store.changeLog.head();
    const told: string[] = [];
    const names = Array.from({ length: 8 }, (_, i) => `g${i}-${Date.now()}`);
    const created = await Promise.all(
      names.map((name) =>
        asCall(name, told, () => uow.run((tx) => tx.projects.create(fixtures.project({ name })))),
      ),
    );
    // Submitted together, they share one transaction.
    expect(transactions()).toBe(1);
    expect(created.map((p) => p.name)).toEqual(names);
    expect(told.sort()).toEqual([...names].sort());
    const entries = (await opened.store.changeLog.read(head, 100)).filter((e) => e.kind === "Project");
    expect(entries.map((e) => [e.id, e.requestId, e.principal])).toEqual(
      created.map((p) => [p.id, `req-${p.name}`, `user:${p.name}`]),
    );
    const audited = await opened.store.audit.list({ username: "grouped" });
    expect(
      audited.items.map((e) => e.action).filter((a) => names.some((n) => a === `svc/${n}`)),
    ).toHaveLength(8);
  });

  it("a work that fails in a group fails alone: the others are stored, nothing of it is", async () => {
    const { db, transactions } = counted(opened.store.db);
    const uow: UnitOfWork = new SqlUnitOfWork(db, systemClock);
    const boom = new Error("boom");
    const projects = Array.from({ length: 6 }, () => fixtures.project());
    const results = await Promise.allSettled(
      projects.map((p, i) =>
        uow.run(async (tx) => {
          const stored = await tx.projects.create(p);
          if (i === 3) throw boom;
          return stored;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
    expect((results[3] as PromiseRejectedResult).reason).toBe(boom);
    for (const [i, p] of projects.entries())
      expect((await opened.store.repos.projects.find(p.id))?.name).toBe(i === 3 ? undefined : p.name);
    // One alone, the group of five rolled back, then each of the five alone.
    expect(transactions()).toBe(7);
  });

  it("a name taken twice in one group: the first is stored, the second told AlreadyExists", async () => {
    const uow = opened.store.uow;
    const name = `twice-${Date.now()}`;
    const first = fixtures.project();
    const results = await Promise.allSettled([
      uow.run((tx) => tx.projects.create(first)),
      uow.run((tx) => tx.projects.create(fixtures.project({ name }))),
      uow.run((tx) => tx.projects.create(fixtures.project({ name }))),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: "AlreadyExists" });
    expect((await opened.store.repos.projects.findByName(name))?.name).toBe(name);
  });

  it("a row the works of a group read is read once, and a later work reads what an earlier one wrote without a statement", async () => {
    const statements: string[] = [];
    const db = recordingStatements(opened.store.db, statements);
    const uow = new SqlUnitOfWork(db, systemClock);
    const project = await opened.store.repos.projects.create(fixtures.project());
    const release = deferred<void>();
    const first = uow.run(async () => {
      await release.promise;
    });
    await new Promise((r) => setTimeout(r, 20));
    const reads = () => statements.filter((t) => /^SELECT .* FROM projects t WHERE t\.id/.test(t)).length;
    // Two read it, the third labels it, the fourth reads what the third wrote.
    const runs = [
      uow.run((tx) => tx.projects.get(project.id)),
      uow.run((tx) => tx.projects.get(project.id)),
      uow.run(async (tx) =>
        tx.projects.update({ ...(await tx.projects.get(project.id)), labels: { seen: "3" } }),
      ),
      uow.run((tx) => tx.projects.get(project.id)),
    ];
    release.resolve();
    await first;
    const [a, b, written, after] = await Promise.all(runs);
    expect([a?.resourceVersion, b?.resourceVersion]).toEqual([
      project.resourceVersion,
      project.resourceVersion,
    ]);
    expect(after).toEqual(written);
    expect(after?.labels).toEqual({ seen: "3" });
    expect(await opened.store.repos.projects.get(project.id)).toEqual(after);
    // Once for all four: the fourth reads what the third wrote, as it wrote it.
    expect(reads()).toBe(1);
  });

  it("a grouped work that reads through the store's own repositories is not held up by its own transaction", async () => {
    const { db, transactions } = counted(opened.store.db);
    const uow: UnitOfWork = new SqlUnitOfWork(db, systemClock);
    const existing = await opened.store.repos.projects.create(fixtures.project());
    const within = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, no) => setTimeout(() => no(new Error("held up")), 5000))]);
    const results = await within(
      Promise.all(
        Array.from({ length: 5 }, () =>
          uow.run(async (tx) => {
            const created = await tx.projects.create(fixtures.project());
            // Not through `tx`: on PGlite this joins the group's transaction rather than wait for it.
            const seen = await opened.store.repos.projects.get(existing.id);
            return [created.id, seen.id] as const;
          }),
        ),
      ),
    );
    expect(transactions()).toBe(1);
    for (const [created, seen] of results) {
      expect(seen).toBe(existing.id);
      expect(await opened.store.repos.projects.find(created)).toBeDefined();
    }
  });

  it("a work that goes on after a failed statement is not told it was stored, alone or in a group", async () => {
    const uow = opened.store.uow;
    const swallowing = (p: ReturnType<typeof fixtures.project>) =>
      uow.run(async (tx) => {
        await tx.projects.create(p);
        // No such project: the insert fails (and with it the transaction); the work goes on.
        await tx.vms.create(fixtures.vm({ projectId: "no-such-project" })).catch(() => undefined);
        return "done";
      });
    const alone = fixtures.project();
    await expect(swallowing(alone)).rejects.toMatchObject({ code: "Internal" });
    expect(await opened.store.repos.projects.find(alone.id)).toBeUndefined();

    const release = deferred<void>();
    const first = uow.run(async () => {
      await release.promise;
    });
    await new Promise((r) => setTimeout(r, 20));
    const [before, bad, after] = [fixtures.project(), fixtures.project(), fixtures.project()];
    const runs = [
      uow.run((tx) => tx.projects.create(before!)),
      swallowing(bad!),
      uow.run((tx) => tx.projects.create(after!)),
    ];
    release.resolve();
    await first;
    const results = await Promise.allSettled(runs);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: "Internal" });
    const stored = await Promise.all(
      [before, bad, after].map((p) => opened.store.repos.projects.find(p!.id)),
    );
    expect(stored.map((p) => p?.id)).toEqual([before!.id, undefined, after!.id]);

    // Last in its group, so no statement of another work fails after it: the COMMIT is where it shows.
    const [one, two, last] = [fixtures.project(), fixtures.project(), fixtures.project()];
    const lastRuns = await Promise.allSettled([
      uow.run((tx) => tx.projects.create(one)),
      uow.run((tx) => tx.projects.create(two)),
      swallowing(last),
    ]);
    expect(lastRuns.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    expect((lastRuns[2] as PromiseRejectedResult).reason).toMatchObject({ code: "Internal" });
    const kept = await Promise.all([one, two, last].map((p) => opened.store.repos.projects.find(p.id)));
    expect(kept.map((p) => p?.id)).toEqual([one.id, two.id, undefined]);
  });

  it("maxGroup 1 runs every work alone; a maxGroup that is not a positive integer is refused", async () => {
    const { db, transactions } = counted(opened.store.db);
    const uow = new SqlUnitOfWork(db, systemClock, { maxGroup: 1 });
    await Promise.all(
      Array.from({ length: 4 }, () => uow.run((tx) => tx.projects.create(fixtures.project()))),
    );
    expect(transactions()).toBe(4);
    for (const maxGroup of [0, 1.5, -3, Number.NaN])
      expect(() => new SqlUnitOfWork(db, systemClock, { maxGroup })).toThrow(/maxGroup/);
  });
});

describe("units of work sharing a transaction on postgres: the write lock and outages", () => {
  let opened: OpenedStore;
  beforeAll(async () => {
    opened = await BACKENDS[0].open();
  });
  afterAll(async () => {
    await opened?.close();
  });

  it("a caller that leaves while its group waits for the write lock is answered at once, and its work never runs", async () => {
    const { db } = opened.store;
    const uow = new SqlUnitOfWork(db, systemClock);
    const scope = new AsyncLocalStorage<AbortSignal>();
    const previousSignal = installCallSignalSource(() => scope.getStore());
    const waiters = async (n: number) => {
      for (let i = 0; i < 500; i++) {
        const res = await db.query<{ n: string | number }>(
          "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
        );
        if (Number(res.rows[0]?.n) >= n) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`fewer than ${n} sessions came to wait for the write lock`);
    };
    try {
      const [a, b, c, d] = Array.from({ length: 4 }, () => fixtures.project());
      const release = deferred<void>();
      // A runs and holds the write lock; an outside transaction comes to wait for it; B, C and D
      // arrive meanwhile and, once A ends, wait as one group behind the outside transaction.
      const first = uow.run(async (tx) => {
        await tx.projects.create(a!);
        await release.promise;
      });
      await new Promise((r) => setTimeout(r, 50));
      const outside = deferred<void>();
      const holding = db.transaction(async (x) => {
        await x.query(`SELECT ${TAKE_WRITE_LOCK}`);
        await outside.promise;
      });
      await waiters(1);
      const leaving = new AbortController();
      const runs = [b!, c!, d!].map((p) =>
        scope.run(p === c ? leaving.signal : new AbortController().signal, () =>
          uow.run((tx) => tx.projects.create(p)),
        ),
      );
      release.resolve();
      await first;
      await waiters(1);
      leaving.abort();
      // C is answered while the group still waits for the lock.
      await expect(runs[1]).rejects.toMatchObject({ code: "Unavailable" });
      outside.resolve();
      await holding;
      await expect(runs[0]).resolves.toMatchObject({ id: b!.id });
      await expect(runs[2]).resolves.toMatchObject({ id: d!.id });
      const stored = await Promise.all([a, b, c, d].map((p) => opened.store.repos.projects.find(p!.id)));
      expect(stored.map((p) => p?.id)).toEqual([a!.id, b!.id, undefined, d!.id]);
    } finally {
      installCallSignalSource(previousSignal);
    }
  });

  it("when the store becomes unreachable under a group, the works not yet run are answered at once", async () => {
    let broken = false;
    let transactions = 0;
    const db: SqlDatabase = {
      ...opened.store.db,
      transaction: (fn, options) => {
        transactions++;
        if (broken)
          return Promise.reject(
            Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
          );
        return opened.store.db.transaction(fn, options);
      },
    };
    const uow = new SqlUnitOfWork(db, systemClock);
    const release = deferred<void>();
    const first = uow.run(async (tx) => {
      await tx.projects.create(fixtures.project());
      await release.promise;
    });
    await new Promise((r) => setTimeout(r, 20));
    // B loses the database in the middle of the group; C and D come after it.
    const [b, c, d] = [0, 1, 2].map((i) =>
      uow.run(async (tx) => {
        if (i === 0) {
          broken = true;
          throw unavailable("the connection to PostgreSQL was lost");
        }
        return tx.projects.create(fixtures.project());
      }),
    );
    release.resolve();
    await first;
    for (const p of [b, c, d]) await expect(p).rejects.toMatchObject({ code: "Unavailable" });
    // A, the group, then B alone (refused: the store is down); C and D were not tried again.
    expect(transactions).toBe(3);
  });
});
