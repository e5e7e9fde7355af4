// The checks run inside the consumer project: import, require and type-check every entry.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Packed } from "./packages";

/** TEST_ONLY_MODULES are modules that only tests need; no package's main entry may load them. */
export const TEST_ONLY_MODULES = ["node-forge", "vitest"];

/** IMPORT_CHECK imports every entry given as ES modules (run as a .mjs file in the project). */
export const IMPORT_CHECK = `
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

/** REQUIRE_CHECK requires every entry given, main entries first, and fails if they loaded a test-only module. */
export const REQUIRE_CHECK = `
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

/** writeTypeChecks writes an ES module and a CommonJS file importing every entry, and the tsconfig that checks them. */
export function writeTypeChecks(dir: string, packed: readonly Packed[]): void {
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
