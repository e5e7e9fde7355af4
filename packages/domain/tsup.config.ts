import { defineConfig } from "tsup";

export default defineConfig({
  // One build for both entries, so their declarations share chunks. `./conformance` is published
  // as ESM only (vitest cannot be required), so its CommonJS files are left out of the package.
  entry: ["src/index.ts", "src/conformance.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
});
