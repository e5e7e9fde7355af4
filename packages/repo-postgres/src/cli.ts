import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { isDomainError } from "@limiquantix/domain";
import type { MigrationStatus } from "./migrations/migrator";
import { createPgliteStore, createPostgresStore, type PostgresStore } from "./store";

interface Target {
  databaseUrl?: string;
  dataDir?: string;
  migrationsDir?: string;
}

function describeStatus(s: MigrationStatus): string {
  const at = s.version === undefined ? "no version (empty schema)" : `version ${s.version}`;
  const dirty = s.dirty ? " DIRTY" : "";
  const pending =
    s.pending.length === 0 ? "up to date" : `${s.pending.length} pending: ${s.pending.join(", ")}`;
  return `${at}${dirty}; latest ${s.latest}; ${pending}`;
}

async function open(t: Target): Promise<PostgresStore> {
  const url = t.databaseUrl ?? process.env.LQX_DATABASE_URL ?? process.env.DATABASE_URL;
  const extra = t.migrationsDir ? { migrationsDir: t.migrationsDir } : {};
  if (t.dataDir) return createPgliteStore({ dataDir: t.dataDir, ...extra });
  if (!url)
    throw new Error(
      "no database given: pass --database-url postgres://… (or set LQX_DATABASE_URL), or --data-dir for an embedded PGlite directory",
    );
  return createPostgresStore({ connectionString: url, pool: { max: 2 }, ...extra });
}

async function withStore(cmd: Command, fn: (store: PostgresStore) => Promise<string>): Promise<void> {
  const store = await open(cmd.optsWithGlobals<Target>());
  try {
    process.stdout.write(`${await fn(store)}\n`);
  } finally {
    await store.close();
  }
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("N must be a positive integer");
  return n;
}

function parseVersion(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < -1)
    throw new InvalidArgumentError("VERSION must be a version number, or -1 for none");
  return n;
}

/** packageVersion is the version of this package, from the package.json one level above both src/ and dist/. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version?: unknown;
  };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
}

/** buildCli builds the `limiquantix-migrate` command: up, down N, status and force VERSION. */
export function buildCli(): Command {
  const program = new Command("limiquantix-migrate")
    .description("Apply, undo and inspect the LimiQuantix PostgreSQL schema migrations.")
    .version(packageVersion(), "-V, --version", "print the version")
    .option("--database-url <url>", "PostgreSQL URL (default: $LQX_DATABASE_URL or $DATABASE_URL)")
    .option("--data-dir <dir>", "embedded PGlite data directory instead of a server")
    .option("--migrations-dir <dir>", "directory of migration files (default: the package's own)");
  program
    .command("up")
    .description("apply every pending migration")
    .action(async (_o, cmd: Command) =>
      withStore(cmd, async (s) => {
        const run = await s.migrator.up();
        const what = run.applied.length === 0 ? "nothing to apply" : `applied ${run.applied.join(", ")}`;
        return `${what}; now at ${describeStatus(run.status)}`;
      }),
    );
  program
    .command("down")
    .description("undo the newest N migrations")
    .argument("<N>", "how many migrations to undo", parseCount)
    .action(async (n: number, _o, cmd: Command) =>
      withStore(cmd, async (s) => {
        const run = await s.migrator.down(n);
        const what = run.applied.length === 0 ? "nothing to undo" : `undid ${run.applied.join(", ")}`;
        return `${what}; now at ${describeStatus(run.status)}`;
      }),
    );
  program
    .command("status")
    .description("show the current version and what is pending")
    .action(async (_o, cmd: Command) =>
      withStore(cmd, async (s) => describeStatus(await s.migrator.status())),
    );
  program
    .command("force")
    .description(
      "record VERSION as current and clean without running anything (repair after a failed migration)",
    )
    .argument("<VERSION>", "the version the schema is really at (-1 for none)", parseVersion)
    .action(async (v: number, _o, cmd: Command) =>
      withStore(cmd, async (s) => `forced; now at ${describeStatus(await s.migrator.force(v))}`),
    );
  return program;
}

/** runCli runs the command line and returns the process exit code (errors are printed, not thrown). */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildCli().parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    const message = isDomainError(error)
      ? `${error.code}: ${error.message}`
      : String((error as Error).message ?? error);
    process.stderr.write(`limiquantix-migrate: ${message}\n`);
    return 1;
  }
}
