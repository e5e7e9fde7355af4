import { type Config, ConfigSchema, type ConfigInput } from "../config/schema";
import { deepMerge } from "../config/load";

/** testConfig is a configuration for tests: loopback, a random port, no simulated nodes, silent logs, a 90 s node failure window. */
export function testConfig(overrides: ConfigInput = {}): Config {
  const base: ConfigInput = {
    server: { host: "127.0.0.1", port: 0, shutdownTimeoutSec: 5 },
    simulation: { nodes: 0 },
    logging: { level: "silent", format: "json" },
    // Tests register nodes through the API with no agent beating for them: with the default 3 s
    // window they would turn NOT_READY (and be fenced) halfway through a test. Tests of failure
    // detection set their own window.
    ha: { checkIntervalSec: 30 },
  };
  return ConfigSchema.parse(deepMerge(base as Record<string, unknown>, overrides as Record<string, unknown>));
}
