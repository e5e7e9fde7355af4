import { defineConfig, mergeConfig } from "vitest/config";
import { vitestShared } from "../../vitest.shared";

export default mergeConfig(vitestShared, defineConfig({}));
