// The project outside the workspace that installs the tarballs, and what is installed there.
import { existsSync, lstatSync, readdirSync, realpathSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { type PackageJson, type Packed, readJson } from "./packages";
import { root } from "./commands";

/** CONSUMER_VITEST is the vitest a consumer of `@limiquantix/domain/conformance` installs today; the peer range must accept it. */
export const CONSUMER_VITEST = "^4.0.0";

/** writeConsumerProject writes the package.json of a project that depends on every tarball. */
export function writeConsumerProject(dir: string, packed: readonly Packed[]): void {
  const dependencies: Record<string, string> = {};
  for (const p of packed) dependencies[p.pkg.name] = `file:${p.tarball}`;
  // The consumer brings the runtimes the packages expect as (non-optional) peers.
  for (const p of packed) {
    for (const [name, range] of Object.entries(p.pkg.peerDependencies ?? {})) {
      if (name.startsWith("@limiquantix/") || p.pkg.peerDependenciesMeta?.[name]?.optional) continue;
      dependencies[name] ??= range;
    }
  }
  const rootPkg = readJson<PackageJson>(join(root, "package.json"));
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify(
      {
        name: "limiquantix-consumer-check",
        private: true,
        type: "module",
        dependencies,
        devDependencies: {
          "@types/node": rootPkg.devDependencies?.["@types/node"] ?? "^20",
          vitest: CONSUMER_VITEST,
        },
      },
      null,
      2,
    )}\n`,
  );
}

/** copiesOf finds every installed copy of a package anywhere under node_modules. */
export function copiesOf(projectDir: string, name: string): string[] {
  const found: string[] = [];
  const walk = (modules: string) => {
    if (!existsSync(modules)) return;
    const candidate = join(modules, name, "package.json");
    if (existsSync(candidate)) found.push(dirname(candidate));
    for (const entry of readdirSync(modules)) {
      const dirs = entry.startsWith("@")
        ? readdirSync(join(modules, entry)).map((e) => join(modules, entry, e))
        : [join(modules, entry)];
      for (const d of dirs) walk(join(d, "node_modules"));
    }
  };
  walk(join(projectDir, "node_modules"));
  return found;
}

/** installSize sums the files of a package and of everything it needs at run time, as installed. */
export function installSize(projectDir: string, name: string): { bytes: number; packages: number } {
  const seen = new Set<string>();
  let bytes = 0;
  const visit = (dir: string) => {
    const real = realpathSync(dir);
    if (seen.has(real)) return;
    seen.add(real);
    bytes += directoryBytes(real);
    const pkg = readJson<PackageJson>(join(real, "package.json"));
    const required = { ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies };
    for (const dep of Object.keys(required)) {
      if (pkg.peerDependenciesMeta?.[dep]?.optional) continue;
      const found = findPackage(real, dep);
      if (found) visit(found);
    }
  };
  visit(join(projectDir, "node_modules", name));
  return { bytes, packages: seen.size };
}

/** findPackage resolves a dependency from a package directory the way Node does. */
export function findPackage(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (basename(dir) !== "node_modules") {
      const candidate = join(dir, "node_modules", name);
      if (existsSync(join(candidate, "package.json"))) return candidate;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

export function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules") continue;
    const path = join(dir, entry);
    const stat = lstatSync(path);
    total += stat.isDirectory() ? directoryBytes(path) : stat.size;
  }
  return total;
}
