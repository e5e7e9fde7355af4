/** SqlRow is one row of a result, keyed by column name. */
export type SqlRow = Record<string, unknown>;

/** SqlResult is what a statement returns: its rows and how many rows it touched. */
export interface SqlResult<R extends SqlRow = SqlRow> {
  readonly rows: R[];
  readonly rowCount: number;
}

/**
 * SqlExecutor runs SQL on one database connection or transaction. It is the only seam between
 * the repositories and a driver, so the same SQL runs on `pg` and on PGlite. Driver errors are
 * thrown as they are; callers classify them (see classifyDbError).
 */
export interface SqlExecutor {
  /** query runs one statement with `$1`-style parameters. */
  query<R extends SqlRow = SqlRow>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
  /** exec runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

/** TransactionOptions tune how a transaction begins. */
export interface TransactionOptions {
  /**
   * Take the store's write lock as the transaction begins, in the same round trip as BEGIN (see
   * write-lock.ts). PGlite runs one transaction at a time and ignores it.
   */
  readonly writeLock?: boolean;
  /**
   * Reads made as the transaction begins, in the same round trip as BEGIN (after the write lock):
   * SELECT statements with their values inlined (escaped by the caller), whose rows are handed to
   * `onRead` in the same order before fn runs. PGlite skips them (it has no round trips to save):
   * fn then reads what it needs as usual.
   */
  readonly reads?: readonly string[];
  readonly onRead?: (rows: readonly (readonly SqlRow[])[]) => void;
}

/** SqlSession is a connection held for a while: it can run several transactions in turn. */
export interface SqlSession extends SqlExecutor {
  /** transaction runs fn in BEGIN … COMMIT on this connection, rolling back if fn throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

/** SqlDialect names the engine behind a database. */
export type SqlDialect = "postgres" | "pglite";

/** SqlDatabase is a pool of connections (or PGlite's single one) with transactions, sessions, a ping and close. */
export interface SqlDatabase extends SqlSession {
  readonly dialect: SqlDialect;
  /** session runs fn on one dedicated connection (session-level advisory locks need that). */
  session<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /** ping runs `SELECT 1`, throwing Unavailable when the database cannot be reached. */
  ping(): Promise<void>;
  /** close ends every connection; it is safe to call more than once. */
  close(): Promise<void>;
  /** poolStats reports the connection pool (absent where there is no pool, as on PGlite). */
  poolStats?(): PoolStats;
  /**
   * listen calls onNotify for each notification on a channel (NOTIFY, delivered on commit), and
   * once more whenever a lost listening connection comes back (what was sent meanwhile is lost),
   * until the returned function is called. It fails when the database cannot be reached.
   */
  listen?(channel: string, onNotify: () => void): Promise<Unlisten>;
  /**
   * inTransaction says whether a statement made now through this database would run inside a
   * transaction still open (PGlite, whose statements join the transaction of the work they are
   * made from); absent where statements outside a transaction's executor never do.
   */
  inTransaction?(): boolean;
  /**
   * carry, called inside a transaction of this database, returns a function that runs code as
   * code inside that transaction (its statements through this database join it) from whatever
   * async context it is called in: a unit of work run in its caller's context, say. Absent, or
   * undefined outside a transaction, where statements never join one (PostgreSQL).
   */
  carry?(): Carry | undefined;
}

/** Carry runs fn inside the transaction it was taken in (see SqlDatabase.carry). */
export type Carry = <R>(fn: () => R) => R;

/** Unlisten stops a listen; it is safe to call more than once. */
export type Unlisten = () => Promise<void>;

/** PoolStats are a connection pool's figures: connections open, idle, and callers waiting for one. */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

/**
 * RolledBackAtCommit is thrown by a transaction whose COMMIT the server answered with ROLLBACK:
 * a statement inside it failed, and the code that ran it went on (the failure caught and not
 * passed on). Nothing of the transaction was stored; its caller must not be told it was.
 */
export class RolledBackAtCommit extends Error {
  constructor() {
    super("the transaction was rolled back at COMMIT: a statement inside it failed and the work went on");
    this.name = "RolledBackAtCommit";
  }
}
