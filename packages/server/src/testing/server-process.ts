import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

import { DEFAULT_SEMI_SPACE_MIB } from "../runtime/heap-flags";
import { TEST_ADMIN_PASSWORD } from "./signed-in";

const packageDir = fileURLToPath(new URL("../..", import.meta.url));
// tsx as a loader in the server's own process, so signals reach the server itself.
const tsxLoader = createRequire(import.meta.url).resolve("tsx");

/** LaunchOptions change how launchServer starts the server. */
export interface LaunchOptions {
  /** Extra environment (configuration as `LQX_…` variables: `LQX_MODE=production` …). */
  readonly env?: Readonly<Record<string, string>>;
  /** Simulated nodes to start (default 0). */
  readonly simNodes?: number;
  /** Log level (default warn). */
  readonly logLevel?: string;
  /** Keep the JSON log lines on the child's stdout as a pipe (default: ignored). */
  readonly pipeLogs?: boolean;
}

/**
 * launchServer starts limiquantix-server from source in a child process: embedded mode in
 * dataDir unless the options' environment says otherwise, no simulated nodes, `admin` signing in
 * with TEST_ADMIN_PASSWORD.
 */
export function launchServer(port: number, dataDir: string, options: LaunchOptions = {}): ChildProcess {
  return spawn(
    process.execPath,
    [
      // The binary's heap flags, given here so the server runs in this one process (signals reach it).
      `--max-semi-space-size=${DEFAULT_SEMI_SPACE_MIB}`,
      "--import",
      tsxLoader,
      "--conditions=limiquantix-source",
      "src/main.ts",
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      "--data-dir",
      dataDir,
      "--sim-nodes",
      String(options.simNodes ?? 0),
      "--log-level",
      options.logLevel ?? "warn",
    ],
    {
      cwd: packageDir,
      stdio: ["ignore", options.pipeLogs ? "pipe" : "ignore", "pipe"],
      env: {
        ...process.env,
        LQX_SERVER_SHUTDOWN_TIMEOUT_SEC: "10",
        LQX_BOOTSTRAP_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
        ...options.env,
      },
    },
  );
}

/** serverReady waits until the child's /ready answers, or fails if it exits or takes a minute. */
export async function serverReady(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`server exited early with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("server did not become ready within 60 s");
}

/** exited resolves with the child's exit code (null when a signal ended it). */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}
