import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Each package's run leaves a JSON report here; scripts/test-summary.ts lists the failures from them. */
const reportDir = join(fileURLToPath(new URL(".", import.meta.url)), ".test-results");

/**
 * vitestShared is the configuration every package's vitest config extends: workspace
 * imports resolve to `src` through the `limiquantix-source` export condition, so tests
 * never need a prior build.
 */
export const vitestShared = defineConfig({
  resolve: { conditions: ["limiquantix-source", "import", "module", "node", "default"] },
  // Vitest hands the SSR conditions to Node as --conditions for external packages too, where
  // "import" or "module" would make require() pick a package's ESM build (pg → pg-pool breaks).
  // Vite adds import/require itself per import, so only the custom condition is listed here.
  ssr: { resolve: { conditions: ["limiquantix-source", "node", "default"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Generous: integration tests start real servers, and CI machines have two cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default", "json"],
    outputFile: { json: join(reportDir, `${basename(process.cwd())}.json`) },
  },
});
