import { spawn } from "node:child_process";
import { join } from "node:path";
import { createTestDatabase, makeTempDir, type TestDatabase } from "@limiquantix/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createPgDatabase } from "../sql/pg-database";
import { openPgliteDatabase } from "../sql/pglite-database";
import type { SqlDatabase } from "../sql/executor";
import { defaultMigrationsDir, loadMigrations, type Migration } from "./load-migrations";
import { createMigrator } from "./migrator";

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function database(): Promise<{ db: TestDatabase; pool: () => SqlDatabase }> {
  const db = await createTestDatabase();
  opened.push({ close: () => db.drop() });
  return {
    db,
    pool: () => {
      const p = createPgDatabase(db.url, { max: 2 });
      opened.unshift(p);
      return p;
    },
  };
}

async function tables(db: SqlDatabase): Promise<string[]> {
  const res = await db.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
  );
  return res.rows.map((r) => r.tablename);
}

const SHIPPED = loadMigrations().map((m) => m.version);
const LATEST = SHIPPED.at(-1)!;

const EXTRA: Migration = {
  version: LATEST + 1,
  name: "extra",
  up: "CREATE TABLE extra_things (id text PRIMARY KEY);",
  down: "DROP TABLE extra_things;",
};

describe("migrations", () => {
  it("are found next to the sources (and next to dist, one level up from it)", () => {
    const dir = defaultMigrationsDir();
    expect(dir.endsWith("migrations")).toBe(true);
    expect(defaultMigrationsDir(join(dir, "..", "dist"))).toBe(dir);
    const all = loadMigrations();
    expect(all[0]).toMatchObject({ version: 1, name: "init" });
    expect(all[0]!.down).toBeDefined();
  });

  it("up creates every table and records a clean version; a second up applies nothing", async () => {
    const { pool } = await database();
    const db = pool();
    const migrator = createMigrator(db);
    expect(await migrator.status()).toMatchObject({ dirty: false, pending: SHIPPED });
    const first = await migrator.up();
    expect(first.applied).toEqual(SHIPPED);
    expect(first.status).toMatchObject({ version: LATEST, dirty: false, pending: [] });
    expect(await tables(db)).toEqual(
      expect.arrayContaining([
        "projects",
        "nodes",
        "virtual_machines",
        "security_rules",
        "audit_log",
        "schema_migrations",
      ]),
    );
    expect((await migrator.up()).applied).toEqual([]);
  });

  it("concurrent up from two pools applies each migration once", async () => {
    const { pool } = await database();
    const migrations = [...loadMigrations(), EXTRA];
    const a = createMigrator(pool(), { migrations });
    const b = createMigrator(pool(), { migrations });
    const [ra, rb] = await Promise.all([a.up(), b.up()]);
    expect([...ra.applied, ...rb.applied].sort((x, y) => x - y)).toEqual([...SHIPPED, EXTRA.version]);
    expect([ra.applied.length, rb.applied.length].sort()).toEqual([0, SHIPPED.length + 1]);
    expect(await a.status()).toMatchObject({ version: EXTRA.version, dirty: false });
  });

  it("concurrent up from two processes applies each migration once", async () => {
    const { db } = await database();
    const cli = join(import.meta.dirname, "..", "cli-main.ts");
    const runOne = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ["--conditions=limiquantix-source", "--import", "tsx", cli, "--database-url", db.url, "up"],
          {
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        let out = "";
        const collect = (d: Buffer) => {
          out += d.toString();
        };
        child.stdout.on("data", collect);
        child.stderr.on("data", collect);
        child.once("exit", (code) => resolve({ code, out }));
      });
    const results = await Promise.all([runOne(), runOne()]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    const outs = results.map((r) => r.out).sort();
    expect(outs[0]).toContain(`applied ${SHIPPED.join(", ")}`);
    expect(outs[1]).toContain("nothing to apply");
  });

  it("down then up round-trips the schema", async () => {
    const { pool } = await database();
    const db = pool();
    const migrator = createMigrator(db, { migrations: [...loadMigrations(), EXTRA] });
    await migrator.up();
    const before = await tables(db);
    const down = await migrator.down(1);
    expect(down.applied).toEqual([EXTRA.version]);
    expect(down.status).toMatchObject({ version: LATEST, pending: [EXTRA.version] });
    expect(await tables(db)).not.toContain("extra_things");
    const all = await migrator.down(SHIPPED.length + 5);
    expect(all.applied).toEqual([...SHIPPED].reverse());
    expect(all.status.version).toBeUndefined();
    expect(await tables(db)).toEqual(["schema_migrations"]);
    await migrator.up();
    expect(await tables(db)).toEqual(before);
  });

  it("a failed migration leaves a dirty version that up and down refuse, naming the repair", async () => {
    const { pool } = await database();
    const db = pool();
    const broken: Migration = {
      version: LATEST + 1,
      name: "broken",
      up: "CREATE TABLE half (id text); SELECT no_such_fn();",
    };
    const migrator = createMigrator(db, { migrations: [...loadMigrations(), broken] });
    await expect(migrator.up()).rejects.toMatchObject({ code: "Internal" });
    expect(await migrator.status()).toMatchObject({ version: broken.version, dirty: true });
    expect(await tables(db)).not.toContain("half");
    const refusal = migrator.up();
    await expect(refusal).rejects.toMatchObject({ code: "FailedPrecondition" });
    await expect(refusal).rejects.toThrow(new RegExp(`dirty at version ${broken.version}.*force ${LATEST}`));
    await expect(migrator.down(1)).rejects.toMatchObject({ code: "FailedPrecondition" });
    expect(await migrator.force(LATEST)).toMatchObject({
      version: LATEST,
      dirty: false,
      pending: [broken.version],
    });
    const fixed = createMigrator(db, { migrations: [...loadMigrations(), EXTRA] });
    expect((await fixed.up()).applied).toEqual([EXTRA.version]);
  });

  it("refuses a down count that is not a positive integer", async () => {
    const { pool } = await database();
    const migrator = createMigrator(pool());
    await expect(migrator.down(0)).rejects.toMatchObject({ code: "InvalidArgument" });
    await expect(migrator.down(1.5)).rejects.toThrow(/steps must be a positive integer/);
  });

  it("runs the same migrations on PGlite", async () => {
    const dir = await makeTempDir("pglite-migrate");
    opened.push({ close: () => dir.remove() });
    const db = await openPgliteDatabase({ dataDir: join(dir.path, "data") });
    opened.unshift(db);
    const migrator = createMigrator(db);
    expect((await migrator.up()).applied).toEqual(SHIPPED);
    expect((await migrator.down(SHIPPED.length)).status.version).toBeUndefined();
    expect((await migrator.up()).status).toMatchObject({ version: LATEST, dirty: false });
  });
});
