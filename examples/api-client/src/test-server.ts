// The walkthrough's test runs a real control plane in this process, through the server package's
// public entry.
import { ConfigSchema, createLogger, type RunningServer, startServer } from "@limiquantix/server";

/** startDevServer starts a dev-mode server (memory, loopback, a random port) with simulated nodes that boot at once. */
export async function startDevServer(): Promise<RunningServer> {
  const config = ConfigSchema.parse({
    mode: "dev",
    server: { port: 0 },
    simulation: { nodes: 2, bootDelayMs: 50, heartbeatIntervalSec: 1 },
    logging: { level: "silent", format: "json" },
  });
  return startServer(config, { logger: createLogger(config.logging), version: "test" });
}
