import { defineConfig } from "tsup";

export default defineConfig({
  // `./testing` is its own entry so that node-forge is loaded only by code that asks for test certificates.
  entry: ["src/index.ts", "src/sim.ts", "src/testing.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
});
