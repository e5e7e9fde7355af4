import { defineConfig } from "tsup";

// The two builds run at once in the same dist/: the library build cleans everything but the
// binary's files, and the binary's build writes only those.
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
    // bin/limiquantix-server.js loads dist/cli.js: no CommonJS copy and no declarations for it.
    entry: ["src/cli.ts"],
    format: ["esm"],
    clean: false,
    sourcemap: true,
    target: "node20",
  },
]);
