import { defineConfig, mergeConfig } from "vitest/config";
import { vitestShared } from "../../vitest.shared";

// Opening PGlite runs its initdb in WebAssembly, which takes several seconds on a busy machine.
export default mergeConfig(vitestShared, defineConfig({ test: { testTimeout: 90_000 } }));
