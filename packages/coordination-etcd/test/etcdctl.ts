import { type ChildProcess, spawn } from "node:child_process";

/** EtcdctlProcess is a running etcdctl child whose output lines are collected. */
export interface EtcdctlProcess {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** waitForLines resolves once at least n lines were printed. */
  waitForLines(n: number, timeoutMs?: number): Promise<string[]>;
  /** stop interrupts etcdctl (it closes its session, releasing what it holds) and waits for it to exit. */
  stop(): Promise<void>;
}

/** spawnEtcdctl runs etcdctl with the v3 API against endpoints. */
export function spawnEtcdctl(endpoints: readonly string[], args: readonly string[]): EtcdctlProcess {
  const child = spawn("etcdctl", [`--endpoints=${endpoints.join(",")}`, ...args], {
    env: { ...process.env, ETCDCTL_API: "3" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let buffer = "";
  const waiters = new Set<() => void>();
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    lines.push(...parts.filter((l) => l.length > 0));
    for (const w of waiters) w();
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    lines,
    waitForLines(n, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (lines.length >= n) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(lines.slice());
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`etcdctl ${args.join(" ")} printed ${lines.length} of ${n} lines; stderr: ${stderr}`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      await exited;
    },
  };
}
