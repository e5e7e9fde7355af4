import { type Config, ConfigSchema, type ConfigInput } from "../config/schema";
import { deepMerge } from "../config/load";

/** testConfig is a configuration for tests: loopback, a random port, no simulated nodes, silent logs. */
export function testConfig(overrides: ConfigInput = {}): Config {
  const base: ConfigInput = {
    server: { host: "127.0.0.1", port: 0, shutdownTimeoutSec: 5 },
    simulation: { nodes: 0 },
    logging: { level: "silent", format: "json" },
  };
  return ConfigSchema.parse(deepMerge(base as Record<string, unknown>, overrides as Record<string, unknown>));
}
