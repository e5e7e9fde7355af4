import { createTestDatabase, makeTempDir } from "@limiquantix/testkit";
import type { SqlDatabase } from "../src/sql/executor";
import { createPgliteStore, createPostgresStore, type PostgresStore } from "../src/store";

/** OpenedStore is a migrated store for a test, with a close that also removes what the test created. */
export interface OpenedStore {
  readonly store: PostgresStore;
  close(): Promise<void>;
}

/** openPostgresStore opens a migrated store on a fresh database of the test PostgreSQL server. */
export async function openPostgresStore(): Promise<OpenedStore> {
  const db = await createTestDatabase();
  const store = await createPostgresStore({ connectionString: db.url, migrate: true, pool: { max: 8 } });
  return {
    store,
    async close() {
      await store.close();
      await db.drop();
    },
  };
}

/** openPgliteStore opens a migrated PGlite store in a temporary data directory. */
export async function openPgliteStore(): Promise<OpenedStore> {
  const dir = await makeTempDir("pglite");
  const store = await createPgliteStore({ dataDir: `${dir.path}/data`, migrate: true });
  return {
    store,
    async close() {
      await store.close();
      await dir.remove();
    },
  };
}

/** BACKENDS lists the two engines every repository test runs on. */
export const BACKENDS = [
  { name: "postgres", open: openPostgresStore },
  { name: "pglite", open: openPgliteStore },
] as const;

/** recordingStatements is `db` with transactions that add the text of each statement they run to `statements`. */
export function recordingStatements(db: SqlDatabase, statements: string[]): SqlDatabase {
  return {
    ...db,
    transaction: (fn, options) =>
      db.transaction(
        (tx) =>
          fn({
            query: (text, params) => {
              statements.push(text);
              return tx.query(text, params);
            },
            exec: (script) => tx.exec(script),
          }),
        options,
      ),
  };
}
