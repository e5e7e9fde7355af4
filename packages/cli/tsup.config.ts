import { defineConfig } from "tsup";

// The library entry (ESM + CJS with declarations) and the binary's entry, which
// bin/limiqctl.js loads: the binary needs no CommonJS copy and no declarations.
export default defineConfig([
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    clean: ["!cli.js", "!cli.js.map"],
    sourcemap: true,
    target: "node20",
  },
  {
    entry: ["src/cli.ts"],
    format: ["esm"],
    clean: false,
    sourcemap: true,
    target: "node20",
  },
]);
