// consumer-check: the published packages as a consumer gets them. It builds and packs every
// published package (`pnpm pack`), installs the tarballs with npm into a new project in the
// system's temporary directory, and there: imports (ESM) and requires (CJS) every entry,
// type-checks every entry under module NodeNext, strict, skipLibCheck false, runs
// examples/embed-scheduler, runs each binary with --version, starts limiquantix-server and
// answers one RPC. Then it lints every tarball with publint and @arethetypeswrong/cli and runs
// `changeset status`. Any failure fails the run; the summary gives each package's packed size and
// the server's install size.
//
// Usage: node --import tsx scripts/consumer-check.ts [--skip-build] [--keep]
//   --skip-build  use the dist/ folders as they are
//   --keep        keep the temporary project and print where it is
import { type ChildProcess, spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { publint } from "publint";
import { formatMessage } from "publint/utils";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const flags = new Set(process.argv.slice(2));

/** The vitest a consumer of `@limiquantix/domain/conformance` installs today; the peer range must accept it. */
const CONSUMER_VITEST = "^4.0.0";
/** Modules that only tests need; no package's main entry may load them. */
const TEST_ONLY_MODULES = ["node-forge", "vitest"];
/** Runtimes a consumer must end up with exactly one copy of. */
const SINGLE_COPY = ["@bufbuild/protobuf", "@connectrpc/connect", "@limiquantix/domain"];

// ---------------------------------------------------------------- processes

interface RunResult {
  readonly code: number | null;
  readonly output: string;
  readonly stdout: string;
}

interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** How a failure names the command (default: the command line). */
  readonly label?: string;
}

function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? root,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      output += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      output += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 300_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output, stdout });
    });
  });
}

/** must runs a command and fails with the end of its output unless it exits 0. */
async function must(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const label = options.label ?? `${basename(command)} ${args.join(" ")}`;
    throw new Error(`${label} exited with ${result.code}\n${tail(result.output)}`);
  }
  return result;
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * pnpmOnPath returns PATH with a directory in front that holds a `pnpm` for turbo and `pnpm pack`:
 * the pnpm that runs this script (`pnpm test`), or pnpm 10 through npx.
 */
function pnpmOnPath(dir: string): string {
  const execPath = process.env.npm_execpath;
  const target =
    execPath && basename(execPath).startsWith("pnpm")
      ? /\.[cm]?js$/.test(execPath)
        ? `"${process.execPath}" "${execPath}"`
        : `"${execPath}"`
      : "npx -y pnpm@10";
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "pnpm"), `#!/bin/sh\nexec ${target} "$@"\n`, { mode: 0o755 });
  return `${dir}${delimiter}${process.env.PATH ?? ""}`;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// ---------------------------------------------------------------- steps and report

interface StepReport {
  readonly name: string;
  readonly ms: number;
  readonly ok: boolean;
  readonly detail: string;
}

const reports: StepReport[] = [];

/** step runs one check, prints its outcome and records it; a failed step throws only when `required`. */
async function step(name: string, fn: () => Promise<string | undefined>, required = false): Promise<boolean> {
  const start = performance.now();
  try {
    const [summary = "", ...more] = ((await fn()) ?? "").split("\n");
    const ms = performance.now() - start;
    reports.push({ name, ms, ok: true, detail: summary });
    console.log(`  ✓ ${name.padEnd(42)} ${seconds(ms).padStart(10)}  ${summary}`);
    if (more.length > 0) console.log(indent(more.join("\n")));
    return true;
  } catch (error) {
    const ms = performance.now() - start;
    const detail = error instanceof Error ? error.message : String(error);
    reports.push({ name, ms, ok: false, detail });
    console.log(`  ✗ ${name.padEnd(42)} ${seconds(ms).padStart(10)}\n${indent(detail)}`);
    if (required) throw new Error(`${name} failed; the checks after it need it`);
    return false;
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `      ${line}`)
    .join("\n");
}

function seconds(ms: number): string {
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// ---------------------------------------------------------------- packages

interface PackageJson {
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
interface Entry {
  readonly specifier: string;
  readonly main: boolean;
  readonly esm: boolean;
  readonly cjs: boolean;
}

interface Workspace {
  readonly dir: string;
  readonly pkg: PackageJson;
  readonly entries: readonly Entry[];
}

interface Packed extends Workspace {
  readonly tarball: string;
  readonly packedBytes: number;
  readonly unpackedBytes: number;
  readonly files: number;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

function publishedPackages(): Workspace[] {
  const dirs = readdirSync(join(root, "packages")).map((d) => join(root, "packages", d));
  return dirs
    .filter((dir) => existsSync(join(dir, "package.json")))
    .map((dir) => ({ dir, pkg: readJson<PackageJson>(join(dir, "package.json")) }))
    .filter(({ pkg }) => pkg.private !== true)
    .map(({ dir, pkg }) => ({ dir, pkg, entries: entriesOf(pkg) }));
}

function entriesOf(pkg: PackageJson): Entry[] {
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

async function pack(workspace: Workspace, destination: string, env: NodeJS.ProcessEnv): Promise<Packed> {
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

// ---------------------------------------------------------------- the consumer project

function writeConsumerProject(dir: string, packed: readonly Packed[]): void {
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
function copiesOf(projectDir: string, name: string): string[] {
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
function installSize(projectDir: string, name: string): { bytes: number; packages: number } {
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
function findPackage(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (basename(dir) !== "node_modules") {
      const candidate = join(dir, "node_modules", name);
      if (existsSync(join(candidate, "package.json"))) return candidate;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules") continue;
    const path = join(dir, entry);
    const stat = lstatSync(path);
    total += stat.isDirectory() ? directoryBytes(path) : stat.size;
  }
  return total;
}

const IMPORT_CHECK = `
const [specs, mains, testOnly] = JSON.parse(process.argv[2]);
let failed = 0;
for (const spec of specs) {
  try {
    await import(spec);
  } catch (error) {
    failed++;
    console.error("import " + spec + ": " + (error && error.stack ? error.stack : error));
  }
}
process.exit(failed ? 1 : 0);
`;

const REQUIRE_CHECK = `
const [specs, mains, testOnly] = JSON.parse(process.argv[2]);
let failed = 0;
const load = (spec) => {
  try {
    require(spec);
  } catch (error) {
    failed++;
    console.error("require " + spec + ": " + (error && error.stack ? error.stack : error));
  }
};
// Main entries first, then nothing they loaded may be a test-only module.
for (const spec of mains) load(spec);
for (const file of Object.keys(require.cache)) {
  const hit = testOnly.find((m) => file.includes("/node_modules/" + m + "/"));
  if (hit) {
    failed++;
    console.error("the main entries load " + hit + " (" + file + "); it belongs in a testing entry");
  }
}
for (const spec of specs) if (!mains.includes(spec)) load(spec);
process.exit(failed ? 1 : 0);
`;

function writeTypeChecks(dir: string, packed: readonly Packed[]): void {
  const esm = packed.flatMap((p) => p.entries.filter((e) => e.esm));
  const cjs = packed.flatMap((p) => p.entries.filter((e) => e.cjs));
  writeFileSync(
    join(dir, "types-esm.mts"),
    [
      "// Every entry, as an ES module consumer imports it.",
      ...esm.map((e, i) => `import * as entry${i} from "${e.specifier}";`),
      "// What the packages promise: one protobuf runtime shared with the consumer, protocol types usable as types.",
      'import { createClient, type Transport } from "@connectrpc/connect";',
      'import { agentv1 } from "@limiquantix/agent-client";',
      'import { compute } from "@limiquantix/api";',
      "export function vmClient(transport: Transport) {",
      "  return createClient(compute.VMService, transport);",
      "}",
      "export type AgentCreateVmRequest = agentv1.CreateVMRequest;",
      `export const entries = [${esm.map((_, i) => `entry${i}`).join(", ")}];`,
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "types-cjs.cts"),
    [
      "// Every entry that offers CommonJS, as a CommonJS consumer requires it.",
      ...cjs.map((e, i) => `import entry${i} = require("${e.specifier}");`),
      `export const entries = [${cjs.map((_, i) => `entry${i}`).join(", ")}];`,
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "tsconfig.json"),
    `${JSON.stringify(
      {
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          types: ["node"],
        },
        files: ["types-esm.mts", "types-cjs.cts"],
      },
      null,
      2,
    )}\n`,
  );
}

// ---------------------------------------------------------------- the server

/**
 * callServer is the one RPC the check makes of a running server: ListProjects over the Connect
 * protocol's JSON. Add credentials here once the server asks for them.
 */
async function callServer(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/limiquantix.iam.v1.ProjectService/ListProjects`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`ListProjects answered HTTP ${response.status}: ${text.slice(0, 500)}`);
  const body = JSON.parse(text) as { projects?: unknown[] };
  return `ListProjects answered ${response.status} (${body.projects?.length ?? 0} projects)`;
}

/** listeningUrl finds where the server says it listens (banner or log line, stdout or stderr). */
function listeningUrl(output: string): string | undefined {
  for (const line of output.split("\n")) {
    if (!/listen/i.test(line)) continue;
    const url = /(https?:\/\/[^\s"',\]]+)/.exec(line)?.[1];
    if (url) return url.replace(/\/$/, "");
  }
  return undefined;
}

async function runServer(projectDir: string): Promise<string> {
  const child = spawn(
    join(projectDir, "node_modules", ".bin", "limiquantix-server"),
    ["--dev", "--host", "127.0.0.1", "--port", "0"],
    { cwd: projectDir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
  );
  let output = "";
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no line saying where it listens within 60 s\n${tail(output)}`)),
        60_000,
      );
      const onData = (d: Buffer) => {
        output += d.toString("utf8");
        const url = listeningUrl(output);
        if (url) {
          clearTimeout(timer);
          resolve(url);
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the server exited with ${code} before listening\n${tail(output)}`));
      });
    });
    const answer = await callServer(url);
    await stop(child, () => output);
    return `${url}: ${answer}; stopped on SIGTERM`;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

function stop(child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`still running 20 s after SIGTERM\n${tail(output())}`)),
      20_000,
    );
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0 || signal === "SIGTERM") resolve();
      else reject(new Error(`exited with ${code ?? signal} after SIGTERM\n${tail(output())}`));
    });
    child.kill("SIGTERM");
  });
}

// ---------------------------------------------------------------- lints

async function lintWithPublint(p: Packed): Promise<string> {
  const data = readFileSync(p.tarball);
  const tarball = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const { messages, pkg } = await publint({ pack: { tarball }, level: "suggestion" });
  const serious = messages.filter((m) => m.type !== "suggestion");
  const text = messages.map(
    (m) => `${p.pkg.name}: ${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`,
  );
  if (serious.length > 0) throw new Error(text.join("\n"));
  return text.join("\n");
}

async function lintWithAttw(p: Packed): Promise<void> {
  // node10 resolution predates `exports` and cannot reach subpaths; the packages need Node 20.
  const common = [p.tarball, "--no-definitely-typed", "--format", "ascii", "--no-color"];
  const esmOnly = p.entries.filter((e) => !e.cjs).map((e) => `.${e.specifier.slice(p.pkg.name.length)}`);
  const dual = esmOnly.length > 0 ? ["--exclude-entrypoints", ...esmOnly] : [];
  await must(bin("attw"), [...common, "--profile", "node16", ...dual]);
  if (esmOnly.length > 0)
    await must(bin("attw"), [...common, "--profile", "esm-only", "--entrypoints", ...esmOnly]);
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), "limiquantix-consumer-"));
  const tarballs = join(work, "tarballs");
  const project = join(work, "project");
  mkdirSync(tarballs);
  mkdirSync(project);
  const env = { ...process.env, PATH: pnpmOnPath(join(work, "bin")), TURBO_TELEMETRY_DISABLED: "1" };
  console.log(`consumer check (temporary project: ${project})`);
  let packed: Packed[] = [];
  try {
    if (!flags.has("--skip-build")) {
      await step(
        "build",
        async () => {
          await must(bin("turbo"), ["run", "build", "--output-logs=errors-only"], {
            env,
            timeoutMs: 900_000,
          });
          return undefined;
        },
        true,
      );
    }
    const workspaces = publishedPackages();
    await step(
      `pack ${workspaces.length} packages`,
      async () => {
        packed = await mapLimit(workspaces, 2, (w) => pack(w, tarballs, env));
        return `${size(packed.reduce((s, p) => s + p.packedBytes, 0))} in all`;
      },
      true,
    );
    await step(
      "npm install the tarballs",
      async () => {
        writeConsumerProject(project, packed);
        await must("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefer-offline"], {
          cwd: project,
          timeoutMs: 600_000,
        });
        return `vitest ${readJson<PackageJson>(join(project, "node_modules", "vitest", "package.json")).version} beside them`;
      },
      true,
    );
    await step("one copy of each shared runtime", async () => {
      const found = SINGLE_COPY.map((name) => ({ name, copies: copiesOf(project, name) }));
      const doubled = found.filter((f) => f.copies.length !== 1);
      if (doubled.length > 0) {
        throw new Error(
          doubled.map((f) => `${f.name}: ${f.copies.length} copies\n  ${f.copies.join("\n  ")}`).join("\n"),
        );
      }
      return found.map((f) => f.name).join(", ");
    });

    const entries = packed.flatMap((p) => p.entries);
    const mains = entries.filter((e) => e.main && e.cjs).map((e) => e.specifier);
    const specs = (pick: (e: Entry) => boolean) => entries.filter(pick).map((e) => e.specifier);
    writeFileSync(join(project, "check-imports.mjs"), IMPORT_CHECK);
    writeFileSync(join(project, "check-requires.cjs"), REQUIRE_CHECK);
    await step("import every entry (ESM)", async () => {
      const list = specs((e) => e.esm);
      await must(process.execPath, ["check-imports.mjs", JSON.stringify([list, mains, TEST_ONLY_MODULES])], {
        cwd: project,
        label: "node check-imports.mjs",
      });
      return `${list.length} entries`;
    });
    await step("require every entry (CJS)", async () => {
      const list = specs((e) => e.cjs);
      await must(process.execPath, ["check-requires.cjs", JSON.stringify([list, mains, TEST_ONLY_MODULES])], {
        cwd: project,
        label: "node check-requires.cjs",
      });
      return `${list.length} entries; main entries load none of ${TEST_ONLY_MODULES.join(", ")}`;
    });
    await step("tsc (NodeNext, strict, skipLibCheck false)", async () => {
      writeTypeChecks(project, packed);
      await must(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", project], {
        label: "tsc",
      });
      return "ESM and CJS consumers";
    });
    await step("examples/embed-scheduler", async () => {
      const target = join(project, "embed-scheduler");
      cpSync(join(root, "examples", "embed-scheduler", "src"), target, {
        recursive: true,
        filter: (source) => !source.endsWith(".test.ts"),
      });
      const tsx = import.meta.resolve("tsx/esm");
      const result = await must(process.execPath, ["--import", tsx, join(target, "main.ts")], {
        cwd: project,
        label: "embed-scheduler/main.ts",
      });
      return `${result.stdout.trim().split("\n").length} lines of output`;
    });
    await step("every binary --version", async () => {
      const checked: string[] = [];
      for (const p of packed) {
        for (const name of Object.keys(p.pkg.bin ?? {})) {
          const result = await must(join(project, "node_modules", ".bin", name), ["--version"], {
            cwd: project,
          });
          if (result.stdout.trim() !== p.pkg.version) {
            throw new Error(
              `${name} --version printed ${JSON.stringify(result.stdout.trim())}, not ${p.pkg.version}`,
            );
          }
          checked.push(name);
        }
      }
      return checked.join(", ");
    });
    await step("limiquantix-server --dev answers an RPC", () => runServer(project));
    await step("publint", async () => {
      const notes = (await mapLimit(packed, 2, lintWithPublint)).filter(Boolean);
      return notes.length > 0 ? `suggestions only\n${notes.join("\n")}` : "no messages";
    });
    await step("attw (@arethetypeswrong/cli)", async () => {
      await mapLimit(packed, 2, lintWithAttw);
      return "no problems";
    });
    await step("changeset status", async () => {
      await must(bin("changeset"), ["status"]);
      return undefined;
    });
  } catch (error) {
    console.log(`  stopped: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    printSizes(packed, project);
    if (flags.has("--keep")) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  const failed = reports.filter((r) => !r.ok);
  const total = seconds(performance.now() - started);
  if (failed.length > 0) {
    console.log(`consumer check FAILED in ${total}: ${failed.map((r) => r.name).join(", ")}`);
    return 1;
  }
  console.log(`consumer check passed in ${total}`);
  return 0;
}

function printSizes(packed: readonly Packed[], project: string): void {
  if (packed.length === 0) return;
  console.log(
    `\n  ${"package".padEnd(32)} ${"version".padEnd(8)} ${"packed".padStart(9)} ${"unpacked".padStart(9)} ${"files".padStart(5)}`,
  );
  for (const p of packed) {
    console.log(
      `  ${p.pkg.name.padEnd(32)} ${p.pkg.version.padEnd(8)} ${size(p.packedBytes).padStart(9)} ${size(p.unpackedBytes).padStart(9)} ${String(p.files).padStart(5)}`,
    );
  }
  if (existsSync(join(project, "node_modules", "@limiquantix", "server"))) {
    const { bytes, packages } = installSize(project, "@limiquantix/server");
    console.log(
      `  @limiquantix/server install size: ${size(bytes)} (${packages} packages with its dependencies)\n`,
    );
  }
}

process.exitCode = await main();
