import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";

/** SupervisedServerSpec says how to run one server binary and how to tell that it is ready. */
export interface SupervisedServerSpec {
  /** Human name used in error messages, e.g. `redis-server`. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Resolves true once the server answers; called repeatedly until it does. */
  readonly probe: () => Promise<boolean>;
  /** How long start() waits for the probe before giving up. */
  readonly startTimeoutMs?: number;
  /** Directories removed when the test process exits. */
  readonly cleanupDirs?: readonly string[];
}

/** SupervisedServer runs a server binary that can be stopped and started again, and dies with its parent. */
export interface SupervisedServer {
  /** running says whether the server process is up (as far as this supervisor knows). */
  readonly running: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

// The server runs under a small shell guard that kills it when this process goes away, even
// by SIGKILL, so a crashed test worker never leaves servers behind on a CI machine.
const GUARD = [
  '"$@" >/dev/null 2>&1 & s=$!',
  'w=""',
  'trap \'kill -TERM "$s" $w 2>/dev/null; wait "$s"; exit 0\' TERM INT',
  // "sleep & wait" rather than a plain sleep, so a stop request interrupts the wait at once.
  'while kill -0 "$LQX_PARENT_PID" 2>/dev/null && kill -0 "$s" 2>/dev/null; do sleep 1 & w=$!; wait "$w"; done',
  'kill -TERM "$s" 2>/dev/null; wait "$s"',
].join("\n");

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of live) child.kill("SIGTERM");
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** superviseServer prepares a server that start() launches and stop() terminates, as often as needed. */
export function superviseServer(spec: SupervisedServerSpec): SupervisedServer {
  installExitHook();
  for (const dir of spec.cleanupDirs ?? []) dirs.add(dir);
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const server: SupervisedServer = {
    get running() {
      return child !== undefined;
    },
    async start() {
      if (child) return;
      const proc = spawn("sh", ["-c", GUARD, "guard", spec.command, ...spec.args], {
        stdio: "ignore",
        env: { ...process.env, LQX_PARENT_PID: String(process.pid) },
      });
      child = proc;
      live.add(proc);
      let gone = false;
      exited = new Promise<void>((resolve) => {
        proc.once("exit", () => {
          gone = true;
          live.delete(proc);
          if (child === proc) child = undefined;
          resolve();
        });
        proc.once("error", () => resolve());
      });
      const deadline = Date.now() + (spec.startTimeoutMs ?? 20_000);
      while (Date.now() < deadline) {
        if (gone) throw new Error(`${spec.name} exited during start-up: run it by hand to see why`);
        if (await spec.probe().catch(() => false)) return;
        await sleep(50);
      }
      await server.stop();
      throw new Error(`${spec.name} did not become ready within ${spec.startTimeoutMs ?? 20_000} ms`);
    },
    async stop() {
      const proc = child;
      if (!proc) return;
      proc.kill("SIGTERM");
      await exited;
    },
  };
  return server;
}
