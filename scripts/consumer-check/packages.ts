// The published packages of the workspace, their entries, and `pnpm pack`.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { must, root } from "./commands";

/** PackageJson is the part of a package.json the check reads. */
export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
}

/** Entry is one subpath of a package's exports map and the module systems it offers. */
export interface Entry {
  readonly specifier: string;
  readonly main: boolean;
  readonly esm: boolean;
  readonly cjs: boolean;
}

/** Workspace is a published package of the workspace. */
export interface Workspace {
  readonly dir: string;
  readonly pkg: PackageJson;
  readonly entries: readonly Entry[];
}

/** Packed is a package and the tarball `pnpm pack` made of it. */
export interface Packed extends Workspace {
  readonly tarball: string;
  readonly packedBytes: number;
  readonly unpackedBytes: number;
  readonly files: number;
}

/** readJson reads a JSON file. */
export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

/** publishedPackages lists the packages under packages/ that are not private. */
export function publishedPackages(): Workspace[] {
  const dirs = readdirSync(join(root, "packages")).map((d) => join(root, "packages", d));
  return dirs
    .filter((dir) => existsSync(join(dir, "package.json")))
    .map((dir) => ({ dir, pkg: readJson<PackageJson>(join(dir, "package.json")) }))
    .filter(({ pkg }) => pkg.private !== true)
    .map(({ dir, pkg }) => ({ dir, pkg, entries: entriesOf(pkg) }));
}

/** entriesOf lists the subpaths of an exports map with the module systems each offers. */
export function entriesOf(pkg: PackageJson): Entry[] {
  return Object.entries(pkg.exports ?? {})
    .filter(([subpath]) => !subpath.endsWith(".json"))
    .map(([subpath, target]) => {
      const conditions = typeof target === "object" && target !== null ? Object.keys(target) : [];
      return {
        specifier: subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
        main: subpath === ".",
        esm: conditions.includes("import") || conditions.includes("default"),
        cjs: conditions.includes("require") || conditions.includes("default"),
      };
    });
}

/** pack packs a package with pnpm (which rewrites workspace: ranges) and measures the tarball. */
export async function pack(
  workspace: Workspace,
  destination: string,
  env: NodeJS.ProcessEnv,
): Promise<Packed> {
  const result = await must("pnpm", ["pack", "--json", "--pack-destination", destination], {
    cwd: workspace.dir,
    env,
  });
  const info = JSON.parse(result.stdout.slice(result.stdout.indexOf("{"))) as {
    filename: string;
    files: { path: string }[];
  };
  const unpackedBytes = info.files.reduce((sum, f) => sum + statSync(join(workspace.dir, f.path)).size, 0);
  return {
    ...workspace,
    tarball: info.filename,
    packedBytes: statSync(info.filename).size,
    unpackedBytes,
    files: info.files.length,
  };
}
