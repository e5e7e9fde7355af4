// The walkthrough's test runs a real control plane in this process, through the server package's
// public entry.
import { ConfigSchema, createLogger, type RunningServer, startServer } from "@limiquantix/server";

/**
 * startDevServer starts a dev-mode server (memory, loopback, a random port) with simulated nodes
 * that boot at once. Its first start creates the user `admin` with a generated password, found in
 * `server.bootstrap` (see adminPassword).
 */
export async function startDevServer(): Promise<RunningServer> {
  const config = ConfigSchema.parse({
    mode: "dev",
    server: { port: 0 },
    simulation: { nodes: 2, bootDelayMs: 50, heartbeatIntervalSec: 1 },
    // Nodes created by hand have no agent beating for them: a 90 s failure window, not 3 s, keeps
    // them READY through a test (and a busy test machine never gets a live node fenced).
    ha: { checkIntervalSec: 30 },
    logging: { level: "silent", format: "json" },
  });
  return startServer(config, { logger: createLogger(config.logging), version: "test" });
}

/** adminPassword is the password of the server's first admin: the one LQX_BOOTSTRAP_ADMIN_PASSWORD set, or the one it generated. */
export function adminPassword(server: RunningServer): string {
  const password = process.env.LQX_BOOTSTRAP_ADMIN_PASSWORD || server.bootstrap?.generatedPassword;
  if (!password) throw new Error("the server created no admin password on this start");
  return password;
}
