import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  findPostgresBinDir,
  POSTGRES_URL_ENV,
  type PostgresTestServer,
  startPrivatePostgres,
  type TestDatabase,
  testPostgres,
} from "./postgres";

const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
});

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe("testPostgres", () => {
  it("gives a server that answers queries, the same one on every call", async () => {
    const a = await testPostgres();
    const b = await testPostgres();
    expect(a).toBe(b);
    const r = await query(a.url, "SELECT 1 AS one");
    expect(r.rows[0].one).toBe(1);
  });

  it("gives each call of createTestDatabase a fresh, empty database of its own", async () => {
    const one = await createTestDatabase();
    const two = await createTestDatabase();
    dbs.push(one, two);
    expect(one.name).not.toBe(two.name);
    await query(one.url, "CREATE TABLE t (x int)");
    const tables = await query(
      two.url,
      "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'",
    );
    expect(tables.rows[0].n).toBe(0);
  });

  it("drop removes the database even while a session is connected", async () => {
    const db = await createTestDatabase();
    const client = new pg.Client({ connectionString: db.url });
    client.on("error", () => {});
    await client.connect();
    await db.drop();
    const server = await testPostgres();
    const r = await query(
      server.url,
      `SELECT count(*)::int AS n FROM pg_database WHERE datname = '${db.name}'`,
    );
    expect(r.rows[0].n).toBe(0);
    await client.end().catch(() => {});
  });

  it("a private server stops (cutting sessions) and starts again at the same URL", async (ctx) => {
    // A server from the environment is not ours to stop: then the test starts a private one.
    let server: PostgresTestServer = await testPostgres();
    let own = false;
    if (!server.private) {
      try {
        findPostgresBinDir();
      } catch (error) {
        ctx.skip(
          `the test server comes from ${POSTGRES_URL_ENV} and none can be started here: ${String(error)}`,
        );
      }
      server = await startPrivatePostgres();
      own = true;
    }
    try {
      const client = new pg.Client({ connectionString: server.url });
      client.on("error", () => {});
      await client.connect();
      await server.stop();
      await expect(client.query("SELECT 1")).rejects.toThrow();
      await server.start();
      const r = await query(server.url, "SELECT 2 AS two");
      expect(r.rows[0].two).toBe(2);
    } finally {
      if (own) await server.stop();
    }
  }, 120_000);

  it("a server named by the environment is not private and refuses to be stopped or started", async () => {
    const before = process.env[POSTGRES_URL_ENV];
    process.env[POSTGRES_URL_ENV] = "postgres://someone@db.example:5432/postgres";
    try {
      const server = await testPostgres();
      expect(server.private).toBe(false);
      expect(server.url).toBe("postgres://someone@db.example:5432/postgres");
      await expect(server.stop()).rejects.toThrow(POSTGRES_URL_ENV);
      await expect(server.start()).rejects.toThrow(POSTGRES_URL_ENV);
    } finally {
      if (before === undefined) delete process.env[POSTGRES_URL_ENV];
      else process.env[POSTGRES_URL_ENV] = before;
    }
  });
});
