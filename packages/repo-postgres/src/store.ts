import {
  currentCallAttribution,
  type AuditRepository,
  type Clock,
  type Closeable,
  type Repositories,
  systemClock,
  type UnitOfWork,
} from "@limiquantix/domain";
import { SqlChangeLog, type SqlChangeLogOptions } from "./change-log/sql-change-log";
import {
  createMigrator,
  type MigrationRun,
  type Migrator,
  type MigratorOptions,
} from "./migrations/migrator";
import { createRepositories } from "./repositories/create-repositories";
import { SqlSessionStore } from "./sessions/sql-session-store";
import type { SqlDatabase } from "./sql/executor";
import { createPgDatabase, type PgPoolOptions } from "./sql/pg-database";
import { openPgliteDatabase } from "./sql/pglite-database";
import { SqlUnitOfWork, type SqlUnitOfWorkOptions } from "./unit-of-work";

/** PostgresStore is everything a PostgreSQL-backed control plane needs from its database. */
export interface PostgresStore extends Closeable {
  /** The engine behind the store. */
  readonly dialect: SqlDatabase["dialect"];
  readonly repos: Repositories;
  readonly uow: UnitOfWork;
  readonly audit: AuditRepository;
  /** The change log every write of a resource appends to (by the tables' triggers, in the writing transaction). */
  readonly changeLog: SqlChangeLog;
  /** The SessionStore port on the `auth_sessions` table: refresh-token families, on the store's clock. */
  readonly sessions: SqlSessionStore;
  /** The migrator: up, down N, status and force. */
  readonly migrator: Migrator;
  /** migrate applies every pending migration (under an advisory lock, so replicas may all call it). */
  migrate(): Promise<MigrationRun>;
  /** ping checks the database answers; it throws Unavailable when it does not. */
  ping(): Promise<void>;
  /** The underlying executor, for integrators who add their own tables. */
  readonly db: SqlDatabase;
}

/** StoreOptions are shared by both factories. */
export interface StoreOptions extends MigratorOptions {
  /** Source of createdAt/updatedAt and of session expiry (default: the system clock). */
  readonly clock?: Clock;
  /** Apply pending migrations before returning the store (default false). */
  readonly migrate?: boolean;
  /** How the change log waits for new entries. */
  readonly changeLog?: SqlChangeLogOptions;
  /** How units of work share transactions on PostgreSQL (group commit; PGlite runs each alone). */
  readonly unitOfWork?: SqlUnitOfWorkOptions;
}

/** PostgresStoreOptions configure a store on a PostgreSQL server. */
export interface PostgresStoreOptions extends StoreOptions {
  /** A postgres:// URL. */
  readonly connectionString: string;
  readonly pool?: PgPoolOptions;
}

/** PgliteStoreOptions configure a store on embedded PGlite. */
export interface PgliteStoreOptions extends StoreOptions {
  /** Where PGlite keeps its files (guarded by `<dataDir>.lock`); omit for an in-memory database. */
  readonly dataDir?: string;
}

/** storeOver builds a store on an open database. */
export async function storeOver(db: SqlDatabase, options: StoreOptions = {}): Promise<PostgresStore> {
  const clock = options.clock ?? systemClock;
  const repos = createRepositories({
    db,
    atomic: (fn) => db.transaction(fn),
    clock,
    lockReads: false,
    // Outside a unit of work a write is committed when it returns, with the call's audit entry.
    committedChange: () => {
      if (!db.inTransaction?.()) currentCallAttribution()?.auditStored?.();
    },
  });
  const migrator = createMigrator(db, options);
  const changeLog = new SqlChangeLog(db, options.changeLog);
  const store: PostgresStore = {
    dialect: db.dialect,
    repos,
    // PGlite too: its single session runs one transaction at a time, so units of work are serial there.
    uow: new SqlUnitOfWork(db, clock, options.unitOfWork),
    audit: repos.audit,
    changeLog,
    sessions: new SqlSessionStore(db, { clock }),
    migrator,
    migrate: () => migrator.up(),
    ping: () => db.ping(),
    async close() {
      await changeLog.close();
      await db.close();
    },
    db,
  };
  if (options.migrate) {
    try {
      await store.migrate();
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  return store;
}

/** createPostgresStore opens a store on a PostgreSQL server through a `pg` pool. */
export function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  return storeOver(createPgDatabase(options.connectionString, options.pool), options);
}

/** createPgliteStore opens a store on embedded PGlite in a data directory (locked against a second process). */
export async function createPgliteStore(options: PgliteStoreOptions = {}): Promise<PostgresStore> {
  const db = await openPgliteDatabase(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  return storeOver(db, options);
}
