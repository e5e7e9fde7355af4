import { defineConfig } from "vitest/config";

/**
 * vitestShared is the configuration every package's vitest config extends: workspace
 * imports resolve to `src` through the `limiquantix-source` export condition, so tests
 * never need a prior build.
 */
export const vitestShared = defineConfig({
  resolve: { conditions: ["limiquantix-source", "import", "module", "node", "default"] },
  ssr: { resolve: { conditions: ["limiquantix-source", "import", "module", "node", "default"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
