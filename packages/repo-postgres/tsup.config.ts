import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "cli-main": "src/cli-main.ts" },
  format: ["esm", "cjs"],
  dts: { entry: { index: "src/index.ts" } },
  clean: true,
  sourcemap: true,
  target: "node20",
  // import.meta.url in the CommonJS build, so the migrations directory is found from dist too.
  shims: true,
});
