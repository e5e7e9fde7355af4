import { createRequire } from "node:module";
import { currentCallSignal, invalidArgument, unavailable } from "@limiquantix/domain";
import type pg from "pg";
import { classifyDbError } from "../errors/classify-db-error";
import { PgListener } from "./pg-listener";
import {
  RolledBackAtCommit,
  type SqlDatabase,
  type SqlExecutor,
  type SqlResult,
  type SqlRow,
  type SqlSession,
  type TransactionOptions,
} from "./executor";
import { StatementCache } from "./statement-cache";
import { TAKE_WRITE_LOCK } from "./write-lock";

/** PgPoolOptions tune the `pg` connection pool. */
export interface PgPoolOptions {
  /** Largest number of connections (default 10). */
  readonly max?: number;
  /** Close a connection idle this long, in ms (default 30 000; 0 keeps idle connections). */
  readonly idleTimeoutMs?: number;
  /** Replace a connection after this many seconds, so load balancers and failovers rebalance (default 0: never). */
  readonly maxLifetimeSec?: number;
  /** Cancel a statement running longer than this, in ms (default 30 000; 0 disables). */
  readonly statementTimeoutMs?: number;
  /** Give up waiting for a connection after this many ms (default 10 000). */
  readonly connectionTimeoutMs?: number;
  /** application_name shown in pg_stat_activity (default `limiquantix`). */
  readonly applicationName?: string;
  /**
   * Prepare the statements the repositories run, once per connection (default true). Turn it
   * off behind a pooler that cannot keep prepared statements, such as PgBouncer in
   * transaction mode before 1.21. Prepared statements are planned with their parameters every
   * time (plan_cache_mode=force_custom_plan), as unnamed ones are: label selectors need it.
   */
  readonly preparedStatements?: boolean;
}

function nonNegativeInt(value: number | undefined, field: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min)
    throw invalidArgument([{ field, description: `must be an integer of at least ${min} (got ${value})` }]);
  return value;
}

/**
 * Settings every pooled connection starts with (through the `options` startup parameter): the
 * statements are planned with their parameters, and never compiled with LLVM. Every statement
 * the repositories run is short; a JIT compile costs milliseconds of the server's CPU, more than
 * any of them runs, and a cost estimate past jit_above_cost (statistics not yet gathered) is
 * enough to pay it on every call.
 */
const SESSION_SETTINGS: readonly (readonly [name: string, value: string])[] = [
  ["plan_cache_mode", "force_custom_plan"],
  ["jit", "off"],
];
const SESSION_OPTIONS = SESSION_SETTINGS.map(([name, value]) => `-c ${name}=${value}`).join(" ");

let driver: typeof pg | undefined;

/** loadPg loads the `pg` driver on first use, so a process that only opens PGlite never loads it. */
function loadPg(): typeof pg {
  driver ??= createRequire(typeof __filename === "string" ? __filename : import.meta.url)("pg") as typeof pg;
  return driver;
}

/** escapeLiteral quotes a string as an SQL literal, as the `pg` driver does (for statements sent without parameters). */
export function escapeLiteral(value: string): string {
  return loadPg().escapeLiteral(value);
}

/**
 * cancellable runs work on a checked-out connection under the current call's abort signal: when
 * the caller goes away, the statement running on that connection is cancelled on the server
 * (pg_cancel_backend from another pooled connection) instead of running to its end.
 */
async function cancellable<T>(pool: pg.Pool, client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
  const signal = currentCallSignal();
  if (!signal) return work();
  if (signal.aborted) throw unavailable("the call was cancelled before its statement ran");
  const pid = (client as unknown as { processID?: number }).processID;
  const onAbort = () => {
    if (pid !== undefined) pool.query("SELECT pg_cancel_backend($1)", [pid]).catch(() => undefined);
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    return await work();
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/**
 * withSessionOptions adds the session settings to the `options` of a connection URL that already
 * has some (the URL's options would otherwise replace the pool's), each unless the URL sets it
 * itself; other URLs are returned as they are and get the settings from the pool's own `options`.
 */
export function withSessionOptions(connectionString: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return connectionString;
  }
  const options = url.searchParams.get("options");
  if (options === null) return connectionString;
  // A setting counts as the URL's own when named whole (`jit_above_cost` is not `jit`).
  const added = SESSION_SETTINGS.filter(([name]) => !new RegExp(`(?:-c\\s*|--)${name}=`).test(options)).map(
    ([name, value]) => `-c ${name}=${value}`,
  );
  if (added.length === 0) return connectionString;
  url.searchParams.set("options", [options, ...added].join(" ").trim());
  return url.toString();
}

function wrap(pool: pg.Pool, client: pg.PoolClient | undefined, statements?: StatementCache): SqlExecutor {
  const run = async <R extends SqlRow>(
    on: pg.PoolClient | pg.Pool,
    text: string,
    values: unknown[] | undefined,
  ) => {
    const name = statements?.nameOf(text);
    return name === undefined
      ? on.query<R>(text, values)
      : on.query<R>({ name, text, ...(values ? { values } : {}) });
  };
  return {
    async query<R extends SqlRow>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>> {
      const values = params as unknown[] | undefined;
      let res: pg.QueryResult<R>;
      if (client) res = await cancellable(pool, client, () => run<R>(client, text, values));
      else if (!currentCallSignal()) res = await run<R>(pool, text, values);
      else {
        // Serving a call: hold the connection, so the statement can be cancelled if the caller leaves.
        const own = await pool.connect();
        let broken: Error | undefined;
        try {
          res = await cancellable(pool, own, () => run<R>(own, text, values));
        } catch (error) {
          if (classifyDbError(error).code === "Unavailable") broken = error as Error;
          throw error;
        } finally {
          own.release(broken);
        }
      }
      return { rows: res.rows, rowCount: res.rowCount ?? res.rows.length };
    },
    async exec(script: string): Promise<void> {
      await (client ?? pool).query(script);
    },
  };
}

async function inTransaction<T>(
  pool: pg.Pool,
  client: pg.PoolClient,
  fn: (tx: SqlExecutor) => Promise<T>,
  statements: StatementCache | undefined,
  options: TransactionOptions | undefined,
): Promise<T> {
  try {
    const begin = options?.writeLock ? ["BEGIN", `SELECT ${TAKE_WRITE_LOCK}`] : ["BEGIN"];
    const reads = options?.reads ?? [];
    if (begin.length + reads.length === 1) await client.query("BEGIN");
    else {
      // Several statements in one simple-protocol message: one round trip. Waiting for the lock is
      // cancelled with the call, as any statement of the transaction would be.
      const text = [...begin, ...reads].join("; ");
      const res = (await cancellable(pool, client, () => client.query(text))) as unknown;
      const results = (Array.isArray(res) ? res : [res]) as { rows: SqlRow[] }[];
      if (reads.length > 0) options?.onRead?.(results.slice(begin.length).map((r) => r.rows));
    }
    const result = await fn(wrap(pool, client, statements));
    // PostgreSQL answers COMMIT of a transaction in which a statement failed with ROLLBACK, not
    // an error: code that caught that failure and went on must not be told its writes are stored.
    const committed = await client.query("COMMIT");
    if (committed.command === "ROLLBACK") throw new RolledBackAtCommit();
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** createPgDatabase opens a `pg` Pool on a connection string; connections are made lazily. */
export function createPgDatabase(connectionString: string, options: PgPoolOptions = {}): SqlDatabase {
  if (typeof connectionString !== "string" || connectionString === "")
    throw invalidArgument([
      {
        field: "connectionString",
        description: "is required: a postgres:// URL such as postgres://user@host:5432/db",
      },
    ]);
  const statementTimeout = nonNegativeInt(options.statementTimeoutMs, "pool.statementTimeoutMs", 30_000);
  if (options.preparedStatements !== undefined && typeof options.preparedStatements !== "boolean")
    throw invalidArgument([
      {
        field: "pool.preparedStatements",
        description: `must be true or false (got ${String(options.preparedStatements)})`,
      },
    ]);
  const statements = options.preparedStatements === false ? undefined : new StatementCache();
  const pool = new (loadPg().Pool)({
    connectionString: statements ? withSessionOptions(connectionString) : connectionString,
    max: nonNegativeInt(options.max, "pool.max", 10, 1),
    idleTimeoutMillis: nonNegativeInt(options.idleTimeoutMs, "pool.idleTimeoutMs", 30_000),
    maxLifetimeSeconds: nonNegativeInt(options.maxLifetimeSec, "pool.maxLifetimeSec", 0),
    connectionTimeoutMillis: nonNegativeInt(options.connectionTimeoutMs, "pool.connectionTimeoutMs", 10_000),
    application_name: options.applicationName ?? "limiquantix",
    ...(statementTimeout > 0 ? { statement_timeout: statementTimeout } : {}),
    ...(statements ? { options: SESSION_OPTIONS } : {}),
  });
  // An idle connection that dies (server restart, failover) must not crash the process: the
  // pool drops it and the next query opens a new one.
  pool.on("error", () => {});
  // Each new connection gets one listener for errors that arrive while it is checked out;
  // adding it at checkout instead would pile one more on the client per use.
  pool.on("connect", (client) => {
    client.on("error", () => {});
  });
  const base = wrap(pool, undefined, statements);
  let closed: Promise<void> | undefined;
  // LISTEN needs a connection of its own for as long as anyone listens, so it is not taken from the pool.
  const listener = new PgListener(
    () =>
      new (loadPg().Client)({
        connectionString,
        application_name: `${options.applicationName ?? "limiquantix"}-listen`,
        keepAlive: true,
        connectionTimeoutMillis: nonNegativeInt(
          options.connectionTimeoutMs,
          "pool.connectionTimeoutMs",
          10_000,
        ),
      }),
  );

  async function connect(): Promise<pg.PoolClient> {
    const client = await pool.connect();
    return client;
  }

  return {
    dialect: "postgres",
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    query: base.query,
    exec: base.exec,
    async transaction(fn, options) {
      const client = await connect();
      let broken: Error | undefined;
      try {
        return await inTransaction(pool, client, fn, statements, options);
      } catch (error) {
        if (classifyDbError(error).code === "Unavailable") broken = error as Error;
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async session(fn) {
      const client = await connect();
      let broken: Error | undefined;
      const session: SqlSession = {
        ...wrap(pool, client, statements),
        transaction: (f, o) => inTransaction(pool, client, f, statements, o),
      };
      try {
        return await fn(session);
      } catch (error) {
        if (classifyDbError(error).code === "Unavailable") broken = error as Error;
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async ping() {
      try {
        await pool.query("SELECT 1");
      } catch (error) {
        throw classifyDbError(error, "PostgreSQL ping");
      }
    },
    async listen(channel, onNotify) {
      try {
        return await listener.listen(channel, onNotify);
      } catch (error) {
        throw classifyDbError(error, `LISTEN ${channel}`);
      }
    },
    close() {
      closed ??= Promise.all([listener.close(), pool.end()]).then(() => {});
      return closed;
    },
  };
}
