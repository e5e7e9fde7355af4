import { AsyncLocalStorage } from "node:async_hooks";
import { installCallSignalSource } from "@limiquantix/domain";
import { fixtures } from "@limiquantix/domain/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresStore, type OpenedStore } from "../../test/harness";
import type { SqlExecutor } from "./executor";
import { TAKE_WRITE_LOCK } from "./write-lock";

/**
 * A writer holding the write lock that needs a row (here a key-share lock, as the foreign-key
 * check of a node inserted into a cluster takes) must not wait for a writer that locked that row
 * and then waits for the write lock: PostgreSQL would break the cycle by failing one of them with
 * "deadlock detected". Every writer takes the write lock before any row lock (write-lock.ts).
 */
describe("the write lock on PostgreSQL", () => {
  let opened: OpenedStore;
  beforeAll(async () => {
    opened = await openPostgresStore();
  });
  afterAll(async () => {
    await opened?.close();
  });

  /** waitForWriteLockWaiter resolves once some session waits for the write lock. */
  async function waitForWriteLockWaiter(): Promise<void> {
    for (let i = 0; i < 500; i++) {
      const res = await opened.store.db.query<{ n: string | number }>(
        "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
      );
      if (Number(res.rows[0]?.n) > 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error("no session came to wait for the write lock");
  }

  /**
   * holdingWriteLock runs `writer` while another transaction holds the write lock; that
   * transaction, once the writer waits for the lock, takes a key-share lock on the cluster (as a
   * node insert's foreign-key check does) and commits.
   */
  async function holdingWriteLock<T>(clusterId: string, writer: () => Promise<T>): Promise<T> {
    let write: Promise<T> | undefined;
    await opened.store.db.transaction(async (x: SqlExecutor) => {
      await x.query(`SELECT ${TAKE_WRITE_LOCK}`);
      write = writer();
      write.catch(() => undefined);
      await waitForWriteLockWaiter();
      await x.query("SELECT 1 FROM clusters WHERE id = $1::text FOR KEY SHARE", [clusterId]);
    });
    return write as Promise<T>;
  }

  it("a single update that sets a key column does not lock its row before the write lock", async () => {
    const { repos } = opened.store;
    const cluster = await repos.clusters.create(fixtures.cluster());
    // The generic update sets every column, the unique name too: its row lock is exclusive.
    const updated = await holdingWriteLock(cluster.id, () =>
      repos.clusters.update({ ...cluster, labels: { touched: "yes" } }),
    );
    expect(updated.labels).toEqual({ touched: "yes" });
    expect(updated.resourceVersion).toBeGreaterThan(cluster.resourceVersion);
  });

  it("a unit of work takes the write lock before its locking reads", async () => {
    const { repos, uow } = opened.store;
    const cluster = await repos.clusters.create(fixtures.cluster());
    const updated = await holdingWriteLock(cluster.id, () =>
      uow.run(async (tx) => {
        const current = await tx.clusters.get(cluster.id);
        return tx.clusters.update({ ...current, labels: { touched: "in-a-work" } });
      }),
    );
    expect(updated.labels).toEqual({ touched: "in-a-work" });
    expect((await repos.clusters.get(cluster.id)).labels).toEqual({ touched: "in-a-work" });
  });

  it("a unit of work waiting for the write lock stops when its call is cancelled, and leaves nothing", async () => {
    const { repos, uow, db } = opened.store;
    const cluster = await repos.clusters.create(fixtures.cluster());
    // Only the work runs as the call; the test's own statements run outside it.
    const call = new AbortController();
    const scope = new AsyncLocalStorage<AbortSignal>();
    const previous = installCallSignalSource(() => scope.getStore());
    try {
      let outcome: Promise<unknown> | undefined;
      await db.transaction(async (x: SqlExecutor) => {
        await x.query(`SELECT ${TAKE_WRITE_LOCK}`);
        outcome = scope
          .run(call.signal, () =>
            uow.run(async (tx) =>
              tx.clusters.update({ ...(await tx.clusters.get(cluster.id)), labels: { late: "yes" } }),
            ),
          )
          .then(
            () => "committed",
            (e: unknown) => e,
          );
        await waitForWriteLockWaiter();
        call.abort();
        // The work gives up while the lock is still held: cancelled, not timed out.
        const error = await outcome;
        expect(error).toBeInstanceOf(Error);
        expect(String(error)).not.toMatch(/timeout/);
      });
      expect((await repos.clusters.get(cluster.id)).labels).toEqual({});
      const waiting = await db.query<{ n: string | number }>(
        "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
      );
      expect(Number(waiting.rows[0]?.n)).toBe(0);
    } finally {
      installCallSignalSource(previous);
    }
  });
});
