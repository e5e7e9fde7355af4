import { createTestDatabase, type TestDatabase } from "@limiquantix/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgDatabase, withSessionOptions } from "./pg-database";

describe("pg database: prepared statements", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  const preparedOn = async (db: ReturnType<typeof createPgDatabase>) =>
    db.session(async (s) => {
      await s.query("SELECT $1::int AS n", [1]);
      await s.query("SELECT $1::int AS n", [2]);
      const res = await s.query<{ statement: string }>("SELECT statement FROM pg_prepared_statements");
      const mode = await s.query<{ plan_cache_mode: string }>("SHOW plan_cache_mode");
      const jit = await s.query<{ jit: string }>("SHOW jit");
      return {
        statements: res.rows.map((r) => r.statement),
        mode: mode.rows[0]?.plan_cache_mode,
        jit: jit.rows[0]?.jit,
      };
    });

  it("prepares a statement once per connection and plans it with its parameters every time", async () => {
    const db = createPgDatabase(database.url, { max: 1 });
    try {
      const { statements, mode, jit } = await preparedOn(db);
      expect(statements.filter((s) => s === "SELECT $1::int AS n")).toHaveLength(1);
      expect(mode).toBe("force_custom_plan");
      // Never compiled with LLVM: a compile costs more than any of the repositories' statements.
      expect(jit).toBe("off");
      // Results are the same as without preparing.
      expect((await db.query<{ n: number }>("SELECT $1::int AS n", [7])).rows).toEqual([{ n: 7 }]);
    } finally {
      await db.close();
    }
  });

  it("keeps the options of a connection URL and adds custom plans to them", async () => {
    const url = new URL(database.url);
    url.searchParams.set("options", "-c work_mem=8MB");
    const db = createPgDatabase(url.toString(), { max: 1 });
    try {
      const { mode, jit } = await preparedOn(db);
      const workMem = await db.query<{ work_mem: string }>("SHOW work_mem");
      expect(mode).toBe("force_custom_plan");
      expect(jit).toBe("off");
      expect(workMem.rows[0]?.work_mem).toBe("8MB");
    } finally {
      await db.close();
    }
    // A setting the URL makes itself is left as the URL has it.
    const own = new URL(withSessionOptions("postgres://u@h/db?options=-c%20jit%3Don"));
    expect(own.searchParams.get("options")).toBe("-c jit=on -c plan_cache_mode=force_custom_plan");
    const near = new URL(withSessionOptions("postgres://u@h/db?options=-c%20jit_above_cost%3D1"));
    expect(near.searchParams.get("options")).toBe(
      "-c jit_above_cost=1 -c plan_cache_mode=force_custom_plan -c jit=off",
    );
    expect(withSessionOptions("postgres://u@h/db")).toBe("postgres://u@h/db");
    expect(withSessionOptions("not a url")).toBe("not a url");
  });

  it("prepares nothing when preparedStatements is false", async () => {
    const db = createPgDatabase(database.url, { max: 1, preparedStatements: false });
    try {
      const { statements, mode, jit } = await preparedOn(db);
      expect(statements.filter((s) => s === "SELECT $1::int AS n")).toHaveLength(0);
      expect(mode).toBe("auto");
      expect(jit).toBe("on"); // no startup options at all: a pooler may refuse them
    } finally {
      await db.close();
    }
  });

  it("refuses a preparedStatements that is not a boolean, naming the field", () => {
    expect(() => createPgDatabase(database.url, { preparedStatements: "yes" as unknown as boolean })).toThrow(
      /pool\.preparedStatements must be true or false/,
    );
  });

  it("keeps working on a new connection after its old one was terminated", async () => {
    const db = createPgDatabase(database.url, { max: 1 });
    try {
      await db.query("SELECT $1::int AS n", [1]);
      await db.query("SELECT pg_terminate_backend(pg_backend_pid())").catch(() => {});
      let answered: unknown;
      for (let i = 0; i < 20 && answered === undefined; i++) {
        answered = await db
          .query<{ n: number }>("SELECT $1::int AS n", [3])
          .then((r) => r.rows[0]?.n)
          .catch(() => undefined);
      }
      expect(answered).toBe(3);
    } finally {
      await db.close();
    }
  });
});
