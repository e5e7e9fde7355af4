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
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copiesOf, writeConsumerProject } from "./consumer-check/consumer-project";
import {
  IMPORT_CHECK,
  REQUIRE_CHECK,
  TEST_ONLY_MODULES,
  writeTypeChecks,
} from "./consumer-check/entry-checks";
import { lintWithAttw, lintWithPublint } from "./consumer-check/lints";
import {
  type Entry,
  type PackageJson,
  type Packed,
  pack,
  publishedPackages,
  readJson,
} from "./consumer-check/packages";
import { bin, mapLimit, must, pnpmOnPath, root } from "./consumer-check/commands";
import { printSizes, reports, seconds, size, step } from "./consumer-check/report";
import { runServer } from "./consumer-check/server";

const flags = new Set(process.argv.slice(2));

/** SINGLE_COPY are the runtimes a consumer must end up with exactly one copy of. */
const SINGLE_COPY = ["@bufbuild/protobuf", "@connectrpc/connect", "@limiquantix/domain"];

/** main runs every step and returns the exit code: 0 when all passed. */
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
        // Whatever the user's npm configuration says, peers are checked (an ERESOLVE fails the step)
        // and devDependencies are installed.
        const npmArgs = [
          "--legacy-peer-deps=false",
          "--include=dev",
          "--no-audit",
          "--no-fund",
          "--loglevel=error",
        ];
        await must("npm", ["install", ...npmArgs, "--prefer-offline"], { cwd: project, timeoutMs: 600_000 });
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

process.exitCode = await main();
