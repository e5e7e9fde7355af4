import { defineConfig, mergeConfig } from "vitest/config";
import { vitestShared } from "../../vitest.shared";

// The end-to-end tests run limiqctl from source as a child process, tens of times per test; on a
// loaded two-core machine a test can outlast the shared 60 s.
export default mergeConfig(vitestShared, defineConfig({ test: { testTimeout: 180_000 } }));
