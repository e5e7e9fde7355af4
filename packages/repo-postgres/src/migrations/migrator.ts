import { failedPrecondition, invalidArgument } from "@limiquantix/domain";
import { classifyDbError } from "../errors/classify-db-error";
import type { SqlDatabase, SqlExecutor, SqlSession } from "../sql/executor";
import { loadMigrations, type Migration } from "./load-migrations";

/** MigrationStatus is where the schema stands: its version (undefined before the first migration), whether it is dirty, and what is pending. */
export interface MigrationStatus {
  readonly version?: number;
  readonly dirty: boolean;
  /** The newest version this package knows. */
  readonly latest: number;
  /** Versions not applied yet, in order. */
  readonly pending: readonly number[];
}

/** MigrationRun reports the versions a call applied (up) or undid (down), in order, and the status after it. */
export interface MigrationRun {
  readonly applied: readonly number[];
  readonly status: MigrationStatus;
}

/** Migrator applies and undoes schema versions; state lives in `schema_migrations(version, dirty)` as golang-migrate keeps it. */
export interface Migrator {
  /** up applies every pending migration. */
  up(): Promise<MigrationRun>;
  /** down undoes the newest `steps` applied migrations. */
  down(steps: number): Promise<MigrationRun>;
  /** status reads the current version without changing anything. */
  status(): Promise<MigrationStatus>;
  /** force records `version` as current and clean without running anything (the repair after a failed migration). */
  force(version: number): Promise<MigrationStatus>;
}

/** MigratorOptions choose the migrations and the lock. */
export interface MigratorOptions {
  /** Migrations to use instead of the package's own (tests, integrators with extra tables). */
  readonly migrations?: readonly Migration[];
  /** Directory of migration files instead of the package's own. */
  readonly migrationsDir?: string;
}

// Advisory locks are per database, so one fixed key serialises migrators of one database.
const LOCK_KEY = 7_315_620_411;

const CREATE_TABLE =
  "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)";

async function readVersion(db: SqlExecutor): Promise<{ version?: number; dirty: boolean }> {
  const res = await db.query<{ version: string | number; dirty: boolean }>(
    "SELECT version, dirty FROM schema_migrations LIMIT 1",
  );
  const row = res.rows[0];
  return row ? { version: Number(row.version), dirty: row.dirty } : { dirty: false };
}

async function setVersion(db: SqlExecutor, version: number | undefined, dirty: boolean): Promise<void> {
  await db.query("DELETE FROM schema_migrations");
  if (version !== undefined)
    await db.query("INSERT INTO schema_migrations (version, dirty) VALUES ($1, $2)", [version, dirty]);
}

function dirtyError(version: number | undefined, previous: number | undefined): Error {
  const back = previous === undefined ? "-1" : String(previous);
  return failedPrecondition(
    `the database schema is dirty at version ${version}: a migration failed or was interrupted. ` +
      `Each migration runs in a transaction, so the schema is normally still at the version before it. ` +
      `Fix the cause, check the schema by hand, then record the version it is really at with ` +
      `\`limiquantix-migrate force ${back}\` (or force ${version} if migration ${version} did complete) and run \`limiquantix-migrate up\` again`,
    { version, dirty: true },
  );
}

/** createMigrator builds a migrator over a database; every change runs under a PostgreSQL advisory lock. */
export function createMigrator(db: SqlDatabase, options: MigratorOptions = {}): Migrator {
  const migrations = options.migrations ?? loadMigrations(options.migrationsDir);
  const latest = migrations.at(-1)?.version ?? 0;
  const previousOf = (version: number): number | undefined => {
    const i = migrations.findIndex((m) => m.version === version);
    return i > 0 ? migrations[i - 1]!.version : undefined;
  };
  const statusOf = (state: { version?: number; dirty: boolean }): MigrationStatus => {
    const pending = migrations
      .filter((m) => state.version === undefined || m.version > state.version)
      .map((m) => m.version);
    return state.version === undefined
      ? { dirty: state.dirty, latest, pending }
      : { version: state.version, dirty: state.dirty, latest, pending };
  };

  // Within one process the session is shared on PGlite, where advisory locks are re-entrant.
  let chain: Promise<unknown> = Promise.resolve();
  function locked<T>(fn: (s: SqlSession) => Promise<T>): Promise<T> {
    const next = chain.then(() =>
      db.session(async (s) => {
        await s.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
        try {
          await s.query(CREATE_TABLE);
          return await fn(s);
        } finally {
          await s.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => {});
        }
      }),
    );
    chain = next.catch(() => {});
    return next.catch((error) => {
      throw classifyDbError(error, "schema migration");
    });
  }

  async function step(s: SqlSession, m: Migration, script: string, after: number | undefined): Promise<void> {
    // Marked dirty first, outside the transaction, so a crash mid-migration leaves a trace.
    await s.transaction((tx) => setVersion(tx, m.version, true));
    await s.transaction(async (tx) => {
      await tx.exec(script);
      await setVersion(tx, after, false);
    });
  }

  return {
    up: () =>
      locked(async (s) => {
        const state = await readVersion(s);
        if (state.dirty)
          throw dirtyError(
            state.version,
            state.version === undefined ? undefined : previousOf(state.version),
          );
        const applied: number[] = [];
        for (const m of migrations) {
          if (state.version !== undefined && m.version <= state.version) continue;
          await step(s, m, m.up, m.version);
          applied.push(m.version);
        }
        return { applied, status: statusOf(await readVersion(s)) };
      }),
    down: (steps) =>
      locked(async (s) => {
        if (!Number.isInteger(steps) || steps < 1)
          throw invalidArgument([
            { field: "steps", description: `must be a positive integer (got ${steps})` },
          ]);
        const undone: number[] = [];
        for (let i = 0; i < steps; i++) {
          const state = await readVersion(s);
          if (state.dirty)
            throw dirtyError(
              state.version,
              state.version === undefined ? undefined : previousOf(state.version),
            );
          if (state.version === undefined) break;
          const m = migrations.find((x) => x.version === state.version);
          if (!m)
            throw failedPrecondition(
              `the database is at version ${state.version}, which this package does not know: use the release that created it to go down`,
            );
          if (m.down === undefined)
            throw failedPrecondition(
              `migration ${m.version}_${m.name} has no .down.sql: it cannot be undone`,
            );
          await step(s, m, m.down, previousOf(m.version));
          undone.push(m.version);
        }
        return { applied: undone, status: statusOf(await readVersion(s)) };
      }),
    status: () => locked(async (s) => statusOf(await readVersion(s))),
    force: (version) =>
      locked(async (s) => {
        if (!Number.isInteger(version) || version < -1)
          throw invalidArgument([
            { field: "version", description: `must be a migration version, or -1 for none (got ${version})` },
          ]);
        await setVersion(s, version === -1 ? undefined : version, false);
        return statusOf(await readVersion(s));
      }),
  };
}
