import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase, testPostgres } from "./postgres";

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
    const tables = await query(two.url, "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
    expect(tables.rows[0].n).toBe(0);
  });

  it("drop removes the database even while a session is connected", async () => {
    const db = await createTestDatabase();
    const client = new pg.Client({ connectionString: db.url });
    client.on("error", () => {});
    await client.connect();
    await db.drop();
    const server = await testPostgres();
    const r = await query(server.url, `SELECT count(*)::int AS n FROM pg_database WHERE datname = '${db.name}'`);
    expect(r.rows[0].n).toBe(0);
    await client.end().catch(() => {});
  });

  it("a private server stops (cutting sessions) and starts again at the same URL", async () => {
    const server = await testPostgres();
    if (!server.private) return;
    const client = new pg.Client({ connectionString: server.url });
    client.on("error", () => {});
    await client.connect();
    await server.stop();
    await expect(client.query("SELECT 1")).rejects.toThrow();
    await server.start();
    const r = await query(server.url, "SELECT 2 AS two");
    expect(r.rows[0].two).toBe(2);
  });
});
