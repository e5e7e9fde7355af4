// PostgreSQL and embedded PGlite adapters for every LimiQuantix repository port, with migrations.
export * from "./bind";
export * from "./store";
export * from "./unit-of-work";
export * from "./change-log/sql-change-log";
export * from "./sessions/sql-session-store";
export * from "./errors/classify-db-error";
export * from "./migrations/load-migrations";
export * from "./migrations/migrator";
export type {
  PoolStats,
  SqlDatabase,
  SqlDialect,
  SqlExecutor,
  SqlResult,
  SqlRow,
  SqlSession,
  Unlisten,
} from "./sql/executor";
export { createPgDatabase, type PgPoolOptions } from "./sql/pg-database";
export { openPgliteDatabase, type PgliteDatabaseOptions } from "./sql/pglite-database";
export { acquireDataDirLock, type DataDirLock } from "./sql/data-dir-lock";
export { createRepositories } from "./repositories/create-repositories";
export type { RepoContext } from "./repositories/repo-context";
