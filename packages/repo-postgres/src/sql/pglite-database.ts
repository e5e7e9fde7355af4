import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { invalidArgument } from "@limiquantix/domain";
import { classifyDbError } from "../errors/classify-db-error";
import { acquireDataDirLock } from "./data-dir-lock";
import {
  type Carry,
  RolledBackAtCommit,
  type SqlDatabase,
  type SqlExecutor,
  type SqlResult,
  type SqlRow,
} from "./executor";

type Queryable = Pick<PGlite, "query" | "exec"> | Transaction;

function wrap(db: Queryable): SqlExecutor {
  return {
    async query<R extends SqlRow>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>> {
      const res = await db.query<R>(text, params as unknown[] | undefined);
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
    async exec(script: string): Promise<void> {
      await db.exec(script);
    },
  };
}

/** Open is the transaction a piece of work runs in, while it runs. */
interface Open {
  readonly tx: Transaction;
  open: boolean;
  savepoints: number;
  /** Whether a statement failed in it (outside a savepoint rolled back since): it can only roll back. */
  failed: boolean;
}

/** tracked runs statements in an open transaction, noting a failure (which aborts the transaction). */
function tracked(open: Open): SqlExecutor {
  const inner = wrap(open.tx);
  const failed = (error: unknown): never => {
    open.failed = true;
    throw error;
  };
  return {
    query: <R extends SqlRow>(text: string, params?: readonly unknown[]) =>
      inner.query<R>(text, params).catch(failed),
    exec: (script) => inner.exec(script).catch(failed),
  };
}

/**
 * joiningTransactions gives PGlite's single session a query, exec and transaction that know the
 * transaction the calling code runs in. PGlite runs nothing else while a transaction is open, so a
 * statement issued outside the transaction's executor by code running inside it (a helper reading
 * through the store's own repositories, say) would wait for the transaction, which waits for it.
 * Such statements join the open transaction instead; a transaction begun inside one is a
 * savepoint of it, rolled back alone when its work fails.
 */
function joiningTransactions(db: PGlite): Pick<SqlDatabase, "query" | "exec" | "transaction"> & {
  inTransaction(): boolean;
  carry(): Carry | undefined;
} {
  const context = new AsyncLocalStorage<Open>();
  const current = (): Open | undefined => {
    const open = context.getStore();
    return open?.open ? open : undefined;
  };
  const outside = wrap(db);
  const executor = (): SqlExecutor => {
    const open = current();
    return open ? tracked(open) : outside;
  };
  return {
    inTransaction: () => current() !== undefined,
    carry: () => {
      const open = current();
      return open ? (fn) => context.run(open, fn) : undefined;
    },
    query: (text, params) => executor().query(text, params),
    exec: (script) => executor().exec(script),
    async transaction(fn) {
      const joined = current();
      if (!joined)
        return db.transaction(async (tx) => {
          const open: Open = { tx, open: true, savepoints: 0, failed: false };
          // Closed before PGlite commits: work the transaction's code left running goes outside.
          const result = await context
            .run(open, () => fn(tracked(open)))
            .finally(() => {
              open.open = false;
            });
          // A statement failed and the work went on: its COMMIT would be a ROLLBACK, so the work
          // must not be told it was stored (as PostgreSQL's COMMIT answers ROLLBACK then).
          if (open.failed) throw new RolledBackAtCommit();
          return result;
        });
      const savepoint = `lqx_savepoint_${++joined.savepoints}`;
      const failedBefore = joined.failed;
      await joined.tx.exec(`SAVEPOINT ${savepoint}`);
      try {
        const result = await fn(tracked(joined));
        await joined.tx.exec(`RELEASE SAVEPOINT ${savepoint}`);
        return result;
      } catch (error) {
        await joined.tx.exec(`ROLLBACK TO SAVEPOINT ${savepoint}`).then(
          // What failed inside the savepoint is undone with it.
          () => {
            joined.failed = failedBefore;
          },
          () => undefined,
        );
        throw error;
      }
    },
  };
}

/** PgliteDatabaseOptions say where PGlite keeps its files. */
export interface PgliteDatabaseOptions {
  /** Directory of the database files; created when missing. Omit for an in-memory database. */
  readonly dataDir?: string;
}

/**
 * openPgliteDatabase opens embedded PostgreSQL (PGlite). With a data directory it first takes
 * the lock file `<dataDir>.lock`, so a second process gets a clear error instead of corrupting
 * the files; close() closes PGlite and releases the lock.
 */
export async function openPgliteDatabase(options: PgliteDatabaseOptions = {}): Promise<SqlDatabase> {
  if (options.dataDir !== undefined && (typeof options.dataDir !== "string" || options.dataDir.trim() === ""))
    throw invalidArgument([
      { field: "dataDir", description: "must be a directory path (omit it for an in-memory database)" },
    ]);
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  let lock: ReturnType<typeof acquireDataDirLock> | undefined;
  if (dataDir !== undefined) {
    mkdirSync(dirname(dataDir), { recursive: true });
    lock = acquireDataDirLock(`${dataDir}.lock`, `the PGlite data directory ${dataDir}`);
  }
  let db: PGlite;
  try {
    db = dataDir === undefined ? await PGlite.create() : await PGlite.create({ dataDir });
  } catch (error) {
    lock?.release();
    throw classifyDbError(error, `opening PGlite in ${dataDir ?? "memory"}`);
  }
  const { query, exec, transaction, inTransaction, carry } = joiningTransactions(db);
  let closed: Promise<void> | undefined;
  return {
    dialect: "pglite",
    query,
    exec,
    transaction,
    inTransaction,
    carry,
    // PGlite has a single connection, so the database itself is the session.
    session: (fn) => fn({ query, exec, transaction }),
    async ping() {
      try {
        await db.query("SELECT 1");
      } catch (error) {
        throw classifyDbError(error, "PGlite ping");
      }
    },
    async listen(channel, onNotify) {
      try {
        const unlisten = await db.listen(channel, () => onNotify());
        let stopped = false;
        return async () => {
          if (stopped || db.closed) return;
          stopped = true;
          await unlisten().catch(() => {});
        };
      } catch (error) {
        throw classifyDbError(error, `LISTEN ${channel}`);
      }
    },
    close() {
      closed ??= (async () => {
        try {
          if (!db.closed) await db.close();
        } finally {
          lock?.release();
        }
      })();
      return closed;
    },
  };
}
