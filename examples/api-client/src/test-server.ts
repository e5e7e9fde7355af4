// The walkthrough's test runs a real control plane in this process. The server package exports no
// entry for that yet, so its test kit is reached in the monorepo's sources (one place to update).
import { createLogger } from "../../../packages/server/src/observability/logger";
import { type RunningServer, startServer } from "../../../packages/server/src/runtime/server";
import { testConfig } from "../../../packages/server/src/testing/server-config";

/** startDevServer starts a dev-mode server (memory, loopback, a random port) with simulated nodes that boot at once. */
export async function startDevServer(): Promise<RunningServer> {
  const config = testConfig({
    mode: "dev",
    simulation: { nodes: 2, bootDelayMs: 50, heartbeatIntervalSec: 1 },
  });
  return startServer(config, { logger: createLogger(config.logging), version: "test" });
}
