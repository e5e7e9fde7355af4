import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { invalidArgument } from "@limiquantix/domain";
import { classifyDbError } from "../errors/classify-db-error";
import { acquireDataDirLock } from "./data-dir-lock";
import type { Carry, SqlDatabase, SqlExecutor, SqlResult, SqlRow } from "./executor";

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
    return open ? wrap(open.tx) : outside;
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
        return db.transaction((tx) => {
          const open: Open = { tx, open: true, savepoints: 0 };
          // Closed before PGlite commits: work the transaction's code left running goes outside.
          return context
            .run(open, () => fn(wrap(tx)))
            .finally(() => {
              open.open = false;
            });
        });
      const savepoint = `lqx_savepoint_${++joined.savepoints}`;
      await joined.tx.exec(`SAVEPOINT ${savepoint}`);
      try {
        const result = await fn(wrap(joined.tx));
        await joined.tx.exec(`RELEASE SAVEPOINT ${savepoint}`);
        return result;
      } catch (error) {
        await joined.tx.exec(`ROLLBACK TO SAVEPOINT ${savepoint}`).catch(() => undefined);
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
