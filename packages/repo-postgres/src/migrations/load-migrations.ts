import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { failedPrecondition } from "@limiquantix/domain";

/** Migration is one schema version: its up script and, when it can be undone, its down script. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
  readonly down?: string;
}

const FILE = /^(\d+)_([A-Za-z0-9_-]+)\.(up|down)\.sql$/;

function here(): string {
  // tsup's shims give the CommonJS build an import.meta.url too.
  return dirname(fileURLToPath(import.meta.url));
}

/**
 * defaultMigrationsDir finds the `migrations` directory shipped with the package, walking up
 * from this module: it sits two levels up from src/migrations and one level up from dist.
 */
export function defaultMigrationsDir(from = here()): string {
  let dir = from;
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, "migrations");
    if (existsSync(join(candidate, "000001_init.up.sql"))) return candidate;
    dir = dirname(dir);
  }
  throw failedPrecondition(
    `cannot find the migrations directory of @limiquantix/repo-postgres near ${from}: reinstall the package or pass migrationsDir`,
  );
}

/**
 * loadMigrations reads golang-migrate style files (`000001_init.up.sql`, `000001_init.down.sql`)
 * in version order. A version without an up script, or two names for one version, is refused.
 */
export function loadMigrations(dir = defaultMigrationsDir()): Migration[] {
  const byVersion = new Map<number, { name: string; up?: string; down?: string }>();
  for (const file of readdirSync(dir).sort()) {
    const m = FILE.exec(file);
    if (!m) continue;
    const version = Number(m[1]);
    const entry = byVersion.get(version) ?? { name: m[2]! };
    if (entry.name !== m[2])
      throw failedPrecondition(
        `migration ${version} has two names (${entry.name}, ${m[2]}) in ${dir}: keep one`,
      );
    entry[m[3] as "up" | "down"] = readFileSync(join(dir, file), "utf8");
    byVersion.set(version, entry);
  }
  const out: Migration[] = [];
  for (const [version, e] of [...byVersion].sort((a, b) => a[0] - b[0])) {
    if (e.up === undefined)
      throw failedPrecondition(
        `migration ${version}_${e.name} has no .up.sql file in ${dir}: add it or remove the .down.sql`,
      );
    out.push(
      e.down === undefined
        ? { version, name: e.name, up: e.up }
        : { version, name: e.name, up: e.up, down: e.down },
    );
  }
  return out;
}
