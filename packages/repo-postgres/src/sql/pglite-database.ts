import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { invalidArgument } from "@limiquantix/domain";
import { classifyDbError } from "../errors/classify-db-error";
import { acquireDataDirLock } from "./data-dir-lock";
import type { SqlDatabase, SqlExecutor, SqlResult, SqlRow } from "./executor";

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
  const base = wrap(db);
  let closed: Promise<void> | undefined;
  return {
    dialect: "pglite",
    query: base.query,
    exec: base.exec,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    // PGlite has a single connection, so the database itself is the session.
    session: (fn) => fn({ ...base, transaction: (f) => db.transaction((tx) => f(wrap(tx))) }),
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
